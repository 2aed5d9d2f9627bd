"""Reset users: the Reset user dialog of the Web Administration.

Users are reset in batches (``ServiceConfig.reset_batch_size``), a batch in one
transaction in which each step is one statement for all its users: locking
and reading them, their relationships and stale contacts, storing the new
states, queueing the mails, recording the audit events. If storing a batch
fails, its users are stored again one by one, each in a transaction of its
own, so one user's failure never touches another's outcome. Within a user, a
refused action changes nothing of that action and the other actions still run.

The password and voicemail PIN reach the user by e-mail only, so both are
refused while the user has no address or no E-Mail Gateway is configured;
the check comes before any change. The new password's mail is queued in the
user's transaction (transactional outbox), its secret encrypted.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from domain.error_codes import ErrorCode
from domain.errors import DomainError
from domain.model import PasswordPolicy
from domain.ports import Clock, PasswordHasher, RandomSource, SecretBox, Tracer, UnitOfWork
from domain.ports.tracing import NO_TRACING
from domain.principals import AdminPrincipal, Principal, require_admin
from domain.rules import random_password
from domain.services.audit import AuditTrail
from domain.services.config import ServiceConfig
from domain.services.reset_access import AccessActions
from domain.services.reset_actions import (
    KeptActions,
    PreparedPassword,
    PreparedPasswords,
    SecretActions,
    UndoKeeper,
)
from domain.services.reset_batch import Batch, ResetBatch, ResetRequest, StoredHook
from domain.services.reset_outcomes import (
    ActionOutcome,
    ResetOption,
    UndoTicket,
    UserResetOutcome,
    UserResetStatus,
    selected_options,
)
from domain.services.reset_passwords import PasswordPipeline
from domain.services.reset_selection import UserSelection, resolve_selection, selected_keys
from domain.services.undo_items import new_reset_id

__all__ = [
    "MAX_USERS_PER_RESET",
    "ActionOutcome",
    "ProgressCallback",
    "ResetOption",
    "Resets",
    "UserResetOutcome",
    "UserResetStatus",
    "selected_options",
]

logger = logging.getLogger("connect_admin.domain.services.reset")

MAX_USERS_PER_RESET = 10_000

ProgressCallback = Callable[[int, int], Awaitable[None]]
"""The progress port: awaited with (done, total) as users are processed."""


@dataclass(frozen=True)
class Resets:
    """Reset users."""

    uow: UnitOfWork
    clock: Clock
    audit: AuditTrail
    hasher: PasswordHasher
    random: RandomSource
    secrets: SecretBox
    config: ServiceConfig
    tracer: Tracer = NO_TRACING

    async def reset_users(
        self,
        actor: Principal,
        requested: Sequence[tuple[str, int | None]],
        options: Sequence[ResetOption],
        *,
        dry_run: bool = False,
        on_progress: ProgressCallback | None = None,
        password_link: bool | None = None,
        on_stored: StoredHook | None = None,
    ) -> list[UserResetOutcome]:
        """Resets each distinct requested key once, in request order.

        ``requested`` pairs each key as the caller gave it with the user id it
        names (None for a key that names no user). Request problems (no option,
        too many users) raise ``DomainError`` before anything happens, and
        ``on_progress`` is not called then. Otherwise ``on_progress(done, total)``
        is awaited with (0, n) before the first user, and after each batch once
        its outcomes are final (stored or rolled back): (0, n), (100, n) ... (n, n).
        ``on_stored`` is awaited in each batch's transaction before its commit
        (``reset_batch.StoredHook``).
        """
        admin = require_admin(actor)
        distinct = _distinct(requested, options)
        ordered = sorted(set(options), key=list(ResetOption).index)
        size = max(self.config.reset_batch_size, 1)
        batches = [distinct[i : i + size] for i in range(0, len(distinct), size)]
        steps = self._steps(actor, admin, ordered, dry_run, password_link, on_stored)
        passwords = self._passwords(admin, batches, ordered, dry_run)
        outcomes: list[UserResetOutcome] = []
        if on_progress is not None:
            await on_progress(0, len(distinct))
        if passwords is not None:
            passwords.start()
        try:
            for index, batch in enumerate(batches):
                outcomes.extend(await self._batch(steps, passwords, index, batch))
                # Once a batch, not once a user: a report may be a write of its own
                # (domain/services/progress.py keeps progress in the database).
                if on_progress is not None:
                    await on_progress(len(outcomes), len(distinct))
        finally:
            if passwords is not None:
                passwords.close()
        return outcomes

    async def selected(
        self, actor: Principal, selection: UserSelection
    ) -> list[tuple[str, int | None]]:
        """The selection's users as requested keys (domain/services/reset_selection.py)."""
        ids = await resolve_selection(self.uow, actor, selection, MAX_USERS_PER_RESET)
        return selected_keys(ids)

    def _steps(
        self,
        actor: Principal,
        admin: AdminPrincipal,
        options: list[ResetOption],
        dry_run: bool,
        password_link: bool | None = None,
        on_stored: StoredHook | None = None,
    ) -> ResetBatch:
        undo = None if dry_run else self._undo_ticket()
        return ResetBatch(
            uow=self.uow,
            audit=self.audit,
            request=ResetRequest(actor, admin, options, dry_run, undo, on_stored),
            secrets=SecretActions(self.clock, self.secrets, self.config, password_link),
            kept=KeptActions(UndoKeeper(self.clock, undo)),
            access=AccessActions(self.clock),
        )

    def _passwords(
        self,
        admin: AdminPrincipal,
        batches: Sequence[Batch],
        options: list[ResetOption],
        dry_run: bool,
    ) -> PasswordPipeline | None:
        # Argon2 is the slow part of a password reset: the passwords are made and
        # hashed ahead (reset_passwords.py), so no transaction waits for a hash.
        if ResetOption.PASSWORD not in options or dry_run:
            return None
        sizes = [sum(user_id is not None for _, user_id in batch) for batch in batches]
        return PasswordPipeline(
            self.uow, self.hasher, self.random, self.config, admin, sizes, self.new_password
        )

    async def _batch(
        self, steps: ResetBatch, passwords: PasswordPipeline | None, index: int, batch: Batch
    ) -> list[UserResetOutcome]:
        prepared = (
            await passwords.passwords(index)
            if passwords is not None
            else PreparedPasswords({}, self.new_password)
        )
        with self.tracer.span(
            "reset batch", {"reset.batch": index, "reset.batch_users": len(batch)}
        ):
            outcomes = await steps.reset(batch, prepared)
        if passwords is not None:
            passwords.done(index, prepared)
        return outcomes

    def _undo_ticket(self) -> UndoTicket:
        until = self.clock.now() + self.config.reset_undo_ttl
        return UndoTicket(new_reset_id(until, self.random), until)

    async def new_password(self, policy: PasswordPolicy) -> PreparedPassword:
        password = random_password(policy, self.random, self.config.random_password_length)
        return password, await self.hasher.hash(password)


def _distinct(
    requested: Sequence[tuple[str, int | None]], options: Sequence[ResetOption]
) -> list[tuple[str, int | None]]:
    """Each requested key once; the request's problems raised."""
    if not options:
        raise DomainError.of(ErrorCode.NO_OPTION_SELECTED, "Select at least one option.", "options")
    distinct = list(dict.fromkeys(requested))
    if len(distinct) > MAX_USERS_PER_RESET:
        raise DomainError.of(
            ErrorCode.TOO_MANY_USERS, f"At most {MAX_USERS_PER_RESET} users per request.", "ids"
        )
    return distinct
