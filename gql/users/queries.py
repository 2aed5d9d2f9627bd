"""The users, a page at a time."""

from __future__ import annotations

import strawberry

from gql.context import Info
from gql.graph import UserConnection, users_connection
from gql.users.inputs import UserFilter


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
        return await users_connection(info.context, info.context.deps(), first, after, filter)
