"""The administrators and API tokens the caller may see."""

from __future__ import annotations

import strawberry

from domain.services import administrators, auth
from gql.accounts.types import Administrator, ApiToken
from gql.context import Info


@strawberry.type
class AccountsQuery:
    @strawberry.field(
        description=(
            "The administrators, for system administrators; a sub-administrator sees only itself."
        )
    )
    async def administrators(self, info: Info) -> list[Administrator]:
        found = await administrators.list_administrators(
            info.context.deps(), info.context.principal
        )
        return [Administrator.from_domain(a) for a in found]

    @strawberry.field(
        description=(
            "The API tokens, revoked ones included, oldest first: every token for a system "
            "administrator, otherwise the caller's own. Never their secrets."
        )
    )
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        found = await auth.list_api_tokens(info.context.deps(), info.context.principal)
        return [ApiToken.from_domain(t) for t in found]
