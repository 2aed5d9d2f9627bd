"""What the input types of every area share: omitted and null arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry

from domain.unset import UNSET, Maybe

T = TypeVar("T")
R = TypeVar("R")


def given(value: object) -> Maybe[object]:
    """Strawberry's UNSET (argument omitted) as the domain's UNSET."""
    return UNSET if value is strawberry.UNSET else value


def kept_if_null(value: T | None, convert: Callable[[T], R]) -> Maybe[R]:
    """Omitted, or null for an attribute that cannot be null: left as it is."""
    if value is None or value is strawberry.UNSET:
        return UNSET
    return convert(value)
