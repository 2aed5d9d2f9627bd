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

from domain.error_codes import ErrorCode
from domain.errors import DomainError, Problem
from domain.model import AuditEvent, Contact, RelationshipLevel, ResetUndoRecord, User
from domain.ports import Clock, UnitOfWork
from domain.principals import AdminPrincipal, Principal, require_admin
from domain.services.audit import AuditTrail
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
        await uow.audit.add_many(self.events)


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
        expiry = expiry_of(reset_id)
        async with self.uow.reading() as uow:
            user_ids = await uow.reset_undo.users_of(reset_id) if expiry else []
            if requested is None:
                users = await uow.users.get_many(user_ids)
                user_ids = [i for i in user_ids if i in users and _sees(admin, users[i])]
        if not user_ids:
            if expiry is not None and expiry <= now:
                raise DomainError.of(
                    ErrorCode.UNDO_EXPIRED,
                    f"What this reset removed was kept until {expiry.isoformat()}; "
                    "it can no longer be undone.",
                    "resetId",
                )
            raise DomainError.of(ErrorCode.RESET_NOT_FOUND, "No such reset to undo.", "resetId")
        keys = (
            list(dict.fromkeys(requested))
            if requested is not None
            else [(str(i), i) for i in user_ids]
        )
        # Each user once, however many keys name it.
        distinct = list(dict.fromkeys(user_id for _, user_id in keys if user_id is not None))
        size = max(self.config.reset_batch_size, 1)
        done: dict[int, UserResetOutcome] = {}
        for start in range(0, len(distinct), size):
            batch = distinct[start : start + size]
            done.update(await self._stored(_Run(admin, actor, reset_id, dry_run), batch))
        return [
            replace(done[user_id], key=key)
            if user_id is not None
            else UserResetOutcome(key=key, user=None, problems=[USER_NOT_FOUND])
            for key, user_id in keys
        ]

    async def purge_expired(self) -> int:
        """Removes what resets kept once it expired; how many records."""
        async with self.uow as uow:
            purged = await uow.reset_undo.purge_expired(self.clock.now())
            await uow.commit()
        return purged

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
        admin, actor, reset_id, dry_run = run
        now = self.clock.now()
        outcomes = {user_id: UserResetOutcome(key=str(user_id), user=None) for user_id in ids}
        async with self.uow.reading() if dry_run else self.uow as uow:
            users = await uow.users.get_many(ids, for_update=not dry_run)
            records: dict[int, list[ResetUndoRecord]] = {}
            for record in await uow.reset_undo.for_users(reset_id, ids, for_update=not dry_run):
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
            writes = _Writes([], [], [], [], [])
            for user_id, outcome in outcomes.items():
                user = users.get(user_id)
                mine = records.get(user_id, [])
                if user is None or not _sees(admin, user):
                    outcome.problems.append(USER_NOT_FOUND)
                    continue
                outcome.user = user
                refused = _refusal(mine, now)
                if refused is not None:
                    outcome.problems.append(refused)
                    continue
                restorations = []
                for record in sorted(mine, key=lambda r: list(ResetOption).index(_option(r))):
                    restoration = self._restore(
                        record, outcome, own.get(user.id, {}), contacts.get(user.id, []),
                        targets, writes,
                    )  # fmt: skip
                    restorations.append(restoration)
                    outcome.actions.append(
                        ActionOutcome(
                            restoration.option, done=True, changes=len(restoration.restored)
                        )
                    )
                    outcome.warnings.extend(restoration.warnings)
                if outcome.user is not user:
                    writes.users.append(outcome.user)
                writes.undone.extend(r.id for r in mine)
                writes.events.append(
                    self.audit.event_about(
                        actor,
                        "RESET_UNDONE",
                        user,
                        reset_id=reset_id,
                        restored={r.option.value: r.restored for r in restorations},
                        conflicts={
                            r.option.value: r.conflicts for r in restorations if r.conflicts
                        },
                    )
                )
            if not dry_run:
                await writes.store(uow, now, actor.login)
                await uow.commit()
        return outcomes

    def _restore(
        self,
        record: ResetUndoRecord,
        outcome: UserResetOutcome,
        own: dict[int, RelationshipLevel],
        contacts: list[Contact],
        targets: dict[int, User],
        writes: _Writes,
    ) -> Restoration:
        user = outcome.user
        assert user is not None
        option = _option(record)
        if option is ResetOption.RELATIONSHIPS:
            levels, restoration = restore_relationships(record.kept, own, targets)
            writes.relationships.extend((user.id, t, level) for t, level in levels.items())
            return restoration
        if option is ResetOption.CONTACT_LIST:
            added, restoration = restore_contacts(user.id, record.kept, contacts)
            writes.contacts.extend(added)
            return restoration
        settings, restoration = restore_settings(option, record.kept, settings_of(user, option))
        outcome.user = with_settings(user, option, settings)
        return restoration


def _sees(admin: AdminPrincipal, user: User) -> bool:
    return admin.sees_location(user.location_id)


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
