"""SMTP fixtures for the whole suite: real aiosmtpd servers on 127.0.0.1 (``tests/smtp_server.py``).

Registered as a plugin in ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.smtp_server import SmtpServer, TlsCertificate

SMTP_USER = "connect-mailer"
SMTP_PASSWORD = "Smtp-Passw0rd!"


@pytest.fixture(scope="session")
def tls_certificate() -> TlsCertificate:
    return TlsCertificate.create()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Plain SMTP, no AUTH."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def starttls_server(tls_certificate: TlsCertificate) -> Iterator[SmtpServer]:
    """STARTTLS required, AUTH required (offered over TLS only)."""
    with SmtpServer(
        certificate=tls_certificate, starttls=True, users={SMTP_USER: SMTP_PASSWORD}
    ) as server:
        yield server


@pytest.fixture
def tls_server(tls_certificate: TlsCertificate) -> Iterator[SmtpServer]:
    """Implicit TLS (SMTPS), no AUTH."""
    with SmtpServer(certificate=tls_certificate, implicit_tls=True) as server:
        yield server
