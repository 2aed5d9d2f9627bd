"""What the input types of every area share: omitted and null arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

from domain.unset import UNSET, Maybe

T = TypeVar("T")
R = TypeVar("R")


def change_field(description: str) -> Any:
    """A field of an Update…Input: ``UNSET`` when the caller omits it, and the value then
    stays as it is (the domain's ``Maybe``)."""
    return strawberry.field(default=strawberry.UNSET, description=description)


def given(value: object) -> Maybe[object]:
    """Strawberry's UNSET (argument omitted) as the domain's UNSET."""
    return UNSET if value is strawberry.UNSET else value


def kept_if_null(value: T | None, convert: Callable[[T], R]) -> Maybe[R]:
    """Omitted, or null for an attribute that cannot be null: left as it is."""
    if value is None or value is strawberry.UNSET:
        return UNSET
    return convert(value)
