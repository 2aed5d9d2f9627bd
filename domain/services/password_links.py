"""One-time links to the set-password page: a reset mails one instead of a password
(``reset_actions.SecretActions``); the page (server/http/set_password.py) opens it
and sets the password the user chose.

The token is random (``secrets``), stored as its SHA-256 only, and works once until
it expires. It is made together with a new random password nobody knows (the old
password stops working at once) and remembers that password's hash as a stamp:
whatever sets another password afterwards (an administrator, a reset again, the
user) makes the link useless, and a new link replaces the old one. A blocked user's
link does not work. Audit: PASSWORD_LINK_SENT (the reset), _USED, _EXPIRED.

Opening the page (``open``, a GET) only reads: an expired link shows as expired and
nothing is written. A link that expired unused is audited PASSWORD_LINK_EXPIRED once,
by whichever comes first: the sweep (``expire_due``, which the dispatcher loop runs
now and then, server/dispatcher.py) or a POST that tries to set a password with it.
Either marks the link used up (``used_at`` = ``expires_at``), so it is never audited
twice.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote

from domain.model import AuditEvent, Location, PasswordPolicy, SessionSubject, User
from domain.password_link_model import PasswordLink
from domain.ports import Clock, PasswordHasher, UnitOfWork
from domain.rules import contains_login, mail_language, password_policy_violations
from domain.services.config import ServiceConfig

SET_PASSWORD_PATH = "/set-password"
TOKEN_BYTES = 32


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_link(clock: Clock, config: ServiceConfig, user: User) -> tuple[PasswordLink, str]:
    """A link for ``user`` (a reset's: already carrying the new random password's hash;
    a request's: its current one, or none yet), and its URL."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = clock.now()
    link = PasswordLink(
        user_id=user.id,
        token_hash=digest(token),
        password_stamp=_stamp(user),
        created_at=now,
        expires_at=now + config.password_link_ttl,
    )
    url = f"{config.public_url.rstrip('/')}{SET_PASSWORD_PATH}?token={quote(token)}"
    return link, url


class LinkState(enum.Enum):
    VALID = "VALID"
    UNKNOWN = "UNKNOWN"
    USED = "USED"
    EXPIRED = "EXPIRED"
    # Blocked, or another password since (an administrator's, a reset again).
    REVOKED = "REVOKED"


@dataclass(frozen=True)
class OpenedLink:
    state: LinkState
    # The page's language (the mails' rules), and for a valid link the policy to check.
    language: str
    policy: PasswordPolicy | None = None
    login: str = ""


@dataclass(frozen=True)
class SetOutcome:
    opened: OpenedLink
    # For a valid link: what the chosen password breaks (keys, see ``violations``);
    # empty and ``done``: the password is set.
    broken: tuple[str, ...] = ()
    done: bool = False


def violations(policy: PasswordPolicy, login: str, password: str) -> list[str]:
    """Keys of what ``password`` breaks: ``min``, ``max``, ``upper``, ``lower``,
    ``digit``, ``symbol``, ``login``."""
    classes = {
        "an uppercase letter": "upper", "a lowercase letter": "lower", "a digit": "digit",
        "a symbol": "symbol",
    }  # fmt: skip
    broken: list[str] = []
    for sentence in password_policy_violations(policy, password):
        if sentence.startswith("at least"):
            broken.append("min")
        elif sentence.startswith("at most"):
            broken.append("max")
        elif sentence in classes:
            broken.append(classes[sentence])
    if contains_login(password, login):
        broken.append("login")
    return broken


@dataclass(frozen=True)
class PasswordLinks:
    uow: UnitOfWork
    clock: Clock
    hasher: PasswordHasher
    config: ServiceConfig

    async def open(self, token: str) -> OpenedLink:
        """What the page shows for ``token``; reads only."""
        async with self.uow.reading() as uow:
            opened, _ = await self._check(uow, token)
        return opened

    async def set_password(self, token: str, password: str) -> SetOutcome:
        opened = await self.open(token)
        if opened.state is LinkState.EXPIRED:
            await self._expire(token)
            return SetOutcome(opened)
        if opened.state is not LinkState.VALID or opened.policy is None:
            return SetOutcome(opened)
        broken = violations(opened.policy, opened.login, password)
        if broken:
            return SetOutcome(opened, tuple(broken))
        new_hash = await self.hasher.hash(password)
        async with self.uow as uow:
            again, user = await self._check(uow, token, for_update=True)
            if again.state is not LinkState.VALID or user is None:
                if again.state is LinkState.EXPIRED and user is not None:
                    await self._audit_expired(uow, user, token)
                await uow.commit()
                return SetOutcome(again)
            now = self.clock.now()
            await uow.users.update(
                replace(
                    user,
                    password_hash=new_hash,
                    password_change_required=False,
                    temporary_password_expires_at=None,
                )
            )
            await uow.password_links.mark_used(user.id, now)
            await uow.sessions.delete_for_all(SessionSubject.USER, [user.id])
            await uow.audit.add(_event(user, "PASSWORD_LINK_USED", now))
            await uow.commit()
        return SetOutcome(again, done=True)

    async def _check(
        self, uow: UnitOfWork, token: str, *, for_update: bool = False
    ) -> tuple[OpenedLink, User | None]:
        system = self.config.default_language
        link = await uow.password_links.by_token_hash(digest(token), for_update=for_update)
        user = None if link is None else await uow.users.get(link.user_id, for_update=for_update)
        if link is None or user is None:
            return OpenedLink(LinkState.UNKNOWN, system), None
        location = await uow.locations.get(user.location_id)
        language = mail_language(user, location, system)
        state = _state(link, user, self.clock.now())
        policy = _policy(location)
        return OpenedLink(state, language, policy, user.login), user

    async def expire_due(self) -> int:
        """The sweep: audits each link that expired unused and not yet audited
        (PASSWORD_LINK_EXPIRED, at its expiry) and marks it used up; how many."""
        async with self.uow as uow:
            links = await uow.password_links.expired_unused(self.clock.now())
            users = await uow.users.get_many([link.user_id for link in links])
            for link in links:
                await uow.password_links.mark_used(link.user_id, link.expires_at)
                if link.user_id in users:
                    event = _event(users[link.user_id], "PASSWORD_LINK_EXPIRED", link.expires_at)
                    await uow.audit.add(event)
            await uow.commit()
        return len(links)

    async def _expire(self, token: str) -> None:
        """A POST with an expired link: audited and used up, unless already."""
        async with self.uow as uow:
            link = await uow.password_links.by_token_hash(digest(token), for_update=True)
            user = None if link is None else await uow.users.get(link.user_id)
            if user is not None:
                await self._audit_expired(uow, user, token)
            await uow.commit()

    async def _audit_expired(self, uow: UnitOfWork, user: User, token: str) -> None:
        link = await uow.password_links.by_token_hash(digest(token), for_update=True)
        if link is None or link.used_at is not None or self.clock.now() < link.expires_at:
            return
        await uow.password_links.mark_used(user.id, link.expires_at)
        await uow.audit.add(_event(user, "PASSWORD_LINK_EXPIRED", self.clock.now()))


def _state(link: PasswordLink, user: User, now: datetime) -> LinkState:
    if link.used_at is not None:
        return LinkState.EXPIRED if link.used_at == link.expires_at else LinkState.USED
    if user.blocked or _stamp(user) != link.password_stamp:
        return LinkState.REVOKED
    if now >= link.expires_at:
        return LinkState.EXPIRED
    return LinkState.VALID


def _stamp(user: User) -> str:
    """What a link remembers of the password it was made with (a user without one:
    the digest of nothing, so that setting any password ends the link)."""
    return digest(user.password_hash or "")


def _policy(location: Location | None) -> PasswordPolicy | None:
    return None if location is None else location.password_policy


def _event(user: User, action: str, at: datetime) -> AuditEvent:
    return AuditEvent(
        at=at, actor=user.login, action=action, target_user_id=user.id,
        location_id=user.location_id,
    )  # fmt: skip
