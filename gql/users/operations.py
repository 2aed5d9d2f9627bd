"""Users: a page at a time; create, change, delete."""

from __future__ import annotations

import strawberry

from gql.context import Info
from gql.errors import UserError
from gql.graph import User, UserConnection, users_connection
from gql.ids import pk_of
from gql.payloads import MutationResult, Payload, payload_mutation
from gql.users.inputs import CreateUserInput, UpdateUserInput, UserFilter


@strawberry.type
class UsersQuery:
    @strawberry.field
    async def users(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: UserFilter | None = None,
    ) -> UserConnection:
        return await users_connection(info.context, info.context.services(), first, after, filter)


@strawberry.type
class UserPayload(Payload):
    user: User | None
    errors: list[UserError]


@strawberry.type
class UsersMutation:
    @payload_mutation()
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        ctx = info.context
        user = await ctx.services().users.create_user(ctx.principal, input.to_domain())
        return UserPayload(user=User.from_domain(user), errors=[])

    @payload_mutation()
    async def update_user(self, info: Info, input: UpdateUserInput) -> UserPayload:
        ctx = info.context
        user = await ctx.services().users.update_user(ctx.principal, input.to_domain())
        return UserPayload(user=User.from_domain(user), errors=[])

    @payload_mutation()
    async def delete_user(self, info: Info, id: strawberry.ID) -> MutationResult:
        ctx = info.context
        await ctx.services().users.delete_user(ctx.principal, pk_of(id, "User", "id"))
        return MutationResult.done()
