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

    min_length: int
    max_length: int
    require_uppercase: bool
    require_lowercase: bool
    require_digit: bool
    require_symbol: bool


@strawberry.type
class PasswordPolicy(_PasswordPolicyFields):
    @classmethod
    def from_domain(cls, policy: model.PasswordPolicy) -> PasswordPolicy:
        return cls(**dataclasses.asdict(policy))


@strawberry.input
class PasswordPolicyInput(_PasswordPolicyFields):
    def to_domain(self) -> model.PasswordPolicy:
        return model.PasswordPolicy(**dataclasses.asdict(self))


@strawberry.type(description="A program or presence setting: a key and its JSON value.")
class Setting:
    key: str
    value: JSON

    @classmethod
    def list_of(cls, settings: model.Settings) -> list[Setting]:
        # A null (stored by hand: the API refuses one) would null the whole owner.
        return [cls(key=k, value=v) for k, v in sorted(settings.items()) if v is not None]


def settings_or_none(settings: model.Settings | None) -> list[Setting] | None:
    return None if settings is None else Setting.list_of(settings)


@strawberry.input
class SettingInput:
    key: str
    value: JSON


def setting_items(settings: list[SettingInput]) -> list[tuple[str, object]]:
    return [(s.key, s.value) for s in settings]


def setting_items_or_none(settings: list[SettingInput] | None) -> list[tuple[str, object]] | None:
    return None if settings is None else setting_items(settings)
