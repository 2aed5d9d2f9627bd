"""What a reset keeps of each action for undoReset, and how an undo puts it back.

A reset removes the user's own relationships, settings and stale contacts; it
keeps them as JSON (never a password, a PIN or another secret). An undo puts
back each kept item the user has not changed since: an item the user set again
(a relationship, a setting) or added back (a contact) keeps its newer value and
is reported as ``UNDO_CONFLICT``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from domain.error_codes import ErrorCode
from domain.errors import Problem
from domain.model import Contact, JsonValue, RelationshipLevel, Settings, User
from domain.ports import RandomSource
from domain.services.reset_outcomes import ResetOption

# The expiry in hexadecimal seconds, then random URL-safe characters.
_RESET_ID = re.compile(r"[0-9a-f]{1,12}-[A-Za-z0-9_-]{1,40}")
_CONTACT_FIELDS = ("display_name", "data_source_id", "external_id", "user_id")
SETTING_KINDS = {
    ResetOption.CLIENT_SETTINGS: "Connect Client setting",
    ResetOption.PRESENCE_SETTINGS: "presence setting",
}


def new_reset_id(until: datetime, random: RandomSource) -> str:
    """A reset's id. Its expiry leads it, so that an undo after the purge removed what
    was kept still answers UNDO_EXPIRED rather than RESET_NOT_FOUND."""
    return f"{int(until.timestamp()):x}-{random.token()[:20]}"


def expiry_of(reset_id: str) -> datetime | None:
    """The expiry a reset id carries; None for an id no reset can have (checked before
    it reaches a query: PostgreSQL refuses some characters outright)."""
    if _RESET_ID.fullmatch(reset_id) is None:
        return None
    try:
        return datetime.fromtimestamp(int(reset_id.partition("-")[0], 16), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def settings_of(user: User, option: ResetOption) -> Settings:
    """The user's own settings that a settings action (SETTING_KINDS) removes."""
    return user.client_settings if option is ResetOption.CLIENT_SETTINGS else user.presence_settings


def with_settings(user: User, option: ResetOption, settings: Settings) -> User:
    if option is ResetOption.CLIENT_SETTINGS:
        return replace(user, client_settings=settings)
    return replace(user, presence_settings=settings)


def kept_relationships(own: Mapping[int, RelationshipLevel]) -> dict[str, JsonValue]:
    return {"relationships": {str(target): level.name for target, level in own.items()}}


def kept_settings(settings: Settings) -> dict[str, JsonValue]:
    return {"settings": dict(settings)}


def kept_contacts(contacts: Sequence[Contact]) -> dict[str, JsonValue]:
    return {"contacts": [{name: getattr(c, name) for name in _CONTACT_FIELDS} for c in contacts]}


@dataclass
class Restoration:
    """What an undo puts back of one action (item names), and what it leaves."""

    option: ResetOption
    restored: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def conflict(self, item: str, message: str) -> None:
        self.conflicts.append(item)
        self.warnings.append(Problem(ErrorCode.UNDO_CONFLICT, message))


def restore_relationships(
    kept: Mapping[str, JsonValue],
    current: Mapping[int, RelationshipLevel],
    targets: Mapping[int, User],
) -> tuple[dict[int, RelationshipLevel], Restoration]:
    """The levels to set again; a target the owner set a level for since keeps it."""
    result = Restoration(ResetOption.RELATIONSHIPS)
    to_set: dict[int, RelationshipLevel] = {}
    for key, name in dict(kept.get("relationships") or {}).items():
        target_id, level = int(key), RelationshipLevel[name]
        target = targets.get(target_id)
        if target is None:
            result.warnings.append(
                Problem(
                    ErrorCode.UNDO_ITEM_GONE,
                    f"The relationship to user {target_id} cannot be put back: "
                    "that user no longer exists.",
                )
            )
            continue
        newer = current.get(target_id)
        if newer is None:
            to_set[target_id] = level
            result.restored.append(target.login)
        elif newer is not level:
            result.conflict(
                target.login,
                f"The relationship to {target.login} was set again after the reset: its "
                f"newer level {newer.name} stays (the reset removed {level.name}).",
            )
    return to_set, result


def restore_settings(
    option: ResetOption, kept: Mapping[str, JsonValue], current: Settings
) -> tuple[Settings, Restoration]:
    """The settings with the kept ones put back; a key set since keeps its newer value."""
    result = Restoration(option)
    merged = dict(current)
    for key, value in dict(kept.get("settings") or {}).items():
        if key not in current:
            merged[key] = value
            result.restored.append(key)
        elif current[key] != value:
            result.conflict(
                key,
                f"The {SETTING_KINDS[option]} {key!r} was set again after the reset: "
                "its newer value stays.",
            )
    return merged, result


def restore_contacts(
    owner_id: int, kept: Mapping[str, JsonValue], current: Sequence[Contact]
) -> tuple[list[Contact], Restoration]:
    """The contacts to add again; one the user added back since stays as it is."""
    result = Restoration(ResetOption.CONTACT_LIST)
    to_add: list[Contact] = []
    for entry in list(kept.get("contacts") or []):
        contact = Contact(owner_id=owner_id, **{name: entry.get(name) for name in _CONTACT_FIELDS})
        if any(_same_entry(contact, c) for c in current):
            result.conflict(
                contact.display_name,
                f"The contact {contact.display_name!r} was added back after the reset: "
                "it stays as it is.",
            )
            continue
        to_add.append(contact)
        result.restored.append(contact.display_name)
    return to_add, result


def _same_entry(a: Contact, b: Contact) -> bool:
    """As ``ContactRepository.exists``: the same user, or the same data-source entry."""
    if a.user_id is not None:
        return a.user_id == b.user_id
    return (a.data_source_id, a.external_id) == (b.data_source_id, b.external_id)
