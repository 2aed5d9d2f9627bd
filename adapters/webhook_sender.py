"""Adapter of the domain's WebhookSender port: an HTTPS POST with httpcore.

The connection goes to an address that was checked: the host is resolved here, every
address it resolves to must be allowed (``webhook_urls.address_allowed``: a public one,
unless the operator allows loopback and private ranges), and the connection is made to
the first of them, while TLS still verifies the certificate for the host's name (SNI).
So a name that points inside, now or by the time of the connection, is refused.
Redirects are not followed (a 3xx is a failed attempt) and the reply's body is never
read. Certificates are checked against the system's CA certificates.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable

import httpcore

from domain.ports import WebhookPost, WebhookReply
from domain.services.webhook_urls import address_allowed

USER_AGENT = "connect-admin-webhooks"


class AddressRefused(OSError):
    """The host resolves to an address deliveries may not go to."""


class _CheckedNetwork(httpcore.AsyncNetworkBackend):
    """Connects only to addresses it has resolved and checked itself."""

    def __init__(self, *, allow_private: bool) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [str(info[4][0]) for info in found]
        refused = [
            a for a in addresses if not address_allowed(a, allow_private=self._allow_private)
        ]
        if not addresses or refused:
            raise AddressRefused(
                f"{host} resolves to {', '.join(refused) or 'nothing'}, which is not allowed"
            )
        return await self._inner.connect_tcp(
            addresses[0], port, timeout=timeout, local_address=local_address,
            socket_options=socket_options,
        )  # fmt: skip

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("webhooks go over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class HttpWebhookSender:
    """Implements :class:`domain.ports.WebhookSender`."""

    def __init__(self, *, timeout_seconds: float, allow_private: bool) -> None:
        self._timeout = timeout_seconds
        self._allow_private = allow_private

    async def post(self, request: WebhookPost) -> WebhookReply:
        headers = [("user-agent", USER_AGENT), *request.headers.items()]
        limits = dict.fromkeys(("connect", "read", "write", "pool"), self._timeout)
        try:
            async with (
                asyncio.timeout(self._timeout),
                httpcore.AsyncConnectionPool(
                    ssl_context=ssl.create_default_context(),
                    network_backend=_CheckedNetwork(allow_private=self._allow_private),
                    max_connections=1,
                ) as pool,
                pool.stream(
                    "POST", request.url, headers=headers, content=request.body,
                    extensions={"timeout": limits},
                ) as reply,
            ):  # fmt: skip
                return WebhookReply(reply.status)
        except TimeoutError:
            return WebhookReply(None, f"no reply within {self._timeout:g} s")
        except AddressRefused as error:
            return WebhookReply(None, str(error))
        except httpcore.TimeoutException as error:
            return WebhookReply(
                None, f"no reply within {self._timeout:g} s ({type(error).__name__})"
            )
        except (
            httpcore.NetworkError,
            httpcore.ProtocolError,
            httpcore.UnsupportedProtocol,
            OSError,
        ) as error:
            return WebhookReply(None, f"{type(error).__name__}: {str(error)[:200]}")
