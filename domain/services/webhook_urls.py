"""Where webhooks may go: https to a public address, unless the operator allows more
(``CONNECT_WEBHOOKS_ALLOW_PRIVATE``: plain http, loopback, private and link-local
ranges, for a receiver inside the operator's own network).

A URL is checked when it is registered (its scheme, and its host when that is an
address); the sender checks every address the host resolves to before each delivery,
so a name that points inside later is refused then.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from domain.error_codes import ErrorCode
from domain.services.validation import Problems

MAX_URL_LENGTH = 2048
LOCAL_NAMES = ("localhost", "localhost.localdomain")


def address_allowed(address: str, *, allow_private: bool) -> bool:
    """Whether a delivery may go to this IP address: a public (global unicast) one, or
    any with the operator's switch."""
    if allow_private:
        return True
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(problems: Problems, url: str, *, allow_private: bool, field: str = "url") -> str:
    """The URL as given, trimmed; its problems added to ``problems``."""
    text = url.strip()
    if not text:
        problems.add(ErrorCode.REQUIRED, "Must not be empty.", field)
        return text
    # Control characters (INVALID_CHARACTERS) and the length (VALUE_TOO_LONG) as in
    # every other text that goes into a request line.
    if not problems.text(text, MAX_URL_LENGTH, field, header=True):
        return text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        _ = parts.port  # raises for a port out of range
    except ValueError:
        parts, host = None, ""
    if (
        parts is None
        or parts.scheme not in ("https", "http")
        or not host
        or parts.username is not None
        or parts.fragment
        or any(c.isspace() for c in text)
    ):
        problems.add(
            ErrorCode.WEBHOOK_URL_INVALID,
            "An absolute https URL, without user name, password or fragment.",
            field,
        )
        return text
    if allow_private:
        return text
    if parts.scheme != "https":
        problems.add(ErrorCode.WEBHOOK_URL_NOT_ALLOWED, "Webhooks go over https only.", field)
    elif host.lower().rstrip(".") in LOCAL_NAMES or host.lower().endswith(".localhost"):
        problems.add(ErrorCode.WEBHOOK_URL_NOT_ALLOWED, "Not to this host itself.", field)
    elif _is_address(host) and not address_allowed(host, allow_private=False):
        problems.add(
            ErrorCode.WEBHOOK_URL_NOT_ALLOWED,
            "Not to a loopback, private, link-local or reserved address.",
            field,
        )
    return text


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
