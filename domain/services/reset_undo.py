"""Undo a reset: put back what it removed or overwrote, per user and per action.

What each action kept, and how it is put back, is in ``undo_items.py``. Users are
undone in batches as a reset does them, a batch in one transaction. A user's
records are marked undone with the undo, so a second undo changes nothing
(ALREADY_UNDONE); after the kept time an undo answers UNDO_EXPIRED, and the purge
(the dispatcher's loop, ``connect-admin purge-undo``) removes the records.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import DomainError, Problem
from domain.model import AuditEvent, Contact, RelationshipLevel, ResetUndoRecord, User
from domain.ports import Clock, UnitOfWork
from domain.principals import AdminPrincipal, Principal, require_admin
from domain.services.audit import AuditTrail, store_events
from domain.services.config import ServiceConfig
from domain.services.reset import MAX_USERS_PER_RESET
from domain.services.reset_outcomes import (
    NOT_STORED,
    USER_NOT_FOUND,
    ActionOutcome,
    ResetOption,
    UserResetOutcome,
)
from domain.services.undo_items import (
    Restoration,
    expiry_of,
    restore_contacts,
    restore_relationships,
    restore_settings,
    settings_of,
    with_settings,
)

logger = logging.getLogger("connect_admin.domain.services.reset")

NOT_IN_RESET = Problem(ErrorCode.USER_NOT_FOUND, "No such user among this reset's users.")


class _Run(NamedTuple):
    """One undo request: who undoes which reset, and whether for real."""

    admin: AdminPrincipal
    actor: Principal
    reset_id: str
    dry_run: bool


@dataclass
class _Writes:
    """What a batch of undos changes, stored afterwards."""

    users: list[User]
    relationships: list[tuple[int, int, RelationshipLevel]]
    contacts: list[Contact]
    undone: list[int]
    events: list[AuditEvent]

    async def store(self, uow: UnitOfWork, at: datetime, by: str) -> None:
        await uow.users.update_many(self.users)
        for owner_id, target_id, level in self.relationships:
            await uow.relationships.set(owner_id, target_id, level)
        for contact in self.contacts:
            await uow.contacts.add(contact)
        await uow.reset_undo.mark_undone(self.undone, at, by)
        await store_events(uow, self.events)


@dataclass(frozen=True)
class ResetUndo:
    """Undo resets, and purge what they kept once it expired."""

    uow: UnitOfWork
    clock: Clock
    audit: AuditTrail
    config: ServiceConfig

    async def undo_reset(
        self,
        actor: Principal,
        reset_id: str,
        requested: Sequence[tuple[str, int | None]] | None = None,
        *,
        dry_run: bool = False,
    ) -> list[UserResetOutcome]:
        """Undoes the reset for the requested keys (key as given, user id or None), or
        for all its users the caller sees when ``requested`` is None (their keys are
        the user ids as text). With ``dry_run`` nothing is stored: the outcomes say
        what would be put back, and every conflict."""
        admin = require_admin(actor)
        now = self.clock.now()
        if requested is not None and len(set(requested)) > MAX_USERS_PER_RESET:
            raise DomainError.of(
                ErrorCode.TOO_MANY_USERS,
                f"At most {MAX_USERS_PER_RESET} users per request.",
                "userIds",
            )
        user_ids = await self._users_of(admin, reset_id, requested is None, now)
        keys = (
            list(dict.fromkeys(requested))
            if requested is not None
            else [(str(i), i) for i in user_ids]
        )
        # Each user once, however many keys name it.
        distinct = list(dict.fromkeys(user_id for _, user_id in keys if user_id is not None))
        size = max(self.config.reset_batch_size, 1)
        run = _Run(admin, actor, reset_id, dry_run)
        done: dict[int, UserResetOutcome] = {}
        for start in range(0, len(distinct), size):
            done.update(await self._stored(run, distinct[start : start + size]))
        return [
            replace(done[user_id], key=key)
            if user_id is not None
            else UserResetOutcome(key=key, user=None, problems=[USER_NOT_FOUND])
            for key, user_id in keys
        ]

    async def _users_of(
        self, admin: AdminPrincipal, reset_id: str, only_seen: bool, now: datetime
    ) -> list[int]:
        """The users the reset kept something for (``only_seen``: those the caller
        sees); refused when there are none."""
        expiry = expiry_of(reset_id)
        async with self.uow.reading() as uow:
            user_ids = await uow.reset_undo.users_of(reset_id) if expiry else []
            if only_seen:
                users = await uow.users.get_many(user_ids)
                user_ids = [
                    i for i in user_ids if i in users and visibility.sees_user(admin, users[i])
                ]
        if not user_ids:
            # The id's time is trusted only for a reset that happened (and that the
            # caller may see): a made-up id is not found, whatever its prefix says.
            if expiry is not None and expiry <= now and await self._recorded(admin, reset_id):
                raise DomainError.of(
                    ErrorCode.UNDO_EXPIRED,
                    f"What this reset removed was kept until {expiry.isoformat()}; "
                    "it can no longer be undone.",
                    "resetId",
                )
            raise DomainError.of(ErrorCode.RESET_NOT_FOUND, "No such reset to undo.", "resetId")
        return user_ids

    async def purge_expired(self) -> int:
        """Removes what resets kept once it expired; how many records."""
        async with self.uow as uow:
            purged = await uow.reset_undo.purge_expired(self.clock.now())
            await uow.commit()
        return purged

    async def _recorded(self, admin: AdminPrincipal, reset_id: str) -> bool:
        async with self.uow.reading() as uow:
            return await uow.audit.reset_recorded(reset_id, admin.location_ids)

    async def _stored(self, run: _Run, ids: Sequence[int]) -> dict[int, UserResetOutcome]:
        """The batch in one transaction; if storing it fails, each user in its own."""
        try:
            return await self._batch(run, ids)
        except Exception:
            if len(ids) > 1:
                logger.warning("a batch of undos was not stored; storing its users one by one")
                return {
                    user_id: outcome
                    for one in ids
                    for user_id, outcome in (await self._stored(run, [one])).items()
                }
            logger.exception("undo of the reset of user %s failed", ids[0])
            return {ids[0]: UserResetOutcome(key=str(ids[0]), user=None, problems=[NOT_STORED])}

    async def _batch(self, run: _Run, ids: Sequence[int]) -> dict[int, UserResetOutcome]:
        now = self.clock.now()
        outcomes = {user_id: UserResetOutcome(key=str(user_id), user=None) for user_id in ids}
        async with self.uow.reading() if run.dry_run else self.uow as uow:
            reads = await _Reads.read(uow, run, ids)
            writes = _Writes([], [], [], [], [])
            for user_id, outcome in outcomes.items():
                user = reads.users.get(user_id)
                if user is None or not visibility.sees_user(run.admin, user):
                    outcome.problems.append(USER_NOT_FOUND)
                    continue
                outcome.user = user
                refused = _refusal(reads.records.get(user_id, []), now)
                if refused is not None:
                    outcome.problems.append(refused)
                    continue
                self._undo_user(run, outcome, user, reads, writes)
            if not run.dry_run:
                await writes.store(uow, now, run.actor.login)
                await uow.commit()
        return outcomes

    def _undo_user(
        self, run: _Run, outcome: UserResetOutcome, user: User, reads: _Reads, writes: _Writes
    ) -> None:
        """Puts back what the reset kept of the user, action by action; its audit event."""
        mine = reads.records.get(user.id, [])
        restorations = []
        for record in sorted(mine, key=lambda r: list(ResetOption).index(_option(r))):
            restoration = self._restore(record, outcome, reads, writes)
            restorations.append(restoration)
            outcome.actions.append(
                ActionOutcome(restoration.option, done=True, changes=len(restoration.restored))
            )
            outcome.warnings.extend(restoration.warnings)
        updated = outcome.user
        if updated is not None and updated is not user:
            writes.users.append(updated)
        writes.undone.extend(r.id for r in mine)
        writes.events.append(
            self.audit.event_about(
                run.actor,
                "RESET_UNDONE",
                user,
                reset_id=run.reset_id,
                restored={r.option.value: r.restored for r in restorations},
                conflicts={r.option.value: r.conflicts for r in restorations if r.conflicts},
            )
        )

    def _restore(
        self, record: ResetUndoRecord, outcome: UserResetOutcome, reads: _Reads, writes: _Writes
    ) -> Restoration:
        user = outcome.user
        assert user is not None
        option = _option(record)
        if option is ResetOption.RELATIONSHIPS:
            own = reads.own.get(user.id, {})
            levels, restoration = restore_relationships(record.kept, own, reads.targets)
            writes.relationships.extend((user.id, t, level) for t, level in levels.items())
            return restoration
        if option is ResetOption.CONTACT_LIST:
            contacts = reads.contacts.get(user.id, [])
            added, restoration = restore_contacts(user.id, record.kept, contacts)
            writes.contacts.extend(added)
            return restoration
        settings, restoration = restore_settings(option, record.kept, settings_of(user, option))
        outcome.user = with_settings(user, option, settings)
        return restoration


@dataclass(frozen=True)
class _Reads:
    """What a batch of undos reads, one statement each: the users and their records
    (locked, but for a dry run), their relationships and contacts now, and the
    users their kept relationships name."""

    users: dict[int, User]
    records: dict[int, list[ResetUndoRecord]]
    own: dict[int, dict[int, RelationshipLevel]]
    contacts: dict[int, list[Contact]]
    targets: dict[int, User]

    @classmethod
    async def read(cls, uow: UnitOfWork, run: _Run, ids: Sequence[int]) -> _Reads:
        lock = not run.dry_run
        users = await uow.users.get_many(ids, for_update=lock)
        records: dict[int, list[ResetUndoRecord]] = {}
        for record in await uow.reset_undo.for_users(run.reset_id, ids, for_update=lock):
            records.setdefault(record.user_id, []).append(record)
        own = await uow.relationships.own_for(records)
        contacts = await uow.contacts.for_owners(records)
        targets = await uow.users.get_many(
            int(t)
            for rs in records.values()
            for r in rs
            if r.action == ResetOption.RELATIONSHIPS.value
            for t in r.kept.get("relationships") or {}
        )
        return cls(users, records, own, contacts, targets)


def _option(record: ResetUndoRecord) -> ResetOption:
    return ResetOption(record.action)


def _refusal(records: Sequence[ResetUndoRecord], now: datetime) -> Problem | None:
    """Why the user's part of the reset cannot be undone (any more), if so."""
    if not records:
        return NOT_IN_RESET
    undone = next((r for r in records if r.undone_at is not None), None)
    if undone is not None:
        assert undone.undone_at is not None
        return Problem(
            ErrorCode.ALREADY_UNDONE,
            f"Undone already, at {undone.undone_at.isoformat()} by {undone.undone_by}: "
            "nothing changed.",
        )
    expiry = min(r.expires_at for r in records)
    if expiry <= now:
        return Problem(
            ErrorCode.UNDO_EXPIRED,
            f"What the reset removed was kept until {expiry.isoformat()}; "
            "it can no longer be undone.",
        )
    return None
