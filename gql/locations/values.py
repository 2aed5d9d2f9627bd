"""What a location (and a group, and a user) sets: its password policy and its
settings, as output and as input."""

from __future__ import annotations

import dataclasses

import strawberry
from strawberry.scalars import JSON

from domain import model


@dataclasses.dataclass(kw_only=True)
class _PasswordPolicyFields:
    """The domain's fields, one by one: as output and as input."""

    min_length: int = strawberry.field(
        description="A password has at least this many characters, counted as a person sees "
        "them (NFKC-normalised; invisible format characters and combining marks do not "
        "count); at least 1 (default 12)."
    )
    max_length: int = strawberry.field(
        description="A password has at most this many characters: from minLength to 1024 "
        "(default 128)."
    )
    require_uppercase: bool = strawberry.field(
        description="A password needs an uppercase letter A-Z (default true)."
    )
    require_lowercase: bool = strawberry.field(
        description="A password needs a lowercase letter a-z (default true)."
    )
    require_digit: bool = strawberry.field(
        description="A password needs a digit 0-9 (default true)."
    )
    require_symbol: bool = strawberry.field(
        description="A password needs an ASCII punctuation character (default false)."
    )


@strawberry.type(
    description="The rules a user's password must meet in a location: when it is set by hand "
    "(setUserPassword, createUser), changed (changeMyPassword) or made by a reset. "
    "Administrators' passwords follow the defaults. On every path, a password that is or "
    "contains the account's login (ignoring case; for a login of 3 or more characters) is "
    "refused (PASSWORD_POLICY)."
)
class PasswordPolicy(_PasswordPolicyFields):
    @classmethod
    def from_domain(cls, policy: model.PasswordPolicy) -> PasswordPolicy:
        return cls(**dataclasses.asdict(policy))


@strawberry.input(
    description="A location's password policy, all rules at once. A policy no password can "
    "meet is refused (INVALID_PASSWORD_POLICY): minLength below 1, maxLength below minLength "
    "or above 1024, or too short for the required character classes."
)
class PasswordPolicyInput(_PasswordPolicyFields):
    def to_domain(self) -> model.PasswordPolicy:
        return model.PasswordPolicy(**dataclasses.asdict(self))


@strawberry.type(description="A program or presence setting: a key and its JSON value.")
class Setting:
    key: str = strawberry.field(description="The setting's name, e.g. a hotkey's.")
    value: JSON = strawberry.field(description="Its value: any JSON value but null.")

    @classmethod
    def list_of(cls, settings: model.Settings) -> list[Setting]:
        # A null (stored by hand: the API refuses one) would null the whole owner.
        return [cls(key=k, value=v) for k, v in sorted(settings.items()) if v is not None]


def settings_or_none(settings: model.Settings | None) -> list[Setting] | None:
    return None if settings is None else Setting.list_of(settings)


@strawberry.input(
    description="A program or presence setting. Keys: 1 to 200 characters, each once in a "
    "list (INVALID_SETTING_KEY, DUPLICATE_SETTING_KEY). Values: any JSON but null (REQUIRED), "
    "at most 20 deep (VALUE_TOO_DEEP) and 16 KiB as JSON (VALUE_TOO_LARGE)."
)
class SettingInput:
    key: str = strawberry.field(description="The setting's name.")
    value: JSON = strawberry.field(description="Its value.")


def setting_items(settings: list[SettingInput]) -> list[tuple[str, object]]:
    return [(s.key, s.value) for s in settings]


def setting_items_or_none(settings: list[SettingInput] | None) -> list[tuple[str, object]] | None:
    return None if settings is None else setting_items(settings)
