"""What an e-mail address may be: one that every SMTP server carries.

An address is ``local-part@domain``:

- the local part is ASCII: letters, digits and ``! # $ % & ' * + - / = ? ^ _ ` { | } ~``,
  in dot-separated words (no leading, trailing or double dot, no quotes), at most
  64 characters. An address with non-ASCII characters before the ``@`` needs the
  gateway's SMTPUTF8 extension, which many gateways do not offer and no sender
  can learn before the mail is due, so such addresses are refused when given;
- the domain is a DNS name of at least two labels (letters, digits, hyphens; no
  address literal). An international domain (``bücher.example``) is accepted and
  kept in its ASCII form (IDNA 2008 with UTS #46 mapping:
  ``xn--bcher-kva.example``), which every server carries;
- the whole is at most 254 characters.

``ascii_mail_address`` is the one check: at the edge (``Problems.email``), for a
stored address before a reset mails it (``is_mail_address``), and in the SMTP
adapter before a message's envelope is written.
"""

from __future__ import annotations

import re

import idna

MAX_ADDRESS_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
MAX_DOMAIN_LENGTH = 253

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
LOCAL_PART = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$")
LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")

NOT_AN_ADDRESS = "Not an e-mail address: a local part, one @ and a domain."
LOCAL_PART_NOT_ASCII = (
    "The part before @ must be ASCII: letters, digits and ! # $ % & ' * + - / = ? ^ _ ` "
    "{ | } ~ in dot-separated words. Addresses with other characters there cannot be "
    "carried by every mail server (SMTPUTF8)."
)
LOCAL_PART_INVALID = (
    "The part before @ holds letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~ "
    "in dot-separated words (no quotes, no leading, trailing or double dot)."
)
LOCAL_PART_TOO_LONG = f"The part before @ has at most {MAX_LOCAL_PART_LENGTH} characters."
DOMAIN_INVALID = (
    "The part after @ is a domain name of at least two labels (letters, digits and "
    "hyphens; international names are accepted)."
)
ADDRESS_TOO_LONG = f"At most {MAX_ADDRESS_LENGTH} characters, the domain in its ASCII form."


class NotAnAddress(ValueError):
    """The address cannot be sent to; the message says why, for a person."""


def ascii_mail_address(text: str) -> str:
    """The address as it goes into an SMTP envelope (the domain in ASCII form), or
    NotAnAddress."""
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise NotAnAddress(NOT_AN_ADDRESS)
    if not LOCAL_PART.match(local):
        if not local.isascii():
            raise NotAnAddress(LOCAL_PART_NOT_ASCII)
        raise NotAnAddress(LOCAL_PART_INVALID if "@" not in local else NOT_AN_ADDRESS)
    if len(local) > MAX_LOCAL_PART_LENGTH:
        raise NotAnAddress(LOCAL_PART_TOO_LONG)
    ascii_domain = _ascii_domain(domain)
    address = f"{local}@{ascii_domain}"
    if len(address) > MAX_ADDRESS_LENGTH:
        raise NotAnAddress(ADDRESS_TOO_LONG)
    return address


def _ascii_domain(domain: str) -> str:
    if not domain.isascii():
        if len(domain) > MAX_DOMAIN_LENGTH:
            raise NotAnAddress(DOMAIN_INVALID)
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as error:
            raise NotAnAddress(DOMAIN_INVALID) from error
    labels = domain.split(".")
    if (
        len(domain) > MAX_DOMAIN_LENGTH
        or len(labels) < 2
        or not all(LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise NotAnAddress(DOMAIN_INVALID)
    return domain
