"""One batch of a reset, in one transaction: each step one statement for all its users.

``domain/services/reset.py`` says what a reset does and runs the batches; the
actions themselves stand in ``domain/services/reset_actions.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from domain import visibility
from domain.model import JsonValue, User
from domain.ports import UnitOfWork
from domain.principals import AdminPrincipal, Principal
from domain.services.audit import AuditTrail
from domain.services.reset_access import AccessActions
from domain.services.reset_actions import (
    BatchReads,
    BatchWrites,
    KeptActions,
    PasswordsShort,
    PreparedPasswords,
    SecretActions,
)
from domain.services.reset_outcomes import (
    NOT_STORED,
    USER_NOT_FOUND,
    ActionOutcome,
    ResetOption,
    UndoTicket,
    UserResetOutcome,
)
from domain.services.undo_items import SETTING_KINDS

# Kept under the reset's name: operators' log filters know it.
logger = logging.getLogger("connect_admin.domain.services.reset")

# How often a batch's users short of passwords get them hashed outside the
# transaction before the transaction hashes them itself.
_TOP_UPS = 2

Batch = Sequence[tuple[str, int | None]]
"""Each key as the caller gave it, with the user id it names (None: none)."""

StoredHook = Callable[[UnitOfWork, Sequence[UserResetOutcome]], Awaitable[None]]
"""Awaited in a batch's transaction, before its commit, with its outcomes: what it
writes commits with the batch (a job's results, domain/services/reset_job_runner.py)."""


class BatchAborted(Exception):
    """Raised by a ``StoredHook``: the batch rolls back and the reset ends here."""


@dataclass(frozen=True)
class ResetRequest:
    """What one reset asks, the same for each of its batches."""

    actor: Principal
    admin: AdminPrincipal
    # In the order of ResetOption, which the results follow.
    options: Sequence[ResetOption]
    dry_run: bool
    # None for a dry run: nothing is kept.
    undo: UndoTicket | None
    on_stored: StoredHook | None = None


@dataclass(frozen=True, kw_only=True)
class ResetBatch:
    """The batches of one reset: its request and its actions, the same for each batch;
    a batch brings its passwords."""

    uow: UnitOfWork
    audit: AuditTrail
    request: ResetRequest
    secrets: SecretActions
    kept: KeptActions
    access: AccessActions

    async def reset(self, batch: Batch, passwords: PreparedPasswords) -> list[UserResetOutcome]:
        """The batch in one transaction; if storing it fails, each user in its own."""
        ids = [user_id for _, user_id in batch if user_id is not None]
        if len(ids) == len(set(ids)):
            outcomes: list[UserResetOutcome] = []
            try:
                await self._stored(batch, outcomes, passwords)
                return outcomes
            except BatchAborted:
                raise
            except Exception:
                if len(batch) == 1:
                    logger.exception("reset of user %s failed", batch[0][1])
                    return [_not_stored(outcomes[0])]
                logger.warning("a batch of resets was not stored; storing its users one by one")
        # Two keys naming one user, or a failed batch: one transaction per key, so
        # that each sees what the one before changed, and a failure stays its own.
        return [outcome for item in batch for outcome in await self.reset([item], passwords)]

    async def _stored(
        self, batch: Batch, outcomes: list[UserResetOutcome], passwords: PreparedPasswords
    ) -> None:
        """The batch's transaction; again once what its users were short of is hashed."""
        for attempt in range(_TOP_UPS + 1):
            outcomes[:] = [UserResetOutcome(key=key, user=None) for key, _ in batch]
            passwords.last_resort = attempt == _TOP_UPS
            try:
                await self._transaction(batch, outcomes, passwords)
                return
            except PasswordsShort:
                await passwords.top_up()

    async def _transaction(
        self, batch: Batch, outcomes: list[UserResetOutcome], passwords: PreparedPasswords
    ) -> None:
        request = self.request
        ids = [user_id for _, user_id in batch if user_id is not None]
        # A dry run stores nothing: it reads without taking the write lock.
        async with self.uow.reading() if request.dry_run else self.uow as uow:
            # The batch's one read of its users, and what the checks below judge.
            users = await uow.users.get_many(ids, for_update=not request.dry_run)
            reads = await BatchReads.read(
                uow, list(users.values()), request.options, dry_run=request.dry_run
            )
            work = _Work(reads, BatchWrites(), passwords)
            for (_, user_id), outcome in zip(batch, outcomes, strict=True):
                user = users.get(user_id) if user_id is not None else None
                if user is None or not visibility.sees_user(request.admin, user):
                    outcome.problems.append(USER_NOT_FOUND)
                else:
                    await self._reset_user(outcome, user, work)
            if not request.dry_run:
                passwords.check()
                await work.writes.store(uow)
                if request.on_stored is not None:
                    await request.on_stored(uow, outcomes)
                await uow.commit()

    async def _reset_user(self, outcome: UserResetOutcome, user: User, work: _Work) -> None:
        """The user's actions in the request's order, and its audit event."""
        request = self.request
        outcome.user = user
        kept_before = len(work.writes.kept)
        for option in request.options:
            # Each action sees what the previous ones changed (outcome.user).
            outcome.actions.append(await self._action(option, outcome, work))
        if outcome.user is not user:
            work.writes.users.append(outcome.user)
        if len(work.writes.kept) > kept_before and request.undo is not None:
            outcome.undo = request.undo
        undo: dict[str, JsonValue] = {}
        if outcome.undo is not None:
            undo = {"reset_id": outcome.undo.reset_id, "undo_until": outcome.undo.until.isoformat()}
        if any(action.link_sent for action in outcome.actions):
            work.writes.events.append(
                self.audit.event_about(request.actor, "PASSWORD_LINK_SENT", user)
            )
        work.writes.events.append(
            self.audit.event_about(
                request.actor,
                "USER_RESET",
                user,
                options=[o.value for o in request.options],
                status=outcome.status.value,
                actions={a.option.value: _summary(a) for a in outcome.actions},
                **undo,
            )
        )

    async def _action(
        self, option: ResetOption, outcome: UserResetOutcome, work: _Work
    ) -> ActionOutcome:
        user_id = outcome.user.id if outcome.user is not None else 0
        dry_run = self.request.dry_run
        reads, writes = work.reads, work.writes
        if option in (ResetOption.PASSWORD, ResetOption.VOICEMAIL_PIN):
            return await self.secrets.run(
                option, outcome, reads, writes, work.passwords, dry_run=dry_run
            )
        if option is ResetOption.RELATIONSHIPS:
            own = reads.own_relationships.get(user_id, {})
            return self.kept.relationships(outcome, own, writes, dry_run=dry_run)
        if option is ResetOption.UNLOCK:
            lockouts = reads.sign_in_lockouts.get(user_id, [])
            return self.access.unlock(outcome, lockouts, writes.unlocked_keys, dry_run=dry_run)
        if option is ResetOption.EXPIRE_PASSWORD:
            return self.access.expire_password(outcome, writes.session_users, dry_run=dry_run)
        if option in SETTING_KINDS:
            return self.kept.settings(option, outcome, writes, dry_run=dry_run)
        stale = reads.stale_contacts.get(user_id, [])
        return self.kept.contact_list(outcome, stale, writes, dry_run=dry_run)


@dataclass(frozen=True)
class _Work:
    """What a batch's actions work with in its transaction."""

    reads: BatchReads
    writes: BatchWrites
    passwords: PreparedPasswords


def _not_stored(outcome: UserResetOutcome) -> UserResetOutcome:
    # A failure while storing rolls back this user's changes only.
    outcome.actions = []
    outcome.warnings = []
    outcome.problems = [NOT_STORED]
    outcome.undo = None
    return outcome


def _summary(action: ActionOutcome) -> dict[str, object]:
    return {
        "done": action.done,
        "changes": action.changes,
        "errors": [p.code for p in action.problems],
        **({"link_sent": True} if action.link_sent else {}),
    }
