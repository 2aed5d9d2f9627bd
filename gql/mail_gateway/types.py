"""System settings > E-Mail Gateway: what it reads, what it is given."""

from __future__ import annotations

import strawberry

from domain import model
from domain.services import mail
from gql.enums import SmtpSecurity


@strawberry.type(
    description="System settings > E-Mail Gateway: the SMTP server through which passwords, "
    "PINs and test messages are mailed. The password is write-only. A sub-administrator "
    "reads only configured; the other fields read as for no gateway."
)
class EmailGateway:
    configured: bool = strawberry.field(
        description="A gateway is stored; without one, resets that mail refuse "
        "(MAIL_GATEWAY_NOT_CONFIGURED)."
    )
    host: str | None = strawberry.field(description="The SMTP server's host name or address.")
    port: int | None = strawberry.field(description="The SMTP server's port, 1 to 65535.")
    security: SmtpSecurity = strawberry.field(
        description="How the connection is secured; NONE when there is no gateway."
    )
    username: str | None = strawberry.field(
        description="The user name to sign in to the SMTP server with (AUTH); null: no AUTH."
    )
    has_password: bool = strawberry.field(
        description="A password is stored (encrypted at rest); it is never read back."
    )
    sender_address: str | None = strawberry.field(description="The From address of every mail.")
    sender_name: str | None = strawberry.field(
        description="The display name beside the From address, if any."
    )

    @classmethod
    def from_reading(cls, reading: mail.GatewayReading) -> EmailGateway:
        """Without the configuration (a sub-administrator's reading), only ``configured``
        says something; the rest reads as for no gateway."""
        if reading.gateway is not None:
            return cls.from_domain(reading.gateway)
        return cls(
            configured=reading.configured, host=None, port=None, security=SmtpSecurity.NONE,
            username=None, has_password=False, sender_address=None, sender_name=None,
        )  # fmt: skip

    @classmethod
    def from_domain(cls, gateway: model.EmailGateway) -> EmailGateway:
        return cls(
            configured=True,
            host=gateway.host,
            port=gateway.port,
            security=gateway.security,
            username=gateway.username,
            has_password=gateway.password_ciphertext is not None,
            sender_address=gateway.sender_address,
            sender_name=gateway.sender_name,
        )


@strawberry.input(
    description="The whole gateway; it replaces the stored one (but for an omitted password). "
    "No text may hold a line break or another control character (INVALID_CHARACTERS): each "
    "goes into a mail header or an SMTP command."
)
class EmailGatewayInput:
    host: str = strawberry.field(
        description="Host name or address, at most 253 characters, no spaces (REQUIRED, "
        "INVALID_HOST, VALUE_TOO_LONG)."
    )
    port: int = strawberry.field(description="1 to 65535 (INVALID_PORT).")
    security: SmtpSecurity = strawberry.field(
        description="How the connection is secured; certificates are always verified."
    )
    sender_address: str = strawberry.field(
        description="The From address, at most 254 characters (REQUIRED, INVALID_EMAIL)."
    )
    username: str | None = strawberry.field(
        default=None,
        description="User name for AUTH, at most 254 characters; null or empty: no AUTH.",
    )
    password: str | None = strawberry.field(
        default=None,
        description="Omit to keep the stored password; empty string to remove it. At most "
        "1024 characters. Stored encrypted, never read back.",
    )
    sender_name: str | None = strawberry.field(
        default=None, description="Display name beside the From address, at most 200 characters."
    )

    def to_domain(self) -> mail.GatewayInput:
        return mail.GatewayInput(
            host=self.host,
            port=self.port,
            security=self.security,
            sender_address=self.sender_address,
            sender_name=self.sender_name,
            username=self.username,
            password=self.password,
        )
