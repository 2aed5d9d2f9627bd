"""Connect Client: what the signed-in user reads and does for themselves."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from gql.context import Info
from gql.enums import RelationshipLevel
from gql.errors import UserError
from gql.ids import pk_of
from gql.payloads import PAYLOAD_ERRORS, MutationResult, Payload, payload_mutation
from gql.selfservice.inputs import AddMyContactInput
from gql.users.types import Contact, User


@strawberry.type(description="The answer of addMyContact.")
class ContactPayload(Payload):
    contact: Contact | None = strawberry.field(description="The contact added; null on failure.")
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


CONNECT_CLIENT = (
    " Connect Client users only, signed in with userSignIn (administrators: FORBIDDEN), and "
    "not while a password change is due (FORBIDDEN)."
)
SETTING_KEY = Annotated[
    str,
    strawberry.argument(
        description="The setting's key: 1 to 200 characters once surrounding spaces are "
        "dropped (INVALID_SETTING_KEY, VALUE_TOO_LONG)."
    ),
]
SETTING_VALUE = Annotated[
    JSON,
    strawberry.argument(
        description="Any JSON value but null (REQUIRED): nested at most 20 deep "
        "(VALUE_TOO_DEEP), at most 16 KiB as compact JSON (VALUE_TOO_LARGE), integers within "
        "64 bits and finite numbers (VALUE_OUT_OF_RANGE), no NUL (INVALID_CHARACTERS)."
    ),
]
SETTING_OVERRIDE = (
    "; the user's own values win over the location's and the configuration group's defaults "
    "until resetUsers removes them." + CONNECT_CLIENT
)


@strawberry.type
class SelfServiceQuery:
    @strawberry.field(
        description=(
            "The signed-in user, for Connect Client sessions; null for administrators and "
            "API tokens."
        )
    )
    async def me(self, info: Info) -> User | None:
        user = await info.context.services().me.me(info.context.principal)
        return None if user is None else User.from_domain(user)


CurrentPassword = Annotated[
    str, strawberry.argument(description="The password the user signed in with.")
]
NewPassword = Annotated[
    str,
    strawberry.argument(description="The new password, checked against the location's policy."),
]
TargetUserId = Annotated[
    strawberry.ID, strawberry.argument(description="The user the relationship points at.")
]
Level = Annotated[
    RelationshipLevel,
    strawberry.argument(description="What the target may see and do with the caller's."),
]
NewContact = Annotated[AddMyContactInput, strawberry.argument(description="The contact to add.")]


@strawberry.type
class SelfServiceMutation:
    @payload_mutation(
        description="The signed-in user (Connect Client) or administrator (signed in, not "
        "with an API token) changes their own password; the only mutation allowed while "
        "passwordChangeRequired is true, which it clears. The new password must differ from "
        "the current one and meet the password policy: the location's for a user, the "
        "server's default for an administrator. The caller's other sign-in sessions end. "
        "Errors: INVALID_CREDENTIALS (the current password is wrong), PASSWORD_POLICY, "
        "PASSWORD_UNCHANGED, INVALID_CHARACTERS."
    )
    async def change_my_password(
        self, info: Info, current_password: CurrentPassword, new_password: NewPassword
    ) -> MutationResult:
        ctx = info.context
        await ctx.services().auth.change_my_password(ctx.principal, current_password, new_password)
        return MutationResult.done()

    @payload_mutation(
        description="Sets the caller's own relationship towards another user (source USER), "
        "which wins over every default until resetUsers with resetRelationships removes it. "
        "Under the location's EXTEND_ONLY policy a level below the default towards that user "
        "is refused (RELATIONSHIP_POLICY)." + CONNECT_CLIENT + " Errors: USER_NOT_FOUND, "
        "INVALID_TARGET (the caller itself), RELATIONSHIP_POLICY."
    )
    async def set_my_relationship(
        self, info: Info, target_user_id: TargetUserId, level: Level
    ) -> MutationResult:
        ctx = info.context
        target = pk_of(target_user_id, "User", "targetUserId")
        await ctx.services().me.set_my_relationship(ctx.principal, target, level)
        return MutationResult.done()

    @payload_mutation(
        description="Sets one of the caller's own Connect Client (program) settings"
        + SETTING_OVERRIDE
    )
    async def set_my_client_setting(
        self, info: Info, key: SETTING_KEY, value: SETTING_VALUE
    ) -> MutationResult:
        ctx = info.context
        await ctx.services().me.set_my_client_setting(ctx.principal, key, value)
        return MutationResult.done()

    @payload_mutation(
        description="Sets one of the caller's own presence management settings" + SETTING_OVERRIDE
    )
    async def set_my_presence_setting(
        self, info: Info, key: SETTING_KEY, value: SETTING_VALUE
    ) -> MutationResult:
        ctx = info.context
        await ctx.services().me.set_my_presence_setting(ctx.principal, key, value)
        return MutationResult.done()

    @payload_mutation(
        description="Adds a contact to the caller's contact list." + CONNECT_CLIENT + " Errors: "
        "INVALID_CONTACT, USER_NOT_FOUND, DIRECTORY_DATA_SOURCE_NOT_FOUND, "
        "DATA_SOURCE_INACTIVE, CONTACT_EXISTS (the list has it already), REQUIRED, "
        "VALUE_TOO_LONG."
    )
    async def add_my_contact(self, info: Info, input: NewContact) -> ContactPayload:
        ctx = info.context
        contact = await ctx.services().me.add_my_contact(ctx.principal, input.to_domain())
        return ContactPayload(contact=Contact.from_domain(contact), errors=[])
