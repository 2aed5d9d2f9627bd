"""The voicemail server's calls: remote access and PIN checks."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError
from domain.services.credentials import VoicemailAccessOutcome
from gql.context import Info
from gql.errors import UserError, user_errors
from gql.payloads import MutationResult

strawberry.enum(VoicemailAccessOutcome)


@strawberry.type
class VoicemailAccessPayload:
    outcome: VoicemailAccessOutcome | None
    errors: list[UserError]


@strawberry.type
class VoicemailMutation:
    @strawberry.mutation(
        description="Called by the voicemail server when a user dials in to the voicemail remotely."
    )
    async def voicemail_remote_access(self, info: Info, login: str) -> VoicemailAccessPayload:
        ctx = info.context
        try:
            outcome = await ctx.services().credentials.voicemail_remote_access(ctx.principal, login)
        except DomainError as error:
            return VoicemailAccessPayload(outcome=None, errors=user_errors(error))
        return VoicemailAccessPayload(outcome=outcome, errors=[])

    @strawberry.mutation(
        description="Called by the voicemail server to check a PIN typed by a remote caller."
    )
    async def verify_voicemail_pin(self, info: Info, login: str, pin: str) -> MutationResult:
        ctx = info.context
        try:
            await ctx.services().credentials.verify_voicemail_pin(ctx.principal, login, pin)
        except DomainError as error:
            return MutationResult.failed(user_errors(error))
        return MutationResult.done()
