"""Sign-in, administrators and API tokens."""

from __future__ import annotations

from typing import Self

import strawberry

from domain.services import auth
from gql.accounts.inputs import CreateAdministratorInput
from gql.accounts.types import Administrator, ApiToken
from gql.context import Info
from gql.errors import UserError
from gql.ids import pk_of
from gql.payloads import MutationResult, Payload, payload_mutation


@strawberry.type
class AccountsQuery:
    @strawberry.field(
        description=(
            "The administrators, for system administrators; a sub-administrator sees only itself."
        )
    )
    async def administrators(self, info: Info) -> list[Administrator]:
        found = await info.context.services().administrators.list_administrators(
            info.context.principal
        )
        return [Administrator.from_domain(a) for a in found]

    @strawberry.field(
        description=(
            "The API tokens, revoked ones included, oldest first: every token for a system "
            "administrator, otherwise the caller's own. Never their secrets."
        )
    )
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        found = await info.context.services().auth.list_api_tokens(info.context.principal)
        return [ApiToken.from_domain(t) for t in found]


@strawberry.type
class AuthPayload(Payload):
    token: str | None = strawberry.field(
        description="Bearer token for the Authorization header; null on failure."
    )
    password_change_required: bool
    errors: list[UserError]

    @classmethod
    def failure(cls, errors: list[UserError]) -> Self:
        return cls(token=None, password_change_required=False, errors=errors)


@strawberry.type
class AdministratorPayload(Payload):
    administrator: Administrator | None
    errors: list[UserError]


@strawberry.type
class ApiTokenPayload(Payload):
    api_token: ApiToken | None
    token: str | None = strawberry.field(description="The secret, shown this once and never again.")
    errors: list[UserError]


def _auth_payload(result: auth.SignIn) -> AuthPayload:
    return AuthPayload(
        token=result.token, password_change_required=result.password_change_required, errors=[]
    )


@strawberry.type
class AccountsMutation:
    @payload_mutation(
        description="Administrator sign-in (Web Administration, partner integrations)."
    )
    async def admin_sign_in(self, info: Info, login: str, password: str) -> AuthPayload:
        return _auth_payload(await info.context.services().auth.admin_sign_in(login, password))

    @payload_mutation(description="User sign-in (Connect Client).")
    async def user_sign_in(self, info: Info, login: str, password: str) -> AuthPayload:
        return _auth_payload(await info.context.services().auth.user_sign_in(login, password))

    @payload_mutation(description="System administrators only, signed in (not with an API token).")
    async def create_administrator(
        self, info: Info, input: CreateAdministratorInput
    ) -> AdministratorPayload:
        ctx = info.context
        admin = await ctx.services().administrators.create_administrator(
            ctx.principal, input.to_domain()
        )
        return AdministratorPayload(administrator=Administrator.from_domain(admin), errors=[])

    @payload_mutation(
        description=(
            "System administrators, signed in (not with an API token). The administrator "
            "can no longer sign in; its sessions and API tokens end for good. Not the "
            "caller itself, nor the last system administrator who is not blocked."
        )
    )
    async def block_administrator(self, info: Info, id: strawberry.ID) -> AdministratorPayload:
        ctx = info.context
        admin = await ctx.services().administrators.block_administrator(
            ctx.principal, pk_of(id, "Administrator", "id")
        )
        return AdministratorPayload(administrator=Administrator.from_domain(admin), errors=[])

    @payload_mutation(
        description=(
            "System administrators, signed in (not with an API token). The administrator "
            "may sign in again; sessions and API tokens it had stay ended."
        )
    )
    async def unblock_administrator(self, info: Info, id: strawberry.ID) -> AdministratorPayload:
        ctx = info.context
        admin = await ctx.services().administrators.unblock_administrator(
            ctx.principal, pk_of(id, "Administrator", "id")
        )
        return AdministratorPayload(administrator=Administrator.from_domain(admin), errors=[])

    @payload_mutation(
        description=(
            "System administrators, signed in (not with an API token). Its sessions and API "
            "tokens go with it. Not the caller itself, nor the last system administrator "
            "who is not blocked."
        )
    )
    async def delete_administrator(self, info: Info, id: strawberry.ID) -> MutationResult:
        ctx = info.context
        await ctx.services().administrators.delete_administrator(
            ctx.principal, pk_of(id, "Administrator", "id")
        )
        return MutationResult.done()

    @payload_mutation(
        description=(
            "A token for a partner integration, carrying the calling administrator's rights. "
            "Signed in (not with an API token)."
        )
    )
    async def create_api_token(self, info: Info, name: str) -> ApiTokenPayload:
        ctx = info.context
        token, secret = await ctx.services().auth.create_api_token(ctx.principal, name)
        return ApiTokenPayload(api_token=ApiToken.from_domain(token), token=secret, errors=[])

    @payload_mutation(description="Signed in (not with an API token).")
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> MutationResult:
        ctx = info.context
        await ctx.services().auth.revoke_api_token(ctx.principal, pk_of(id, "ApiToken", "id"))
        return MutationResult.done()
