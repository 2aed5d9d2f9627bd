"""Connect Client: what the signed-in user does for themselves."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from domain.errors import DomainError
from gql.context import Info
from gql.enums import RelationshipLevel
from gql.errors import user_errors
from gql.ids import pk_of
from gql.inputs import AddMyContactInput
from gql.payloads import ContactPayload, MutationResult
from gql.types import Contact


@strawberry.type
class SelfServiceMutation:
    @strawberry.mutation(
        description="Connect Client: the signed-in user changes their own password."
    )
    async def change_my_password(
        self, info: Info, current_password: str, new_password: str
    ) -> MutationResult:
        ctx = info.context
        try:
            await ctx.services().auth.change_my_password(
                ctx.principal, current_password, new_password
            )
        except DomainError as error:
            return MutationResult.failed(user_errors(error))
        return MutationResult.done()

    @strawberry.mutation
    async def set_my_relationship(
        self, info: Info, target_user_id: strawberry.ID, level: RelationshipLevel
    ) -> MutationResult:
        ctx = info.context
        try:
            target = pk_of(target_user_id, "User", "targetUserId")
            await ctx.services().me.set_my_relationship(ctx.principal, target, level)
        except DomainError as error:
            return MutationResult.failed(user_errors(error))
        return MutationResult.done()

    @strawberry.mutation
    async def set_my_client_setting(self, info: Info, key: str, value: JSON) -> MutationResult:
        ctx = info.context
        try:
            await ctx.services().me.set_my_client_setting(ctx.principal, key, value)
        except DomainError as error:
            return MutationResult.failed(user_errors(error))
        return MutationResult.done()

    @strawberry.mutation
    async def set_my_presence_setting(self, info: Info, key: str, value: JSON) -> MutationResult:
        ctx = info.context
        try:
            await ctx.services().me.set_my_presence_setting(ctx.principal, key, value)
        except DomainError as error:
            return MutationResult.failed(user_errors(error))
        return MutationResult.done()

    @strawberry.mutation
    async def add_my_contact(self, info: Info, input: AddMyContactInput) -> ContactPayload:
        ctx = info.context
        try:
            contact = await ctx.services().me.add_my_contact(ctx.principal, input.to_domain())
        except DomainError as error:
            return ContactPayload(contact=None, errors=user_errors(error, "input"))
        return ContactPayload(contact=Contact.from_domain(contact), errors=[])
