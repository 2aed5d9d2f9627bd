"""System settings > E-Mail Gateway, and its test message."""

from __future__ import annotations

import strawberry

from gql.context import Info
from gql.errors import UserError
from gql.mail_gateway.types import EmailGateway, EmailGatewayInput
from gql.payloads import MutationResult, Payload, payload_mutation


@strawberry.type
class EmailGatewayPayload(Payload):
    email_gateway: EmailGateway | None
    errors: list[UserError]


@strawberry.type
class MailGatewayQuery:
    @strawberry.field
    async def email_gateway(self, info: Info) -> EmailGateway:
        reading = await info.context.services().mail.read_gateway(info.context.principal)
        return EmailGateway.from_reading(reading)


@strawberry.type
class MailGatewayMutation:
    @payload_mutation()
    async def configure_email_gateway(
        self, info: Info, input: EmailGatewayInput
    ) -> EmailGatewayPayload:
        ctx = info.context
        gateway = await ctx.services().mail.configure_gateway(ctx.principal, input.to_domain())
        return EmailGatewayPayload(email_gateway=EmailGateway.from_domain(gateway), errors=[])

    @payload_mutation(
        description="Sends a test message through the configured gateway to the given address."
    )
    async def send_test_email(self, info: Info, to: str) -> MutationResult:
        ctx = info.context
        await ctx.services().mail.send_test_email(ctx.principal, to)
        return MutationResult.done()
