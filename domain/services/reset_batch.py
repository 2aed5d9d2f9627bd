"""One batch of a reset, in one transaction: each step one statement for all its users.

``domain/services/reset.py`` says what a reset does and runs the batches.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace

from domain.error_codes import ErrorCode
from domain.errors import DomainError, Problem
from domain.model import (
    AuditEvent,
    Contact,
    EmailGateway,
    JsonValue,
    MailKind,
    OutgoingMail,
    PasswordPolicy,
    RelationshipLevel,
    ResetUndoRecord,
    SessionSubject,
    User,
    VoicemailPinState,
)
from domain.ports import Clock, SecretBox, UnitOfWork
from domain.principals import AdminPrincipal, Principal
from domain.services.audit import AuditTrail
from domain.services.config import ServiceConfig
from domain.services.mail import check_mail_route
from domain.services.outbox import outgoing_mail
from domain.services.reset_outcomes import (
    NOT_STORED,
    USER_NOT_FOUND,
    ActionOutcome,
    ResetOption,
    UndoTicket,
    UserResetOutcome,
)
from domain.services.undo_items import (
    SETTING_KINDS,
    kept_contacts,
    kept_relationships,
    kept_settings,
    settings_of,
    with_settings,
)

# Kept under the reset's name: operators' log filters know it.
logger = logging.getLogger("connect_admin.domain.services.reset")

PreparedPassword = tuple[str, str]
"""A random password and its hash, made before the user's transaction."""


@dataclass
class _Writes:
    """What a batch changes, stored afterwards one statement per kind."""

    users: list[User] = field(default_factory=list)
    relationship_owners: list[int] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)
    session_users: list[int] = field(default_factory=list)
    mails: list[OutgoingMail] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)
    # What the actions removed or overwrote, for undoReset.
    kept: list[ResetUndoRecord] = field(default_factory=list)

    async def store(self, uow: UnitOfWork) -> None:
        await uow.users.update_many(self.users)
        await uow.relationships.remove_all_of(self.relationship_owners)
        await uow.contacts.remove(self.contact_ids)
        await uow.sessions.delete_for_all(SessionSubject.USER, self.session_users)
        await uow.outbox.add_many(self.mails)
        await uow.audit.add_many(self.events)
        await uow.reset_undo.add_many(self.kept)


@dataclass
class ResetBatch:
    """One batch of a reset: the request's options and the batch's prepared passwords."""

    uow: UnitOfWork
    clock: Clock
    audit: AuditTrail
    secrets: SecretBox
    config: ServiceConfig
    # A random password for the policy and its hash, for a user not prepared ahead.
    new_password: Callable[[PasswordPolicy], Awaitable[PreparedPassword]]
    actor: Principal
    admin: AdminPrincipal
    ordered: Sequence[ResetOption]
    dry_run: bool
    prepared: dict[int, PreparedPassword]
    # None for a dry run: nothing is kept.
    undo: UndoTicket | None = None

    async def reset(self, batch: Sequence[tuple[str, int | None]]) -> list[UserResetOutcome]:
        """The batch in one transaction; if storing it fails, each user in its own."""
        ids = [user_id for _, user_id in batch if user_id is not None]
        if len(ids) == len(set(ids)):
            outcomes = [UserResetOutcome(key=key, user=None) for key, _ in batch]
            try:
                await self._transaction(batch, outcomes)
                return outcomes
            except Exception:
                if len(batch) == 1:
                    logger.exception("reset of user %s failed", batch[0][1])
                    return [_not_stored(outcomes[0])]
                logger.warning("a batch of resets was not stored; storing its users one by one")
        # Two keys naming one user, or a failed batch: one transaction per key, so
        # that each sees what the one before changed, and a failure stays its own.
        return [outcome for item in batch for outcome in await self.reset([item])]

    async def _transaction(
        self, batch: Sequence[tuple[str, int | None]], outcomes: list[UserResetOutcome]
    ) -> None:
        ordered = self.ordered
        ids = [user_id for _, user_id in batch if user_id is not None]
        # A dry run stores nothing: it reads without taking the write lock.
        async with self.uow.reading() if self.dry_run else self.uow as uow:
            users = await uow.users.get_many(ids, for_update=not self.dry_run)
            gateway = (
                await uow.email_gateway.get()
                if {ResetOption.PASSWORD, ResetOption.VOICEMAIL_PIN} & set(ordered)
                else None
            )
            own = (
                await uow.relationships.own_for(ids) if ResetOption.RELATIONSHIPS in ordered else {}
            )
            stale: dict[int, list[Contact]] = {}
            if ResetOption.CONTACT_LIST in ordered:
                for contact in await uow.contacts.from_inactive_sources_of(ids):
                    stale.setdefault(contact.owner_id, []).append(contact)
            writes = _Writes()
            for (_, user_id), outcome in zip(batch, outcomes, strict=True):
                user = users.get(user_id) if user_id is not None else None
                if user is None or not self.admin.sees_location(user.location_id):
                    outcome.problems.append(USER_NOT_FOUND)
                    continue
                outcome.user = user
                kept_before = len(writes.kept)
                for option in ordered:
                    # Each action sees what the previous ones changed (outcome.user).
                    outcome.actions.append(
                        await self._action(
                            uow, option, outcome, gateway, own.get(user.id, {}),
                            stale.get(user.id, []), writes,
                        )
                    )  # fmt: skip
                if outcome.user is not user:
                    writes.users.append(outcome.user)
                undo: dict[str, JsonValue] = {}
                if len(writes.kept) > kept_before and self.undo is not None:
                    outcome.undo = self.undo
                    undo = {
                        "reset_id": self.undo.reset_id,
                        "undo_until": self.undo.until.isoformat(),
                    }
                writes.events.append(
                    self.audit.event_about(
                        self.actor,
                        "USER_RESET",
                        user,
                        options=[o.value for o in ordered],
                        status=outcome.status.value,
                        actions={a.option.value: _summary(a) for a in outcome.actions},
                        **undo,
                    )
                )
            if not self.dry_run:
                await writes.store(uow)
                await uow.commit()

    async def _action(
        self,
        uow: UnitOfWork,
        option: ResetOption,
        outcome: UserResetOutcome,
        gateway: EmailGateway | None,
        own: dict[int, RelationshipLevel],
        stale: list[Contact],
        writes: _Writes,
    ) -> ActionOutcome:
        user = outcome.user
        assert user is not None
        dry_run = self.dry_run
        if option in (ResetOption.PASSWORD, ResetOption.VOICEMAIL_PIN):
            # No secret is made that cannot reach its user: checked before any change.
            try:
                route = check_mail_route(user, gateway)
            except DomainError as refused:
                return ActionOutcome(option, done=False, problems=tuple(refused.problems))
            if not dry_run:
                if option is ResetOption.PASSWORD:
                    outcome.user = await self._random_password(uow, user, route, writes)
                else:
                    outcome.user = _awaiting_pin_delivery(user)
            return ActionOutcome(option, done=True, changes=1)
        if option is ResetOption.RELATIONSHIPS:
            removed = len(own)
            if removed and not dry_run:
                writes.relationship_owners.append(user.id)
                self._keep(writes, user, option, kept_relationships(own))
            if user.is_vip and removed:
                outcome.warnings.append(
                    Problem(
                        ErrorCode.VIP_RELATIONSHIPS_DELETED,
                        f"{user.login} is a VIP and has no default relationships: all "
                        f"{removed} relationships are gone; the VIP maintains them anew.",
                    )
                )
            return ActionOutcome(option, done=True, changes=removed)
        if option in SETTING_KINDS:
            settings = settings_of(user, option)
            if settings and not dry_run:
                outcome.user = with_settings(user, option, {})
                self._keep(writes, user, option, kept_settings(settings))
            return ActionOutcome(option, done=True, changes=len(settings))
        if stale:
            if not dry_run:
                writes.contact_ids.extend(c.id for c in stale)
                self._keep(writes, user, option, kept_contacts(stale))
            outcome.warnings.append(
                Problem(
                    ErrorCode.CONTACTS_REMOVED,
                    f"{len(stale)} contacts of deactivated directory data sources "
                    f"{'would be' if dry_run else 'were'} removed from the contact list.",
                )
            )
        return ActionOutcome(option, done=True, changes=len(stale))

    def _keep(
        self, writes: _Writes, user: User, option: ResetOption, kept: dict[str, JsonValue]
    ) -> None:
        if self.undo is not None:
            writes.kept.append(
                ResetUndoRecord(
                    reset_id=self.undo.reset_id, user_id=user.id, action=option.value,
                    kept=kept, kept_at=self.clock.now(), expires_at=self.undo.until,
                )
            )  # fmt: skip

    async def _random_password(
        self, uow: UnitOfWork, user: User, gateway: EmailGateway, writes: _Writes
    ) -> User:
        """A new random password, to be changed at the next sign-in; the old sessions end."""
        config = self.config
        prepared = self.prepared.get(user.id)
        if prepared is not None:
            password, hashed = prepared
        else:
            location = await uow.locations.get(user.location_id)
            assert location is not None
            password, hashed = await self.new_password(location.password_policy)
        updated = replace(
            user,
            password_hash=hashed,
            password_change_required=True,
            temporary_password_expires_at=self.clock.now() + config.temporary_password_ttl,
        )
        writes.session_users.append(user.id)
        writes.mails.append(
            outgoing_mail(
                self.clock, self.secrets, gateway, MailKind.PASSWORD, updated, secret=password,
                expires_hours=int(config.temporary_password_ttl.total_seconds() // 3600),
            )
        )  # fmt: skip
        return updated


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
    }


def _awaiting_pin_delivery(user: User) -> User:
    """The old PIN stops working; a new one is made at the first remote access."""
    return replace(
        user,
        voicemail_pin_hash=None,
        voicemail_pin_state=VoicemailPinState.PENDING_DELIVERY,
        pin_failed_attempts=0,
        pin_locked_until=None,
    )
