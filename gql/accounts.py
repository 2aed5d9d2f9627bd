"""Sign-in, administrators and API tokens."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError
from domain.services import auth
from gql.context import Info
from gql.errors import user_errors
from gql.ids import pk_of
from gql.inputs import CreateAdministratorInput
from gql.payloads import (
    AdministratorPayload,
    ApiTokenPayload,
    AuthPayload,
    MutationResult,
)
from gql.types import Administrator, ApiToken


def _auth_payload(result: auth.SignIn) -> AuthPayload:
    return AuthPayload(
        token=result.token, password_change_required=result.password_change_required, errors=[]
    )


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(
        description="Administrator sign-in (Web Administration, partner integrations)."
    )
    async def admin_sign_in(self, info: Info, login: str, password: str) -> AuthPayload:
        try:
            return _auth_payload(await info.context.services().auth.admin_sign_in(login, password))
        except DomainError as error:
            return AuthPayload(
                token=None, password_change_required=False, errors=user_errors(error)
            )

    @strawberry.mutation(description="User sign-in (Connect Client).")
    async def user_sign_in(self, info: Info, login: str, password: str) -> AuthPayload:
        try:
            return _auth_payload(await info.context.services().auth.user_sign_in(login, password))
        except DomainError as error:
            return AuthPayload(
                token=None, password_change_required=False, errors=user_errors(error)
            )

    @strawberry.mutation(
        description="System administrators only, signed in (not with an API token)."
    )
    async def create_administrator(
        self, info: Info, input: CreateAdministratorInput
    ) -> AdministratorPayload:
        ctx = info.context
        try:
            admin = await ctx.services().administrators.create_administrator(
                ctx.principal, input.to_domain()
            )
        except DomainError as error:
            return AdministratorPayload(administrator=None, errors=user_errors(error, "input"))
        return AdministratorPayload(administrator=Administrator.from_domain(admin), errors=[])

    @strawberry.mutation(
        description=(
            "System administrators, signed in (not with an API token). The administrator "
            "can no longer sign in; its sessions and API tokens end for good. Not the "
            "caller itself, nor the last system administrator who is not blocked."
        )
    )
    async def block_administrator(self, info: Info, id: strawberry.ID) -> AdministratorPayload:
        ctx = info.context
        try:
            admin = await ctx.services().administrators.block_administrator(
                ctx.principal, pk_of(id, "Administrator", "id")
            )
        except DomainError as error:
            return AdministratorPayload(administrator=None, errors=user_errors(error))
        return AdministratorPayload(administrator=Administrator.from_domain(admin), errors=[])

    @strawberry.mutation(
        description=(
            "System administrators, signed in (not with an API token). The administrator "
            "may sign in again; sessions and API tokens it had stay ended."
        )
    )
    async def unblock_administrator(self, info: Info, id: strawberry.ID) -> AdministratorPayload:
        ctx = info.context
        try:
            admin = await ctx.services().administrators.unblock_administrator(
                ctx.principal, pk_of(id, "Administrator", "id")
            )
        except DomainError as error:
            return AdministratorPayload(administrator=None, errors=user_errors(error))
        return AdministratorPayload(administrator=Administrator.from_domain(admin), errors=[])

    @strawberry.mutation(
        description=(
            "System administrators, signed in (not with an API token). Its sessions and API "
            "tokens go with it. Not the caller itself, nor the last system administrator "
            "who is not blocked."
        )
    )
    async def delete_administrator(self, info: Info, id: strawberry.ID) -> MutationResult:
        ctx = info.context
        try:
            await ctx.services().administrators.delete_administrator(
                ctx.principal, pk_of(id, "Administrator", "id")
            )
        except DomainError as error:
            return MutationResult.failed(user_errors(error))
        return MutationResult.done()

    @strawberry.mutation(
        description=(
            "A token for a partner integration, carrying the calling administrator's rights. "
            "Signed in (not with an API token)."
        )
    )
    async def create_api_token(self, info: Info, name: str) -> ApiTokenPayload:
        ctx = info.context
        try:
            token, secret = await ctx.services().auth.create_api_token(ctx.principal, name)
        except DomainError as error:
            return ApiTokenPayload(api_token=None, token=None, errors=user_errors(error))
        return ApiTokenPayload(api_token=ApiToken.from_domain(token), token=secret, errors=[])

    @strawberry.mutation(description="Signed in (not with an API token).")
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> MutationResult:
        ctx = info.context
        try:
            await ctx.services().auth.revoke_api_token(ctx.principal, pk_of(id, "ApiToken", "id"))
        except DomainError as error:
            return MutationResult.failed(user_errors(error))
        return MutationResult.done()
