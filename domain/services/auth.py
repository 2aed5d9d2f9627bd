"""Sign-in, bearer tokens and API tokens.

Tokens are random and opaque; only their SHA-256 is stored, which is enough
for secrets of that entropy. The prefix tells which kind a token is, so one
look-up finds it.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import DomainError, NotAuthenticated, not_found
from domain.model import (
    Administrator,
    ApiToken,
    SessionSubject,
    SignInFailure,
    SignInSession,
    User,
)
from domain.ports import Clock, PasswordHasher, RandomSource, UnitOfWork
from domain.principals import (
    AdminPrincipal,
    Anonymous,
    Principal,
    UserPrincipal,
    require_admin,
    require_signed_in_admin,
    require_system_admin,
)
from domain.services.audit import AuditTrail
from domain.services.config import ServiceConfig
from domain.services.lockout import MAX_CLIENT_LENGTH, SignInThrottle
from domain.services.own_password import change_own_password
from domain.services.validation import (
    MAX_LOGIN_LENGTH,
    MAX_PASSWORD_LENGTH,
    Problems,
    text_problem,
)

SESSION_PREFIX = "cas_"
API_TOKEN_PREFIX = "cat_"

INVALID_CREDENTIALS = DomainError.of(ErrorCode.INVALID_CREDENTIALS, "Wrong login or password.")


@dataclass(frozen=True)
class SignIn:
    token: str
    password_change_required: bool


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def admin_principal(
    admin: Administrator, *, via_token: ApiToken | None = None, session_id: int | None = None
) -> AdminPrincipal:
    # The token's name is cut so that the actor fits the audit log.
    login = admin.login if via_token is None else f"{admin.login} (API token {via_token.name[:40]})"
    return AdminPrincipal(
        admin_id=admin.id,
        login=login,
        location_ids=None if admin.is_system else admin.location_ids,
        via_api_token=via_token is not None,
        password_change_required=admin.password_change_required,
        session_id=session_id,
    )


def _temporary_password_expired(user: User, now: datetime) -> bool:
    expires = user.temporary_password_expires_at
    return user.password_change_required and expires is not None and now >= expires


def _check_account(account: User | Administrator | None) -> None:
    if account is None:
        raise INVALID_CREDENTIALS
    if account.blocked:
        raise DomainError.of(ErrorCode.ACCOUNT_BLOCKED, "This account is blocked.")


async def _locked_account(
    uow: UnitOfWork, subject: SessionSubject, account_id: int
) -> User | Administrator | None:
    if subject is SessionSubject.USER:
        return await uow.users.get(account_id, for_update=True)
    return await uow.administrators.get(account_id, for_update=True)


async def _api_token_owner(uow: UnitOfWork, token: str) -> tuple[ApiToken, Administrator]:
    api_token = await uow.api_tokens.get_by_hash(token_digest(token))
    if api_token is None or api_token.revoked_at is not None:
        raise NotAuthenticated
    owner = await uow.administrators.get(api_token.owner_id)
    if owner is None or owner.blocked:
        raise NotAuthenticated
    return api_token, owner


@dataclass(frozen=True)
class Auth:
    """Sign-in, sessions, API tokens, a user's own password."""

    uow: UnitOfWork
    clock: Clock
    audit: AuditTrail
    hasher: PasswordHasher
    random: RandomSource
    config: ServiceConfig
    # Waits this many seconds (the slowdown past a login's ceiling of failures).
    pause: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def _sign_in(
        self, subject: SessionSubject, login: str, password: str, client: str
    ) -> SignIn:
        """Records the attempt first, then judges it (the lockouts: domain/services/lockout.py).

        Recording before counting means a burst of parallel guesses sees itself:
        every attempt is counted before any is verified. Reads, the slow hash
        check and the final writes are separate transactions, so no lock is held
        while argon2 runs and no read lock has to be upgraded to a write.

        A successful sign-in also tidies up, in its final transaction: expired
        sessions of everybody, and failures too old to count (older than the
        window), e.g. those of logins that do not exist.
        """
        now = self.clock.now()
        # Longer logins exist nowhere; cutting them keeps the throttle key bounded.
        login = login.strip()[:MAX_LOGIN_LENGTH]
        client = client[:MAX_CLIENT_LENGTH]
        if "\x00" in login or text_problem(password, MAX_PASSWORD_LENGTH) is not None:
            # No account has such a login or password: nothing to look up, count or hash.
            raise INVALID_CREDENTIALS
        key = f"{subject.value}:{login.lower()}"
        config = self.config
        async with self.uow as uow:
            await uow.sign_in_attempts.record_failure(key, client, now)
            await uow.commit()
        relevant_since = now - config.sign_in_window
        async with self.uow.reading() as uow:
            failures = await uow.sign_in_attempts.failures_since(key, relevant_since)
            lockout = await uow.sign_in_attempts.lockout(key, client)
            account: User | Administrator | None
            if subject is SessionSubject.USER:
                account = await uow.users.get_by_login(login)
            else:
                account = await uow.administrators.get_by_login(login)
        failures.remove(SignInFailure(now, client))  # this attempt does not lock itself out
        throttle = SignInThrottle(
            config, self.audit, self.pause, self.uow, key, client, now, failures, lockout
        )
        await throttle.check()
        hashed = account.password_hash if account is not None else None
        if not await self.hasher.verify(hashed, password) or account is None:
            await throttle.failed()
            raise INVALID_CREDENTIALS
        _check_account(account)
        if isinstance(account, User) and _temporary_password_expired(account, now):
            raise DomainError.of(
                ErrorCode.TEMPORARY_PASSWORD_EXPIRED,
                "The password an administrator set has expired unused; ask for a new one.",
            )
        token = SESSION_PREFIX + self.random.token()
        async with self.uow as uow:
            # Blocked or deleted while the password was checked: no session. The lock
            # orders this against blocking, which ends the sessions there are.
            _check_account(await _locked_account(uow, subject, account.id))
            await uow.sign_in_attempts.clear(key, client)
            await uow.sign_in_attempts.purge_before(
                relevant_since, lockouts_ended_before=now - config.sign_in_lockout_max
            )
            await uow.sessions.delete_expired(now)
            await uow.sessions.add(
                SignInSession(
                    token_hash=token_digest(token),
                    subject=subject,
                    subject_id=account.id,
                    created_at=now,
                    expires_at=now + config.session_ttl,
                )
            )
            await uow.commit()
        return SignIn(token=token, password_change_required=account.password_change_required)

    async def admin_sign_in(self, login: str, password: str, client: str = "") -> SignIn:
        return await self._sign_in(SessionSubject.ADMINISTRATOR, login, password, client)

    async def user_sign_in(self, login: str, password: str, client: str = "") -> SignIn:
        return await self._sign_in(SessionSubject.USER, login, password, client)

    async def unlock(self, actor: Principal, login: str) -> int:
        """Lifts every sign-in lockout of the login (an administrator's and a user's) and
        forgets its failures; how many lockouts were lifted. Audited."""
        require_system_admin(actor)
        login = login.strip()[:MAX_LOGIN_LENGTH]
        lifted = 0
        async with self.uow as uow:
            for subject in SessionSubject:
                lifted += await uow.sign_in_attempts.unlock(f"{subject.value}:{login.lower()}")
            await self.audit.record_and_commit(
                uow, actor, "SIGN_IN_UNLOCKED", login=login, lockouts=lifted
            )
        return lifted

    async def authenticate(self, token: str | None) -> Principal:
        """The principal behind a bearer token; ``Anonymous`` without one."""
        if not token:
            return Anonymous()
        # Every request comes here: read without taking a write lock.
        async with self.uow.reading() as uow:
            if token.startswith(SESSION_PREFIX):
                return await self._session_principal(uow, token)
            if not token.startswith(API_TOKEN_PREFIX):
                raise NotAuthenticated
            api_token, owner = await _api_token_owner(uow, token)
        now = self.clock.now()
        last = api_token.last_used_at
        if last is None or now - last >= self.config.token_last_use_resolution:
            async with self.uow as uow:
                await uow.api_tokens.record_use(api_token.id, now)
                await uow.commit()
        return admin_principal(owner, via_token=api_token)

    async def _session_principal(self, uow: UnitOfWork, token: str) -> Principal:
        found = await uow.sessions.get_with_subject(token_digest(token))
        if found is None:
            raise NotAuthenticated
        session, subject = found
        if session.expires_at <= self.clock.now() or subject is None or subject.blocked:
            raise NotAuthenticated
        if isinstance(subject, Administrator):
            return admin_principal(subject, session_id=session.id)
        user = subject
        return UserPrincipal(
            user.id, user.login, user.password_change_required, session_id=session.id
        )

    async def create_api_token(self, actor: Principal, name: str) -> tuple[ApiToken, str]:
        """A new token and its secret, which is shown this once."""
        admin = require_signed_in_admin(actor)
        problems = Problems()
        name = problems.required_name(name, "name")
        problems.raise_if_any()
        secret = API_TOKEN_PREFIX + self.random.token()
        async with self.uow as uow:
            # Locked: a token made while its owner is being blocked would outlive the block.
            owner = await uow.administrators.get(admin.admin_id, for_update=True)
            if owner is None or owner.blocked:
                raise NotAuthenticated
            token = await uow.api_tokens.add(
                ApiToken(
                    name=name,
                    owner_id=admin.admin_id,
                    token_hash=token_digest(secret),
                    created_at=self.clock.now(),
                )
            )
            await self.audit.record_and_commit(
                uow, actor, "API_TOKEN_CREATED", api_token_id=token.id, name=name
            )
        return token, secret

    async def get_api_token(self, actor: Principal, token_id: int) -> ApiToken:
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            token = await uow.api_tokens.get(token_id)
        if token is None or not visibility.sees_api_token(admin, token.owner_id):
            raise not_found(ErrorCode.API_TOKEN_NOT_FOUND)
        return token

    async def list_api_tokens(self, actor: Principal) -> list[ApiToken]:
        """Every token for a system administrator; an administrator's own tokens otherwise.

        An API token lists too (the tokens of its owner): it reveals no secret.
        """
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            return await uow.api_tokens.list(visibility.api_token_scope(admin))

    async def sign_out(self, actor: Principal, token: str | None) -> None:
        """Ends the caller's session: its token stops working at once. An API token is no
        session (revokeApiToken ends it)."""
        if isinstance(actor, Anonymous) or token is None:
            raise NotAuthenticated()
        async with self.uow as uow:
            if not await uow.sessions.delete_by_hash(token_digest(token)):
                raise DomainError.of(
                    ErrorCode.NOT_A_SESSION,
                    "This token is an API token, not a session: revoke it with revokeApiToken.",
                )
            await uow.commit()

    async def revoke_api_token(self, actor: Principal, token_id: int) -> None:
        """The owner or a system administrator revokes, signed in (an API token manages no
        API tokens); revoking twice changes nothing."""
        admin = require_signed_in_admin(actor)
        async with self.uow as uow:
            token = await uow.api_tokens.get(token_id)
            if token is None or not visibility.sees_api_token(admin, token.owner_id):
                raise not_found(ErrorCode.API_TOKEN_NOT_FOUND, "id")
            if token.revoked_at is None:
                await uow.api_tokens.update(replace(token, revoked_at=self.clock.now()))
                await self.audit.record_and_commit(
                    uow, actor, "API_TOKEN_REVOKED", api_token_id=token_id
                )

    async def change_my_password(
        self, actor: Principal, current_password: str, new_password: str
    ) -> None:
        """A user's or an administrator's own password (see own_password.py)."""
        await change_own_password(
            self.uow, self.hasher, self.audit, actor, current_password, new_password
        )
