"""Entities and value objects of the user administration.

Plain dataclasses: no ORM, no GraphQL. Identifiers are the integers the
database assigns; a new entity carries ``id = 0`` until it is stored.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JsonValue = Any
Settings = dict[str, JsonValue]


class RelationshipLevel(enum.IntEnum):
    """Ascending order of rights; comparisons follow that order."""

    BLOCKED = 0
    UNKNOWN = 1
    EXTERNAL = 2
    FORWARDING_PARTICIPANT = 3
    FORWARDER = 4
    EMPLOYEE = 5
    TEAM_COLLEAGUE = 6
    ASSISTANT = 7
    ASSISTANT_PLUS = 8


class RelationshipPolicy(enum.Enum):
    EXTEND_AND_RESTRICT = "EXTEND_AND_RESTRICT"
    EXTEND_ONLY = "EXTEND_ONLY"


class RelationshipSource(enum.Enum):
    LOCATION = "LOCATION"
    CONFIGURATION_GROUP = "CONFIGURATION_GROUP"
    TEAM = "TEAM"
    USER = "USER"


class VoicemailPinState(enum.Enum):
    NOT_SET = "NOT_SET"
    SET = "SET"
    PENDING_DELIVERY = "PENDING_DELIVERY"


class SmtpSecurity(enum.Enum):
    NONE = "NONE"
    STARTTLS = "STARTTLS"
    TLS = "TLS"


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 12
    max_length: int = 128
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_digit: bool = True
    require_symbol: bool = False


DEFAULT_PASSWORD_POLICY = PasswordPolicy()


@dataclass
class Location:
    name: str
    description: str | None = None
    password_policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY
    default_relationship: RelationshipLevel = RelationshipLevel.EMPLOYEE
    relationship_policy: RelationshipPolicy = RelationshipPolicy.EXTEND_AND_RESTRICT
    client_settings: Settings = field(default_factory=dict)
    presence_settings: Settings = field(default_factory=dict)
    # The mails' language of its users who have none; None: the system's.
    language: str | None = None
    # Where to sign in (the Connect Server's address, a link to the client), in the mails.
    sign_in_hint: str | None = None
    # A reset's new password goes as a one-time link by default; None: no (the password).
    password_link: bool | None = None
    # Its users may ask for a set-password link themselves (forgot_password.py); None: no.
    forgot_password: bool | None = None
    id: int = 0


@dataclass
class ConfigurationGroup:
    """A group inherits what it leaves as ``None`` from its location."""

    location_id: int
    name: str
    description: str | None = None
    default_relationship: RelationshipLevel | None = None
    client_settings: Settings | None = None
    presence_settings: Settings | None = None
    id: int = 0


@dataclass
class User:
    login: str
    last_name: str
    location_id: int
    first_name: str | None = None
    email: str | None = None
    work_phone: str | None = None
    mobile_phone: str | None = None
    configuration_group_id: int | None = None
    is_vip: bool = False
    blocked: bool = False
    password_hash: str | None = None
    password_change_required: bool = False
    voicemail_pin_hash: str | None = None
    voicemail_pin_state: VoicemailPinState = VoicemailPinState.NOT_SET
    # The user's own values, laid over the scope's; only what the user changed.
    client_settings: Settings = field(default_factory=dict)
    presence_settings: Settings = field(default_factory=dict)
    # Set with a random password: after it, that password no longer signs in.
    temporary_password_expires_at: datetime | None = None
    pin_failed_attempts: int = 0
    pin_locked_until: datetime | None = None
    # The language of the user's mails; None: the location's.
    language: str | None = None
    id: int = 0

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name)


def display_name(first_name: str | None, last_name: str) -> str:
    return f"{first_name} {last_name}" if first_name else last_name


@dataclass
class Team:
    name: str
    member_ids: list[int]
    relationship: RelationshipLevel = RelationshipLevel.TEAM_COLLEAGUE
    description: str | None = None
    id: int = 0


@dataclass(frozen=True)
class TeamInfo:
    """A team without its member list: what a list of a user's teams shows."""

    id: int
    name: str
    relationship: RelationshipLevel
    description: str | None = None


@dataclass
class DirectoryDataSource:
    name: str
    active: bool = True
    id: int = 0


@dataclass
class Contact:
    """An entry of a user's contact list: from a data source or another user."""

    owner_id: int
    display_name: str
    data_source_id: int | None = None
    external_id: str | None = None
    user_id: int | None = None
    id: int = 0


@dataclass
class Administrator:
    login: str
    last_name: str
    password_hash: str
    first_name: str | None = None
    email: str | None = None
    # Empty: a system administrator. Otherwise the locations it may act in.
    location_ids: frozenset[int] = frozenset()
    blocked: bool = False
    # Set by another administrator: a temporary password, changed at the next sign-in.
    password_change_required: bool = False
    id: int = 0

    @property
    def is_system(self) -> bool:
        return not self.location_ids


class SessionSubject(enum.Enum):
    ADMINISTRATOR = "ADMINISTRATOR"
    USER = "USER"


@dataclass(frozen=True)
class SignInFailure:
    """A failed sign-in of a login (its key) from one client address."""

    at: datetime
    client: str


@dataclass(frozen=True)
class SignInLockout:
    """A login locked for one client address until ``until``; ``level`` counts the
    lockouts in a row, each twice as long as the one before."""

    key: str
    client: str
    level: int
    locked_at: datetime
    until: datetime


@dataclass
class SignInSession:
    """A bearer token issued by a sign-in. Only the token's hash is kept."""

    token_hash: str
    subject: SessionSubject
    subject_id: int
    created_at: datetime
    expires_at: datetime
    id: int = 0


@dataclass
class ApiToken:
    """A long-lived bearer token of a partner integration."""

    name: str
    owner_id: int
    token_hash: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    id: int = 0


@dataclass
class AuditEvent:
    at: datetime
    actor: str
    action: str
    details: dict[str, JsonValue] = field(default_factory=dict)
    target_user_id: int | None = None
    # The location concerned, where known: a user's (kept after the user is
    # deleted), a configuration group's, a location's own. Scopes the audit log.
    location_id: int | None = None
    id: int = 0


@dataclass
class ResetUndoRecord:
    """What one action of a reset removed or overwrote for one user, kept for undoReset.

    Never a password, a PIN or any other secret: those cannot be undone.
    """

    reset_id: str
    user_id: int
    # A reset action's name (RELATIONSHIPS, CLIENT_SETTINGS, PRESENCE_SETTINGS, CONTACT_LIST).
    action: str
    kept: dict[str, JsonValue]
    kept_at: datetime
    expires_at: datetime
    undone_at: datetime | None = None
    undone_by: str | None = None
    id: int = 0


@dataclass(frozen=True)
class SmtpConnection:
    """The SMTP server mail goes through, as the gateway's settings, the mail adapter
    and an administrator's input name it: each adds its own form of the password."""

    host: str
    port: int
    security: SmtpSecurity
    sender_address: str
    sender_name: str | None = None
    username: str | None = None


@dataclass(frozen=True)
class EmailGateway(SmtpConnection):
    """System settings > E-Mail Gateway: the SMTP server mail goes through.

    The password is kept encrypted (``SecretBox``) and never leaves the server.
    """

    password_ciphertext: str | None = None


class MailKind(enum.Enum):
    PASSWORD = "PASSWORD"
    VOICEMAIL_PIN = "VOICEMAIL_PIN"
    TEST = "TEST"
    # A one-time link to the set-password page instead of the password (password_links.py).
    PASSWORD_LINK = "PASSWORD_LINK"


@dataclass(frozen=True)
class MailTemplate:
    """A location's own text of one kind of mail in one language (Jinja, sandboxed);
    where a location has none, the built-in text is sent."""

    location_id: int
    kind: MailKind
    language: str
    subject: str
    html: str
    text: str
    updated_at: datetime | None = None
    updated_by: str | None = None


class MailStatus(enum.Enum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


@dataclass
class OutgoingMail:
    """A message in the outbox (transactional outbox).

    It is stored in the same transaction as the change it reports. A secret
    (a password or PIN) waits encrypted in ``secret_ciphertext`` and is erased
    once the message is sent or has finally failed. ``context`` holds what
    the text names (login, display name), never a secret.
    """

    kind: MailKind
    recipient: str
    message_id: str
    created_at: datetime
    next_attempt_at: datetime
    context: dict[str, JsonValue] = field(default_factory=dict)
    secret_ciphertext: str | None = None
    target_user_id: int | None = None
    status: MailStatus = MailStatus.PENDING
    attempts: int = 0
    # A dispatcher that claimed the message owns it until then; the token names
    # that claim, so a dispatcher whose claim was taken over writes nothing.
    claimed_until: datetime | None = None
    claim_token: str | None = None
    last_reply_code: int | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    id: int = 0
