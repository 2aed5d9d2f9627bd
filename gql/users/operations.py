"""Users: a page at a time; create, change, delete."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql.context import Info
from gql.errors import UserError
from gql.ids import pk_of
from gql.payloads import PAYLOAD_ERRORS, MutationResult, Payload, payload_mutation
from gql.relay import After, Before, LastSize, PageSize, Paging
from gql.users import descriptions
from gql.users.inputs import CreateUserInput, Filter, UpdateUserInput
from gql.users.types import User, UserConnection, users_connection


@strawberry.type
class UsersQuery:
    @strawberry.field(description=descriptions.USERS)
    async def users(
        self,
        info: Info,
        first: PageSize = None,
        after: After = None,
        filter: Filter = None,
        last: LastSize = None,
        before: Before = None,
    ) -> UserConnection:
        return await users_connection(
            info.context, info.context.services(), Paging(first, after, last, before), filter
        )


@strawberry.type(description="The answer of a mutation of a user.")
class UserPayload(Payload):
    user: User | None = strawberry.field(description="The user as stored; null on failure.")
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


NewUser = Annotated[CreateUserInput, strawberry.argument(description="The user.")]
UserChanges = Annotated[UpdateUserInput, strawberry.argument(description="The changes.")]
UserId = Annotated[strawberry.ID, strawberry.argument(description="The user to delete.")]


@strawberry.type
class UsersMutation:
    @payload_mutation(description=descriptions.CREATE_USER)
    async def create_user(self, info: Info, input: NewUser) -> UserPayload:
        ctx = info.context
        user = await ctx.services().users.create_user(ctx.principal, input.to_domain())
        return UserPayload(user=User.from_domain(user), errors=[])

    @payload_mutation(description=descriptions.UPDATE_USER)
    async def update_user(self, info: Info, input: UserChanges) -> UserPayload:
        ctx = info.context
        user = await ctx.services().users.update_user(ctx.principal, input.to_domain())
        return UserPayload(user=User.from_domain(user), errors=[])

    @payload_mutation(description=descriptions.DELETE_USER)
    async def delete_user(self, info: Info, id: UserId) -> MutationResult:
        ctx = info.context
        await ctx.services().users.delete_user(ctx.principal, pk_of(id, "User", "id"))
        return MutationResult.done()
