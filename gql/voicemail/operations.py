"""The voicemail server's calls: remote access and PIN checks."""

from __future__ import annotations

import strawberry

from domain.services.credentials import VoicemailAccessOutcome
from gql.context import Info
from gql.errors import UserError
from gql.payloads import MutationResult, Payload, payload_mutation

strawberry.enum(VoicemailAccessOutcome)


@strawberry.type
class VoicemailAccessPayload(Payload):
    outcome: VoicemailAccessOutcome | None
    errors: list[UserError]


@strawberry.type
class VoicemailMutation:
    @payload_mutation(
        description="Called by the voicemail server when a user dials in to the voicemail remotely."
    )
    async def voicemail_remote_access(self, info: Info, login: str) -> VoicemailAccessPayload:
        ctx = info.context
        outcome = await ctx.services().credentials.voicemail_remote_access(ctx.principal, login)
        return VoicemailAccessPayload(outcome=outcome, errors=[])

    @payload_mutation(
        description="Called by the voicemail server to check a PIN typed by a remote caller."
    )
    async def verify_voicemail_pin(self, info: Info, login: str, pin: str) -> MutationResult:
        ctx = info.context
        await ctx.services().credentials.verify_voicemail_pin(ctx.principal, login, pin)
        return MutationResult.done()
