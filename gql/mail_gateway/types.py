"""System settings > E-Mail Gateway: what it reads, what it is given."""

from __future__ import annotations

import strawberry

from domain import model
from domain.services import mail
from gql.enums import SmtpSecurity


@strawberry.type(description="System settings > E-Mail Gateway. The password is write-only.")
class EmailGateway:
    configured: bool
    host: str | None
    port: int | None
    security: SmtpSecurity
    username: str | None
    has_password: bool
    sender_address: str | None
    sender_name: str | None

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


@strawberry.input
class EmailGatewayInput:
    host: str
    port: int
    security: SmtpSecurity
    sender_address: str
    username: str | None = None
    password: str | None = strawberry.field(
        default=None, description="Omit to keep the stored password; empty string to remove it."
    )
    sender_name: str | None = None

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
