"""The actions of a reset, one user at a time, each built with what it needs: what
the user's batch read, where its changes go (``BatchWrites``), and for the
secrets the clock, the secret box and the batch's passwords (``PreparedPasswords``).

``domain/services/reset_batch.py`` reads a batch, runs these for each user and
stores what they wrote.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
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
    SignInLockout,
    User,
    VoicemailPinState,
)
from domain.password_link_model import PasswordLink
from domain.ports import Clock, SecretBox, UnitOfWork
from domain.services.audit import store_events
from domain.services.config import ServiceConfig
from domain.services.mail import check_mail_route
from domain.services.outbox import outgoing_mail
from domain.services.password_links import new_link
from domain.services.reset_access import sign_in_lockouts_of
from domain.services.reset_outcomes import (
    ActionOutcome,
    ResetOption,
    UndoTicket,
    UserResetOutcome,
)
from domain.services.undo_items import (
    kept_contacts,
    kept_relationships,
    kept_settings,
    settings_of,
    with_settings,
)

PreparedPassword = tuple[str, str]
"""A random password and its hash, made before the user's transaction."""

NewPassword = Callable[[PasswordPolicy], Awaitable[PreparedPassword]]
"""A random password for the policy and its hash, for a user not prepared ahead."""


class PasswordsShort(Exception):
    """The batch's users need more passwords of a policy than were hashed ahead."""


@dataclass
class PreparedPasswords:
    """A batch's passwords hashed ahead, by policy (``reset_passwords.py``): each user
    who gets one takes one of its location's policy.

    Users short of one make the transaction end without a write (``check``); they
    are hashed outside it (``top_up``), and the transaction runs again. Only with
    ``last_resort`` (after top-ups, users still moving between policies) is a
    password hashed in the transaction.
    """

    ready: dict[PasswordPolicy, list[PreparedPassword]]
    new_password: NewPassword
    last_resort: bool = False
    _taken: dict[tuple[int, PasswordPolicy], PreparedPassword] = field(default_factory=dict)
    _short: list[PasswordPolicy] = field(default_factory=list)

    async def take(self, user_id: int, policy: PasswordPolicy) -> PreparedPassword | None:
        """The user's password, the same again when the batch runs again; None when
        none is left (the transaction then ends before storing anything)."""
        key = (user_id, policy)
        if key in self._taken:
            return self._taken[key]
        ready = self.ready.get(policy)
        if ready:
            self._taken[key] = ready.pop()
        elif self.last_resort:
            self._taken[key] = await self.new_password(policy)
        else:
            self._short.append(policy)
            return None
        return self._taken[key]

    def check(self) -> None:
        """Before anything is stored: raises ``PasswordsShort`` if a user found none."""
        if self._short:
            raise PasswordsShort

    async def top_up(self) -> None:
        """Hashes, outside any transaction, what the users were short of."""
        short, self._short = self._short, []
        made = await asyncio.gather(*(self.new_password(policy) for policy in short))
        for policy, prepared in zip(short, made, strict=True):
            self.ready.setdefault(policy, []).append(prepared)

    def taken(self) -> Counter[PasswordPolicy]:
        """How many of each policy the batch's users took."""
        return Counter(policy for _, policy in self._taken)


@dataclass
class BatchWrites:
    """What a batch changes, stored afterwards one statement per kind."""

    users: list[User] = field(default_factory=list)
    relationship_owners: list[int] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)
    session_users: list[int] = field(default_factory=list)
    unlocked_keys: list[str] = field(default_factory=list)
    mails: list[OutgoingMail] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)
    # What the actions removed or overwrote, for undoReset.
    kept: list[ResetUndoRecord] = field(default_factory=list)
    links: list[PasswordLink] = field(default_factory=list)

    async def store(self, uow: UnitOfWork) -> None:
        await uow.users.update_many(self.users)
        await uow.relationships.remove_all_of(self.relationship_owners)
        await uow.contacts.remove(self.contact_ids)
        await uow.sessions.delete_for_all(SessionSubject.USER, self.session_users)
        await uow.sign_in_attempts.unlock_many(self.unlocked_keys)
        await uow.outbox.add_many(self.mails)
        await store_events(uow, self.events)
        await uow.reset_undo.add_many(self.kept)
        await uow.password_links.replace_many(self.links)


@dataclass(frozen=True)
class UndoKeeper:
    """Keeps what an action removes, for undoReset; keeps nothing without a ticket
    (a dry run)."""

    clock: Clock
    ticket: UndoTicket | None

    def keep(
        self, writes: BatchWrites, user: User, option: ResetOption, kept: dict[str, JsonValue]
    ) -> None:
        if self.ticket is not None:
            writes.kept.append(
                ResetUndoRecord(
                    reset_id=self.ticket.reset_id, user_id=user.id, action=option.value,
                    kept=kept, kept_at=self.clock.now(), expires_at=self.ticket.until,
                )
            )  # fmt: skip


@dataclass(frozen=True)
class BatchReads:
    """What a batch's actions need besides the users, read once for the whole batch."""

    gateway: EmailGateway | None
    own_relationships: Mapping[int, dict[int, RelationshipLevel]]
    stale_contacts: Mapping[int, list[Contact]]
    # Each location's, for the new passwords (none read for a dry run, which makes none).
    password_policies: Mapping[int, PasswordPolicy]
    sign_in_lockouts: Mapping[int, list[SignInLockout]] = field(default_factory=dict)
    # The locations whose default is a set-password link instead of the password.
    link_locations: frozenset[int] = frozenset()

    @classmethod
    async def read(
        cls,
        uow: UnitOfWork,
        users: Sequence[User],
        options: Sequence[ResetOption],
        *,
        dry_run: bool,
    ) -> BatchReads:
        ids = [user.id for user in users]
        secrets = {ResetOption.PASSWORD, ResetOption.VOICEMAIL_PIN} & set(options)
        gateway = await uow.email_gateway.get() if secrets else None
        own = await uow.relationships.own_for(ids) if ResetOption.RELATIONSHIPS in options else {}
        stale: dict[int, list[Contact]] = {}
        if ResetOption.CONTACT_LIST in options:
            for contact in await uow.contacts.from_inactive_sources_of(ids):
                stale.setdefault(contact.owner_id, []).append(contact)
        policies: dict[int, PasswordPolicy] = {}
        links: frozenset[int] = frozenset()
        if ResetOption.PASSWORD in options and not dry_run:
            locations = await uow.locations.get_many({user.location_id for user in users})
            policies = {id_: location.password_policy for id_, location in locations.items()}
            links = frozenset(id_ for id_, loc in locations.items() if loc.password_link)
        lockouts: Mapping[int, list[SignInLockout]] = {}
        if ResetOption.UNLOCK in options:
            lockouts = await sign_in_lockouts_of(uow, users)
        return cls(gateway, own, stale, policies, lockouts, links)


def secret_route(user: User, gateway: EmailGateway | None) -> EmailGateway:
    """The gateway a user's new password or PIN goes through; refused for a blocked
    user, who could not use it (and a mailed password would outlive the block)."""
    if user.blocked:
        raise DomainError.of(
            ErrorCode.USER_BLOCKED,
            f"{user.login} is blocked: no password or PIN is made or mailed; unblock the "
            "user first.",
        )
    return check_mail_route(user, gateway)


@dataclass(frozen=True)
class SecretActions:
    """The new password and the voicemail PIN: both reach the user by mail only."""

    clock: Clock
    secrets: SecretBox
    config: ServiceConfig
    # A set-password link instead of the password; None: each location's default.
    password_link: bool | None = None

    async def run(
        self,
        option: ResetOption,
        outcome: UserResetOutcome,
        reads: BatchReads,
        writes: BatchWrites,
        passwords: PreparedPasswords,
        *,
        dry_run: bool,
    ) -> ActionOutcome:
        user = outcome.user
        assert user is not None
        # No secret is made that cannot reach its user: checked before any change.
        try:
            route = secret_route(user, reads.gateway)
        except DomainError as refused:
            return ActionOutcome(option, done=False, problems=tuple(refused.problems))
        if not dry_run:
            if option is ResetOption.PASSWORD:
                policy = reads.password_policies[user.location_id]
                prepared = await passwords.take(user.id, policy)
                if prepared is not None and self._link_for(user, reads):
                    outcome.user = self._password_link(user, route, prepared, writes)
                    return ActionOutcome(option, done=True, changes=1, link_sent=True)
                if prepared is not None:
                    outcome.user = self._random_password(user, route, prepared, writes)
            else:
                outcome.user = _awaiting_pin_delivery(user)
        return ActionOutcome(option, done=True, changes=1)

    def _random_password(
        self, user: User, gateway: EmailGateway, prepared: PreparedPassword, writes: BatchWrites
    ) -> User:
        """A new random password, to be changed at the next sign-in; the old sessions end."""
        config = self.config
        password, hashed = prepared
        expires_at = self.clock.now() + config.temporary_password_ttl
        updated = replace(
            user,
            password_hash=hashed,
            password_change_required=True,
            temporary_password_expires_at=expires_at,
        )
        writes.session_users.append(user.id)
        writes.mails.append(
            outgoing_mail(
                self.clock, self.secrets, gateway, MailKind.PASSWORD, updated, secret=password,
                expires_hours=int(config.temporary_password_ttl.total_seconds() // 3600),
                expires_at=expires_at.isoformat(),
            )
        )  # fmt: skip
        return updated

    def _link_for(self, user: User, reads: BatchReads) -> bool:
        if self.password_link is not None:
            return self.password_link
        return user.location_id in reads.link_locations

    def _password_link(
        self, user: User, gateway: EmailGateway, prepared: PreparedPassword, writes: BatchWrites
    ) -> User:
        """A random password nobody learns (the old one stops working), and a mailed
        one-time link to choose the new one (password_links.py)."""
        _, hashed = prepared
        updated = replace(
            user,
            password_hash=hashed,
            password_change_required=False,
            temporary_password_expires_at=None,
        )
        link, url = new_link(self.clock, self.config, updated)
        writes.links.append(link)
        writes.session_users.append(user.id)
        writes.mails.append(
            outgoing_mail(
                self.clock, self.secrets, gateway, MailKind.PASSWORD_LINK, updated, secret=url,
                expires_hours=int(self.config.password_link_ttl.total_seconds() // 3600),
                expires_at=link.expires_at.isoformat(),
            )
        )  # fmt: skip
        return updated


def _awaiting_pin_delivery(user: User) -> User:
    """The old PIN stops working; a new one is made at the first remote access."""
    return replace(
        user,
        voicemail_pin_hash=None,
        voicemail_pin_state=VoicemailPinState.PENDING_DELIVERY,
        pin_failed_attempts=0,
        pin_locked_until=None,
    )


@dataclass(frozen=True)
class KeptActions:
    """The actions undoReset can put back: relationships, settings, the contact list's
    entries of deactivated sources. Each keeps what it removes."""

    keeper: UndoKeeper

    def relationships(
        self,
        outcome: UserResetOutcome,
        own: Mapping[int, RelationshipLevel],
        writes: BatchWrites,
        *,
        dry_run: bool,
    ) -> ActionOutcome:
        user = outcome.user
        assert user is not None
        removed = len(own)
        if removed and not dry_run:
            writes.relationship_owners.append(user.id)
            self.keeper.keep(writes, user, ResetOption.RELATIONSHIPS, kept_relationships(own))
        if user.is_vip and removed:
            outcome.warnings.append(
                Problem(
                    ErrorCode.VIP_RELATIONSHIPS_DELETED,
                    f"{user.login} is a VIP and has no default relationships: all "
                    f"{removed} relationships are gone; the VIP maintains them anew.",
                )
            )
        return ActionOutcome(ResetOption.RELATIONSHIPS, done=True, changes=removed)

    def settings(
        self, option: ResetOption, outcome: UserResetOutcome, writes: BatchWrites, *, dry_run: bool
    ) -> ActionOutcome:
        user = outcome.user
        assert user is not None
        settings = settings_of(user, option)
        if settings and not dry_run:
            outcome.user = with_settings(user, option, {})
            self.keeper.keep(writes, user, option, kept_settings(settings))
        return ActionOutcome(option, done=True, changes=len(settings))

    def contact_list(
        self,
        outcome: UserResetOutcome,
        stale: Sequence[Contact],
        writes: BatchWrites,
        *,
        dry_run: bool,
    ) -> ActionOutcome:
        user = outcome.user
        assert user is not None
        if stale:
            if not dry_run:
                writes.contact_ids.extend(c.id for c in stale)
                self.keeper.keep(writes, user, ResetOption.CONTACT_LIST, kept_contacts(stale))
            outcome.warnings.append(
                Problem(
                    ErrorCode.CONTACTS_REMOVED,
                    f"{len(stale)} contacts of deactivated directory data sources "
                    f"{'would be' if dry_run else 'were'} removed from the contact list.",
                )
            )
        return ActionOutcome(ResetOption.CONTACT_LIST, done=True, changes=len(stale))
