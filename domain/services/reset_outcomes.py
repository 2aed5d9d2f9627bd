"""What a reset may do, and what it answers for each user."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from domain.error_codes import ErrorCode
from domain.errors import Problem
from domain.model import User


class ResetOption(enum.Enum):
    """In the order of the contract's ResetAction, which results follow."""

    PASSWORD = "PASSWORD"
    VOICEMAIL_PIN = "VOICEMAIL_PIN"
    RELATIONSHIPS = "RELATIONSHIPS"
    CLIENT_SETTINGS = "CLIENT_SETTINGS"
    PRESENCE_SETTINGS = "PRESENCE_SETTINGS"
    CONTACT_LIST = "CONTACT_LIST"
    # Added after the others (the contract's enum grows at its end only).
    UNLOCK = "UNLOCK"
    EXPIRE_PASSWORD = "EXPIRE_PASSWORD"


# What undoReset can put back; a password or a PIN is never kept, so never undone,
# nor is an ended lockout or an expired password (domain/services/reset_access.py).
UNDOABLE = frozenset(
    {
        ResetOption.RELATIONSHIPS,
        ResetOption.CLIENT_SETTINGS,
        ResetOption.PRESENCE_SETTINGS,
        ResetOption.CONTACT_LIST,
    }
)


@dataclass(frozen=True)
class UndoTicket:
    """How to undo a reset: its id for undoReset, and until when that is possible."""

    reset_id: str
    until: datetime


class UserResetStatus(enum.Enum):
    SUCCEEDED = "SUCCEEDED"
    PARTIAL = "PARTIAL"
    FAILED = "FAILED"


@dataclass(frozen=True)
class ActionOutcome:
    option: ResetOption
    done: bool
    # Items removed, restored or replaced (with dry run: that would be).
    changes: int = 0
    problems: tuple[Problem, ...] = ()
    # The new password's one-time link was queued (password_links.py), not the password.
    link_sent: bool = False


@dataclass
class UserResetOutcome:
    """The result for one requested key; ``user`` None when not found."""

    key: str
    user: User | None
    actions: list[ActionOutcome] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Set when the reset kept something of this user that undoReset can put back.
    undo: UndoTicket | None = None

    @property
    def status(self) -> UserResetStatus:
        if self.problems or not self.actions:
            return UserResetStatus.FAILED
        done = sum(a.done for a in self.actions)
        if done == len(self.actions):
            return UserResetStatus.SUCCEEDED
        return UserResetStatus.PARTIAL if done else UserResetStatus.FAILED


USER_NOT_FOUND = Problem(ErrorCode.USER_NOT_FOUND, "No such user.")
NOT_STORED = Problem(ErrorCode.NOT_STORED, "The changes could not be stored; nothing was changed.")


def selected_options(
    *,
    password: bool = False,
    voicemail_pin: bool = False,
    relationships: bool = False,
    client_settings: bool = False,
    presence_settings: bool = False,
    contact_list: bool = False,
    unlock: bool = False,
    expire_password: bool = False,
) -> list[ResetOption]:
    chosen = {
        ResetOption.PASSWORD: password,
        ResetOption.VOICEMAIL_PIN: voicemail_pin,
        ResetOption.RELATIONSHIPS: relationships,
        ResetOption.CLIENT_SETTINGS: client_settings,
        ResetOption.PRESENCE_SETTINGS: presence_settings,
        ResetOption.CONTACT_LIST: contact_list,
        ResetOption.UNLOCK: unlock,
        ResetOption.EXPIRE_PASSWORD: expire_password,
    }
    return [option for option in ResetOption if chosen[option]]
