"""System settings > E-Mail Gateway, and its test message."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql.context import Info
from gql.errors import UserError
from gql.mail_gateway.types import EmailGateway, EmailGatewayInput
from gql.payloads import PAYLOAD_ERRORS, MutationResult, Payload, payload_mutation


@strawberry.type(description="The answer of configureEmailGateway.")
class EmailGatewayPayload(Payload):
    email_gateway: EmailGateway | None = strawberry.field(
        description="The gateway as stored; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type
class MailGatewayQuery:
    @strawberry.field(
        description="System settings > E-Mail Gateway. Administrators; a sub-administrator "
        "reads only whether one is configured."
    )
    async def email_gateway(self, info: Info) -> EmailGateway:
        reading = await info.context.services().mail.read_gateway(info.context.principal)
        return EmailGateway.from_reading(reading)


GatewaySettings = Annotated[
    EmailGatewayInput, strawberry.argument(description="The gateway's settings.")
]
Recipient = Annotated[str, strawberry.argument(description="The recipient's e-mail address.")]
TestLanguage = Annotated[
    str | None,
    strawberry.argument(
        description="The message's language (see mailLanguages); omitted or null: the system's."
    ),
]


@strawberry.type
class MailGatewayMutation:
    @payload_mutation(
        description="System settings > E-Mail Gateway: stores the SMTP server that mails "
        "passwords and PINs; mails already queued go out through it. An EMAIL_GATEWAY_CHANGED "
        "audit event (never the password). System administrators (or their API tokens) only; "
        "others FORBIDDEN. Errors: REQUIRED, INVALID_HOST, INVALID_PORT, INVALID_EMAIL, "
        "INVALID_CHARACTERS, VALUE_TOO_LONG."
    )
    async def configure_email_gateway(
        self, info: Info, input: GatewaySettings
    ) -> EmailGatewayPayload:
        ctx = info.context
        gateway = await ctx.services().mail.configure_gateway(ctx.principal, input.to_domain())
        return EmailGatewayPayload(email_gateway=EmailGateway.from_domain(gateway), errors=[])

    @payload_mutation(
        description="Sends a test message through the configured gateway to the given "
        "address, at once (not through the outbox), and waits for the SMTP server's answer. "
        "System administrators (or their API tokens) only. Errors: "
        "MAIL_GATEWAY_NOT_CONFIGURED, MAIL_GATEWAY_INVALID, MAIL_DELIVERY_FAILED (with the "
        "SMTP reply), REQUIRED, INVALID_EMAIL, INVALID_CHARACTERS, LANGUAGE_UNKNOWN."
    )
    async def send_test_email(
        self, info: Info, to: Recipient, language: TestLanguage = None
    ) -> MutationResult:
        ctx = info.context
        await ctx.services().mail.send_test_email(ctx.principal, to, language)
        return MutationResult.done()
