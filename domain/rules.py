"""The rules of docs/design.md as pure functions: relationships, settings, passwords."""

from __future__ import annotations

import math
import string
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from domain.model import (
    ConfigurationGroup,
    Location,
    PasswordPolicy,
    RelationshipLevel,
    RelationshipSource,
    Settings,
    Team,
    User,
)

# ---- relationships ----


@dataclass(frozen=True)
class ScopeDefault:
    level: RelationshipLevel
    source: RelationshipSource


@dataclass(frozen=True)
class EffectiveRelationship:
    target_id: int
    level: RelationshipLevel
    source: RelationshipSource


def scope_default(
    user: User, location: Location, group: ConfigurationGroup | None
) -> ScopeDefault | None:
    """The level a user grants every other user of its location; None for a VIP."""
    if user.is_vip:
        return None
    if group is not None and group.default_relationship is not None:
        return ScopeDefault(group.default_relationship, RelationshipSource.CONFIGURATION_GROUP)
    return ScopeDefault(location.default_relationship, RelationshipSource.LOCATION)


def team_levels(owner: User, teams: Iterable[Team]) -> dict[int, RelationshipLevel]:
    """Highest team level per team-mate. A VIP has no defaults, teams included."""
    if owner.is_vip:
        return {}
    levels: dict[int, RelationshipLevel] = {}
    for team in teams:
        for member in team.member_ids:
            if member != owner.id and levels.get(member, -1) < team.relationship:
                levels[member] = team.relationship
    return levels


def default_relationship(
    owner: User,
    target: User,
    default: ScopeDefault | None,
    team_level: RelationshipLevel | None,
) -> EffectiveRelationship | None:
    """What applies to a pair when the owner set nothing: the highest default."""
    candidates: list[EffectiveRelationship] = []
    if default is not None and target.location_id == owner.location_id:
        candidates.append(EffectiveRelationship(target.id, default.level, default.source))
    if team_level is not None:
        candidates.append(EffectiveRelationship(target.id, team_level, RelationshipSource.TEAM))
    # max() keeps the first of equals: the scope default wins a tie with a team.
    return max(candidates, key=lambda r: r.level, default=None)


def effective_relationship(
    owner: User,
    target: User,
    *,
    default: ScopeDefault | None,
    own: Mapping[int, RelationshipLevel],
    teams: Iterable[Team],
) -> EffectiveRelationship | None:
    if target.id == owner.id:
        return None
    if target.id in own:
        return EffectiveRelationship(target.id, own[target.id], RelationshipSource.USER)
    return default_relationship(owner, target, default, team_levels(owner, teams).get(target.id))


def listed_relationships(
    owner: User,
    *,
    default: ScopeDefault | None,
    own: Mapping[int, RelationshipLevel],
    teams: Iterable[Team],
    target_location_ids: Mapping[int, int],
) -> list[EffectiveRelationship]:
    """Outgoing relationships that differ from the owner's scope default.

    Team levels count where they beat the default (or the default does not
    reach the target, which lives in another location); own settings win.
    ``target_location_ids`` maps each team-mate to its location.
    """
    listed: dict[int, EffectiveRelationship] = {}
    for target_id, level in team_levels(owner, teams).items():
        same_location = target_location_ids.get(target_id) == owner.location_id
        if default is None or not same_location or level > default.level:
            listed[target_id] = EffectiveRelationship(target_id, level, RelationshipSource.TEAM)
    for target_id, level in own.items():
        listed[target_id] = EffectiveRelationship(target_id, level, RelationshipSource.USER)
    return sorted(listed.values(), key=lambda r: r.target_id)


# ---- settings ----


def effective_settings(location: Settings, group: Settings | None, own: Settings) -> Settings:
    """The location's, overlaid by the group's own list (if any), overlaid by the user's."""
    return {**location, **(group or {}), **own}


# ---- languages ----


def mail_language(user: User | None, location: Location | None, system: str) -> str:
    """The language of a user's mails: the user's own, else the location's, else the
    system's."""
    if user is not None and user.language:
        return user.language
    if location is not None and location.language:
        return location.language
    return system


# ---- passwords ----

SYMBOLS = frozenset(string.punctuation)
# The largest maxLength a policy may have.
MAX_PASSWORD_POLICY_LENGTH = 1024
# Not seen as characters of their own: format characters (zero-width space and
# joiners, direction marks, soft hyphen), combining marks and variation selectors,
# controls, surrogates.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me", "Cc", "Cs"})
# A login this long or longer may not appear anywhere in its password; a shorter one
# only not as the whole password (a login "al" would forbid too much).
MIN_LOGIN_LENGTH_CONTAINED = 3


def visible_length(password: str) -> int:
    """The characters a person sees: NFKC-normalised, invisible ones not counted."""
    return sum(
        unicodedata.category(c) not in INVISIBLE_CATEGORIES
        for c in unicodedata.normalize("NFKC", password)
    )


def _folded(text: str) -> str:
    visible = (
        c for c in unicodedata.normalize("NFKC", text)
        if unicodedata.category(c) not in INVISIBLE_CATEGORIES
    )  # fmt: skip
    return "".join(visible).casefold()


def contains_login(password: str, login: str) -> bool:
    """The password is the login, or holds it (ignoring case, width and invisible
    characters); see MIN_LOGIN_LENGTH_CONTAINED."""
    folded, name = _folded(password), _folded(login)
    if not name:
        return False
    return folded == name or (len(name) >= MIN_LOGIN_LENGTH_CONTAINED and name in folded)


def password_policy_violations(policy: PasswordPolicy, password: str) -> list[str]:
    """Each rule the password breaks, as a sentence for the administrator.

    The length counts what a person sees (``visible_length``); the character classes
    are ASCII's, as typed: A-Z, a-z, 0-9 and ASCII punctuation (a Cyrillic capital A
    or a fullwidth digit one is a character, but none of these). The upper bound
    counts every code point, as stored.
    """
    broken: list[str] = []
    if visible_length(password) < policy.min_length:
        broken.append(f"at least {policy.min_length} characters")
    if len(password) > policy.max_length:
        broken.append(f"at most {policy.max_length} characters")
    if policy.require_uppercase and not any(c in UPPERCASE for c in password):
        broken.append("an uppercase letter")
    if policy.require_lowercase and not any(c in LOWERCASE for c in password):
        broken.append("a lowercase letter")
    if policy.require_digit and not any(c in DIGITS for c in password):
        broken.append("a digit")
    if policy.require_symbol and not any(c in SYMBOLS for c in password):
        broken.append("a symbol")
    return broken


def password_policy_problems(policy: PasswordPolicy) -> list[str]:
    """What makes a policy itself unusable."""
    problems: list[str] = []
    if policy.min_length < 1:
        problems.append("minLength must be at least 1")
    if policy.max_length < policy.min_length:
        problems.append("maxLength must not be below minLength")
    if policy.max_length > MAX_PASSWORD_POLICY_LENGTH:
        problems.append(f"maxLength must be at most {MAX_PASSWORD_POLICY_LENGTH}")
    required = sum(
        [
            policy.require_uppercase,
            policy.require_lowercase,
            policy.require_digit,
            policy.require_symbol,
        ]
    )
    if policy.max_length < required:
        problems.append("maxLength leaves no room for the required character classes")
    return problems


# ---- random secrets ----

# Generated passwords are typed from a mail: none of the characters that are easily
# confused (l/1/I, 0/O/o), none that keyboards move or make dead keys (y/z on QWERTZ,
# ^ ~ and accents), no quotes, bars or brackets. docs/administrators/mails.md gives the figures.
UPPERCASE = "ABCDEFGHJKLMNPQRSTUVWX"
LOWERCASE = "abcdefghijkmnpqrstuvwx"
DIGITS = string.digits
PASSWORD_DIGITS = "23456789"
PASSWORD_SYMBOLS = "!#$%&*+-=?@"
PASSWORD_ALPHABET = UPPERCASE + LOWERCASE + PASSWORD_DIGITS + PASSWORD_SYMBOLS
MIN_RANDOM_PASSWORD_LENGTH = 16
# What a generated password had before the typable alphabet, at most: 16 characters of
# 90 (letters, digits and 28 symbols). A generated password keeps at least this.
TARGET_PASSWORD_ENTROPY_BITS = 16 * math.log2(90)


class RandomChoices(Protocol):
    def choice(self, alphabet: str) -> str: ...
    def shuffled(self, items: list[str]) -> list[str]: ...


def _required_classes(policy: PasswordPolicy) -> list[str]:
    return [
        alphabet
        for alphabet, wanted in (
            (UPPERCASE, policy.require_uppercase),
            (LOWERCASE, policy.require_lowercase),
            (PASSWORD_DIGITS, policy.require_digit),
            (PASSWORD_SYMBOLS, policy.require_symbol),
        )
        if wanted
    ]


def random_password_entropy_bits(policy: PasswordPolicy, length: int) -> float:
    """A lower bound of the entropy of ``random_password``'s passwords of ``length``.

    The password is a uniform shuffle of one character of each required class and
    ``length - k`` of the whole alphabet; given the shuffle, the password names those
    choices, so its entropy is at least theirs.
    """
    required = _required_classes(policy)
    bits = sum(math.log2(len(alphabet)) for alphabet in required)
    return bits + (length - len(required)) * math.log2(len(PASSWORD_ALPHABET))


def random_password_length(policy: PasswordPolicy, wanted: int) -> int:
    """At least ``wanted`` (and 16), long enough to keep the target entropy, within
    the policy's bounds."""
    length = max(wanted, MIN_RANDOM_PASSWORD_LENGTH, policy.min_length)
    while random_password_entropy_bits(policy, length) < TARGET_PASSWORD_ENTROPY_BITS:
        length += 1
    return min(length, policy.max_length)


def random_password(policy: PasswordPolicy, random: RandomChoices, wanted_length: int) -> str:
    """A password that satisfies the policy: one of each required class, the rest mixed."""
    required = _required_classes(policy)
    length = random_password_length(policy, wanted_length)
    chars = [random.choice(alphabet) for alphabet in required]
    chars += [random.choice(PASSWORD_ALPHABET) for _ in range(length - len(chars))]
    return "".join(random.shuffled(chars))


def is_trivial_pin(pin: str, work_phone: str | None) -> bool:
    """Three equal digits in a row, three ascending or descending, or the work phone's."""
    for a, b, c in zip(pin, pin[1:], pin[2:], strict=False):
        x, y, z = int(a), int(b), int(c)
        if x == y == z or (y - x == z - y and abs(y - x) == 1):
            return True
    phone_digits = "".join(ch for ch in work_phone or "" if ch.isdigit())
    return bool(phone_digits) and (pin in phone_digits or phone_digits in pin)


def random_pin(length: int, work_phone: str | None, random: RandomChoices) -> str:
    """A random voicemail PIN of digits that is not trivial (see ``is_trivial_pin``)."""
    while True:
        pin = "".join(random.choice(DIGITS) for _ in range(length))
        if not is_trivial_pin(pin, work_phone):
            return pin
