"""Connect Client: what the signed-in user reads and does for themselves."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from gql.context import Info
from gql.enums import RelationshipLevel
from gql.errors import UserError
from gql.graph import Contact, User
from gql.ids import pk_of
from gql.payloads import MutationResult, Payload, payload_mutation
from gql.selfservice.inputs import AddMyContactInput


@strawberry.type
class ContactPayload(Payload):
    contact: Contact | None
    errors: list[UserError]


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


@strawberry.type
class SelfServiceMutation:
    @payload_mutation(description="Connect Client: the signed-in user changes their own password.")
    async def change_my_password(
        self, info: Info, current_password: str, new_password: str
    ) -> MutationResult:
        ctx = info.context
        await ctx.services().auth.change_my_password(ctx.principal, current_password, new_password)
        return MutationResult.done()

    @payload_mutation()
    async def set_my_relationship(
        self, info: Info, target_user_id: strawberry.ID, level: RelationshipLevel
    ) -> MutationResult:
        ctx = info.context
        target = pk_of(target_user_id, "User", "targetUserId")
        await ctx.services().me.set_my_relationship(ctx.principal, target, level)
        return MutationResult.done()

    @payload_mutation()
    async def set_my_client_setting(self, info: Info, key: str, value: JSON) -> MutationResult:
        ctx = info.context
        await ctx.services().me.set_my_client_setting(ctx.principal, key, value)
        return MutationResult.done()

    @payload_mutation()
    async def set_my_presence_setting(self, info: Info, key: str, value: JSON) -> MutationResult:
        ctx = info.context
        await ctx.services().me.set_my_presence_setting(ctx.principal, key, value)
        return MutationResult.done()

    @payload_mutation()
    async def add_my_contact(self, info: Info, input: AddMyContactInput) -> ContactPayload:
        ctx = info.context
        contact = await ctx.services().me.add_my_contact(ctx.principal, input.to_domain())
        return ContactPayload(contact=Contact.from_domain(contact), errors=[])
