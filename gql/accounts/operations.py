"""Sign-in, administrators and API tokens."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from domain.principals import AdminPrincipal
from domain.services import auth
from gql.accounts.inputs import CreateAdministratorInput
from gql.accounts.types import Administrator, ApiToken, Viewer
from gql.context import Info
from gql.errors import UserError
from gql.ids import pk_of
from gql.payloads import PAYLOAD_ERRORS, MutationResult, Payload, payload_mutation


@strawberry.type
class AccountsQuery:
    @strawberry.field(
        description="Who am I: the administrator calling (signed in or through its API "
        "token), with its role and locations. FORBIDDEN for a Connect Client user."
    )
    async def viewer(self, info: Info) -> Viewer:
        principal = info.context.principal
        found = await info.context.services().administrators.viewer(principal)
        assert isinstance(principal, AdminPrincipal)  # viewer refused the others
        return Viewer(
            administrator=Administrator.from_domain(found),
            is_system_administrator=principal.is_system,
            via_api_token=principal.via_api_token,
        )

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


@strawberry.type(description="The answer of a sign-in.")
class AuthPayload(Payload):
    token: str | None = strawberry.field(
        description="Bearer token for the Authorization header; null on failure."
    )
    password_change_required: bool = strawberry.field(
        description="The password is a temporary one, to be changed first: the token allows "
        "only changeMyPassword and reading me (a user) or viewer (an administrator). A "
        "user's after an administrator set a random or manual password; an administrator's "
        "after another administrator made it (createAdministrator)."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)

    @classmethod
    def failure(cls, errors: list[UserError]) -> Self:
        return cls(token=None, password_change_required=False, errors=errors)


@strawberry.type(description="The answer of a mutation of an administrator.")
class AdministratorPayload(Payload):
    administrator: Administrator | None = strawberry.field(
        description="The administrator as stored; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="The answer of createApiToken.")
class ApiTokenPayload(Payload):
    api_token: ApiToken | None = strawberry.field(
        description="The token's record; null on failure."
    )
    token: str | None = strawberry.field(description="The secret, shown this once and never again.")
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


SIGN_IN = (
    " Anyone may call it. After 10 failed sign-ins for one login from one client address "
    "within 15 minutes, that login is refused from that address for 15 minutes, even with "
    "the right password, and twice as long at each lockout in a row; other addresses still "
    "sign in. Past 100 failures of a login within 15 minutes from all addresses, each of "
    "its sign-ins is answered 2 seconds later. Errors: "
    "INVALID_CREDENTIALS (alike for a wrong password and an unknown login), "
    "TOO_MANY_ATTEMPTS, ACCOUNT_BLOCKED."
)
LOGIN = Annotated[str, strawberry.argument(description="The account's login.")]
LOGIN_OR_EMAIL = Annotated[
    str,
    strawberry.argument(
        description="The user's login, or its e-mail address (ignoring case; an address "
        "several users share finds none)."
    ),
]
REQUEST_PASSWORD_LINK = (
    "Forgot password: mails a Connect Client user a one-time link to the set-password "
    "page (as sendPasswordLink does), when the user's location allows it "
    "(Location.forgotPassword), the user is not blocked and has an e-mail address, and "
    "an E-Mail Gateway is configured. The current password keeps working until the "
    "user sets a new one; a new link replaces an older one. Anyone may call it, and the "
    "answer is the same (ok: true) whether or not such a user exists, the location "
    "allows it or a mail goes out; every request is a PASSWORD_LINK_REQUESTED audit "
    "event with its outcome. At most 10 requests from one client address and 3 for one "
    "login or e-mail address within 15 minutes; beyond, "
    "TOO_MANY_PASSWORD_LINK_REQUESTS. Errors: TOO_MANY_PASSWORD_LINK_REQUESTS."
)
PASSWORD = Annotated[str, strawberry.argument(description="The account's password.")]
ADMINISTRATOR_ID = Annotated[strawberry.ID, strawberry.argument(description="The administrator.")]


def _auth_payload(result: auth.SignIn) -> AuthPayload:
    return AuthPayload(
        token=result.token, password_change_required=result.password_change_required, errors=[]
    )


NewAdministrator = Annotated[
    CreateAdministratorInput, strawberry.argument(description="The new administrator.")
]
TokenName = Annotated[
    str,
    strawberry.argument(description="What the token is for: 1 to 200 characters."),
]
ApiTokenId = Annotated[strawberry.ID, strawberry.argument(description="The token to revoke.")]


@strawberry.type
class AccountsMutation:
    @payload_mutation(
        description="Administrator sign-in (Web Administration, partner "
        "integrations): a session token for CONNECT_SESSION_TTL_MINUTES (12 hours unless set)."
        + SIGN_IN
    )
    async def admin_sign_in(self, info: Info, login: LOGIN, password: PASSWORD) -> AuthPayload:
        return _auth_payload(
            await info.context.services().auth.admin_sign_in(login, password, info.context.client)
        )

    @payload_mutation(
        description="User sign-in (Connect Client): a session token for "
        "CONNECT_SESSION_TTL_MINUTES (12 hours unless set). A random password from a reset "
        "signs in only within CONNECT_TEMPORARY_PASSWORD_HOURS (72 unless set) of the reset "
        "(TEMPORARY_PASSWORD_EXPIRED), and then requires a change (passwordChangeRequired)."
        + SIGN_IN
    )
    async def user_sign_in(self, info: Info, login: LOGIN, password: PASSWORD) -> AuthPayload:
        return _auth_payload(
            await info.context.services().auth.user_sign_in(login, password, info.context.client)
        )

    @payload_mutation(description=REQUEST_PASSWORD_LINK)
    async def request_password_link(
        self, info: Info, login_or_email: LOGIN_OR_EMAIL
    ) -> MutationResult:
        await info.context.services().forgot_password.request_link(
            login_or_email, info.context.client
        )
        return MutationResult.done()

    @payload_mutation(
        description="Ends the caller's sign-in session: its bearer token is refused from now "
        "on (UNAUTHENTICATED), as after CONNECT_SESSION_TTL_MINUTES. Callers: an administrator "
        "or user signed in with a session. An API token is no session: NOT_A_SESSION "
        "(revokeApiToken ends it)."
    )
    async def sign_out(self, info: Info) -> MutationResult:
        ctx = info.context
        await ctx.services().auth.sign_out(ctx.principal, ctx.bearer_token)
        return MutationResult.done()

    @payload_mutation(
        description="Adds an administrator (ADMINISTRATOR_CREATED audit event), whose "
        "password is temporary: it must be changed at the first sign-in "
        "(passwordChangeRequired, changeMyPassword). System "
        "administrators only, signed in (not with an API token). Errors: INVALID_LOGIN, "
        "LOGIN_TAKEN, PASSWORD_POLICY, REQUIRED, INVALID_EMAIL, LOCATION_NOT_FOUND, "
        "VALUE_TOO_LONG, INVALID_CHARACTERS."
    )
    async def create_administrator(
        self, info: Info, input: NewAdministrator
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
            "caller itself (OWN_ACCOUNT), nor the last system administrator who is not "
            "blocked (LAST_SYSTEM_ADMINISTRATOR). Errors: ADMINISTRATOR_NOT_FOUND, "
            "OWN_ACCOUNT, LAST_SYSTEM_ADMINISTRATOR."
        )
    )
    async def block_administrator(self, info: Info, id: ADMINISTRATOR_ID) -> AdministratorPayload:
        ctx = info.context
        admin = await ctx.services().administrators.block_administrator(
            ctx.principal, pk_of(id, "Administrator", "id")
        )
        return AdministratorPayload(administrator=Administrator.from_domain(admin), errors=[])

    @payload_mutation(
        description=(
            "System administrators, signed in (not with an API token). The administrator "
            "may sign in again; sessions and API tokens it had stay ended. Errors: "
            "ADMINISTRATOR_NOT_FOUND."
        )
    )
    async def unblock_administrator(self, info: Info, id: ADMINISTRATOR_ID) -> AdministratorPayload:
        ctx = info.context
        admin = await ctx.services().administrators.unblock_administrator(
            ctx.principal, pk_of(id, "Administrator", "id")
        )
        return AdministratorPayload(administrator=Administrator.from_domain(admin), errors=[])

    @payload_mutation(
        description=(
            "System administrators, signed in (not with an API token). Its sessions and API "
            "tokens go with it; audit events keep its login. Not the caller itself "
            "(OWN_ACCOUNT), nor the last system administrator who is not blocked "
            "(LAST_SYSTEM_ADMINISTRATOR). Errors: ADMINISTRATOR_NOT_FOUND, OWN_ACCOUNT, "
            "LAST_SYSTEM_ADMINISTRATOR."
        )
    )
    async def delete_administrator(self, info: Info, id: ADMINISTRATOR_ID) -> MutationResult:
        ctx = info.context
        await ctx.services().administrators.delete_administrator(
            ctx.principal, pk_of(id, "Administrator", "id")
        )
        return MutationResult.done()

    @payload_mutation(
        description=(
            "A token for a partner integration or the voicemail server, carrying the calling "
            "administrator's rights until revoked, or until the administrator is blocked or "
            "deleted. Administrators, signed in (not with an API token). Errors: REQUIRED, "
            "VALUE_TOO_LONG."
        )
    )
    async def create_api_token(self, info: Info, name: TokenName) -> ApiTokenPayload:
        ctx = info.context
        token, secret = await ctx.services().auth.create_api_token(ctx.principal, name)
        return ApiTokenPayload(api_token=ApiToken.from_domain(token), token=secret, errors=[])

    @payload_mutation(
        description="Ends an API token for good; a revoked one stays listed with revokedAt. "
        "The caller's own tokens, or any for a system administrator; signed in (not with an "
        "API token). Revoking a revoked token changes nothing. Errors: API_TOKEN_NOT_FOUND."
    )
    async def revoke_api_token(self, info: Info, id: ApiTokenId) -> MutationResult:
        ctx = info.context
        await ctx.services().auth.revoke_api_token(ctx.principal, pk_of(id, "ApiToken", "id"))
        return MutationResult.done()
