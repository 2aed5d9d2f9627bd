"""Forgot password: a user asks for a set-password link by login or e-mail address
(``requestPasswordLink``, the /forgot-password page), at a location that allows it
(``Location.forgot_password``, off unless true).

The answer is the same whether or not such a user exists, whether the location
allows it, and whether a mail goes out: only the audit trail (PASSWORD_LINK_REQUESTED,
its ``outcome``) and the user's mailbox tell. The link is the reset's
(password_links.py), stamped with the user's current password (or none), which keeps
working:
a stranger who asks for a link locks nobody out, and the link stops working once the
password changes. A new link replaces an older one.

Requests are counted like failed sign-ins (the ``sign_in_attempts`` store, so the
limit holds across workers and hosts), before they are looked at, so parallel
requests cannot pass the limit: ``forgot_password_per_client`` from one client
address and ``forgot_password_per_address`` for one login or e-mail address (from
all clients together) within ``sign_in_window``; beyond, TOO_MANY_PASSWORD_LINK_REQUESTS,
and nothing is looked up or mailed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from domain.error_codes import ErrorCode
from domain.errors import DomainError
from domain.model import MailKind, User
from domain.ports import Clock, SecretBox, UnitOfWork
from domain.principals import Anonymous
from domain.services.audit import AuditTrail
from domain.services.config import ServiceConfig
from domain.services.lockout import MAX_CLIENT_LENGTH
from domain.services.mail import check_mail_route
from domain.services.outbox import queue_mail
from domain.services.password_links import new_link

# The longest login or e-mail address looked at (the login's column, an address's 254).
MAX_GIVEN_LENGTH = 254
# The keys of the counted requests, beside the sign-ins' "USER:…" and "ADMINISTRATOR:…";
# the login or address in its key is cut to what a sign-in key holds (a login's 200).
CLIENT_KEY = "FORGOT_PASSWORD_CLIENT:"
ADDRESS_KEY = "FORGOT_PASSWORD:"
MAX_KEYED_LENGTH = 200
TOO_MANY = DomainError.of(
    ErrorCode.TOO_MANY_PASSWORD_LINK_REQUESTS,
    "Too many requests for a set-password link; try again in 15 minutes.",
)


class Outcome(enum.Enum):
    """What became of a request, in its audit event."""

    LINK_SENT = "LINK_SENT"
    UNKNOWN = "UNKNOWN"  # no user has this login, nor (only one) this e-mail address
    NOT_ENABLED = "NOT_ENABLED"  # the user's location does not allow it
    BLOCKED = "BLOCKED"
    NO_EMAIL = "NO_EMAIL"  # no usable e-mail address
    NO_GATEWAY = "NO_GATEWAY"
    LIMITED = "LIMITED"


@dataclass(frozen=True)
class ForgotPassword:
    uow: UnitOfWork
    clock: Clock
    audit: AuditTrail
    secrets: SecretBox
    config: ServiceConfig

    async def request_link(self, login_or_email: str, client: str) -> None:
        """Mails ``login_or_email``'s user a set-password link when its location allows
        it; answers nothing either way. TOO_MANY_PASSWORD_LINK_REQUESTS past the limit."""
        given = login_or_email.strip()[:MAX_GIVEN_LENGTH]
        client = client[:MAX_CLIENT_LENGTH]
        now = self.clock.now()
        client_key = CLIENT_KEY + client
        address_key = ADDRESS_KEY + given.casefold()[:MAX_KEYED_LENGTH]
        async with self.uow as uow:
            await uow.sign_in_attempts.record_failure(client_key, client, now)
            await uow.sign_in_attempts.record_failure(address_key, client, now)
            await uow.commit()
        since = now - self.config.sign_in_window
        async with self.uow as uow:
            from_client = await uow.sign_in_attempts.failures_since(client_key, since)
            for_address = await uow.sign_in_attempts.failures_since(address_key, since)
            limited = (
                len(from_client) > self.config.forgot_password_per_client
                or len(for_address) > self.config.forgot_password_per_address
            )
            user = None if limited or not given else await _user_of(uow, given)
            outcome = Outcome.LIMITED if limited else await self._send(uow, user)
            await self.audit.record(
                uow,
                Anonymous(),
                "PASSWORD_LINK_REQUESTED",
                target_user_id=None if user is None else user.id,
                scope_location_id=None if user is None else user.location_id,
                requested=given,
                client=client,
                outcome=outcome.value,
            )
            await uow.commit()
        if limited:
            raise TOO_MANY

    async def _send(self, uow: UnitOfWork, user: User | None) -> Outcome:
        if user is None:
            return Outcome.UNKNOWN
        location = await uow.locations.get(user.location_id)
        if location is None or location.forgot_password is not True:
            return Outcome.NOT_ENABLED
        if user.blocked:
            return Outcome.BLOCKED
        try:
            gateway = check_mail_route(user, await uow.email_gateway.get())
        except DomainError as refused:
            if refused.problems[0].code in (ErrorCode.EMAIL_MISSING, ErrorCode.EMAIL_INVALID):
                return Outcome.NO_EMAIL
            return Outcome.NO_GATEWAY
        link, url = new_link(self.clock, self.config, user)
        await uow.password_links.replace_many([link])
        await queue_mail(
            self.clock, self.secrets, uow, gateway, MailKind.PASSWORD_LINK, user, secret=url,
            expires_hours=int(self.config.password_link_ttl.total_seconds() // 3600),
            expires_at=link.expires_at.isoformat(), requested=True,
        )  # fmt: skip
        return Outcome.LINK_SENT


async def _user_of(uow: UnitOfWork, given: str) -> User | None:
    """The user of this login, else the one user of this e-mail address (several: none)."""
    user = await uow.users.get_by_login(given)
    if user is not None:
        return user
    if "@" not in given:
        return None
    found = await uow.users.with_email(given)
    return found[0] if len(found) == 1 else None
