"""The voicemail server's calls: remote access and PIN checks."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.services.credentials import VoicemailAccessOutcome
from gql.context import Info
from gql.enums import graphql_enum
from gql.errors import UserError
from gql.payloads import PAYLOAD_ERRORS, MutationResult, Payload, payload_mutation

graphql_enum(
    VoicemailAccessOutcome,
    description="What the voicemail server does with a remote caller.",
    values={
        VoicemailAccessOutcome.PIN_REQUIRED: "Ask for the PIN, then check it (verifyVoicemailPin).",
        VoicemailAccessOutcome.PIN_SENT_BY_EMAIL: (
            "The PIN was pending delivery after a reset: a random PIN was made, set and "
            "mailed to the user just now. Ask for it."
        ),
        VoicemailAccessOutcome.NO_PIN: (
            "The user has no PIN (voicemailPinState NOT_SET): none to ask for."
        ),
    },
)

LOGIN = Annotated[
    str, strawberry.argument(description="The login of the user whose voicemail is called.")
]
CALLERS = (
    " Only with an API token (createApiToken) of an administrator whose locations hold the "
    "user; a signed-in session is FORBIDDEN."
)


@strawberry.type(description="The answer of voicemailRemoteAccess.")
class VoicemailAccessPayload(Payload):
    outcome: VoicemailAccessOutcome | None = strawberry.field(
        description="What to do with the caller; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


Pin = Annotated[str, strawberry.argument(description="The PIN the caller typed.")]


@strawberry.type
class VoicemailMutation:
    @payload_mutation(
        description="Called by the voicemail server when a user dials in to the voicemail "
        "remotely. A PIN pending delivery (after a reset with setRandomVoicemailPin) is "
        "made now: 6 random digits, no three equal or consecutive in a row, nothing of the "
        "work phone; it is set and mailed to the user (PIN_SENT_BY_EMAIL, a "
        "VOICEMAIL_PIN_SENT audit event). Of two first accesses at once, one mails the PIN "
        "and the other answers PIN_REQUIRED." + CALLERS + " Errors: USER_NOT_FOUND (also "
        "outside the token's locations), EMAIL_MISSING, EMAIL_INVALID, "
        "MAIL_GATEWAY_NOT_CONFIGURED, MAIL_GATEWAY_INVALID (the PIN stays pending)."
    )
    async def voicemail_remote_access(self, info: Info, login: LOGIN) -> VoicemailAccessPayload:
        ctx = info.context
        outcome = await ctx.services().credentials.voicemail_remote_access(ctx.principal, login)
        return VoicemailAccessPayload(outcome=outcome, errors=[])

    @payload_mutation(
        description="Called by the voicemail server to check a PIN typed by a remote caller: "
        "ok when it is right. After 5 wrong PINs in a row the PIN is locked for 15 minutes "
        "(PIN_LOCKED, even for the right one); a right PIN clears the count. Each try is "
        "counted before it is checked, so parallel guesses get no more tries." + CALLERS + " "
        "Errors: INVALID_PIN, PIN_LOCKED, NO_PIN (no PIN set, or still pending delivery), "
        "USER_NOT_FOUND, VALUE_TOO_LONG (a PIN over 64 characters), INVALID_CHARACTERS."
    )
    async def verify_voicemail_pin(self, info: Info, login: LOGIN, pin: Pin) -> MutationResult:
        ctx = info.context
        await ctx.services().credentials.verify_voicemail_pin(ctx.principal, login, pin)
        return MutationResult.done()
