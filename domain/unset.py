"""A marker for "not given" in partial updates, distinct from an explicit None."""

from __future__ import annotations

import enum
from typing import Literal, TypeAlias, TypeGuard, TypeVar, Union

T = TypeVar("T")


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset.UNSET
Maybe: TypeAlias = Union[T, Literal[_Unset.UNSET]]  # noqa: UP007 (a generic alias)


def is_set(value: T | Literal[_Unset.UNSET]) -> TypeGuard[T]:
    return value is not UNSET
