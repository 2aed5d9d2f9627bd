"""The progress of long operations, shared by every process that serves the API."""

from __future__ import annotations

import builtins
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = [
    "FinishedRun",
    "ProgressClaim",
    "ProgressKey",
    "ProgressSnapshot",
    "ProgressStore",
    "StoredProgress",
]


@dataclass(frozen=True)
class ProgressSnapshot:
    """How far a long operation has come."""

    done: int
    total: int
    finished: bool = False


@dataclass(frozen=True)
class FinishedRun:
    run_id: str
    snapshot: ProgressSnapshot


@dataclass(frozen=True)
class StoredProgress:
    # Which start of the operation this is: an id can be used again once finished.
    run_id: str
    # None: started, nothing reported yet.
    snapshot: ProgressSnapshot | None
    updated_at: datetime
    # The finished run that this one replaced under the same id, if any.
    previous: FinishedRun | None = None


class ProgressClaim(enum.Enum):
    CLAIMED = "CLAIMED"
    # The caller runs an unfinished operation with this id.
    IN_USE = "IN_USE"
    # The caller has as many unfinished operations as it may.
    LIMIT_REACHED = "LIMIT_REACHED"


ProgressKey = tuple[int, str]
"""(caller, operation id): the caller is the administrator who runs the operation."""


class ProgressStore(Protocol):
    """The progress of long operations, shared by every process that serves the API.

    A record not updated since ``forget_before`` (finished long ago, or
    abandoned by a process that ended) is forgotten when the next claim is made.
    """

    async def claim(
        self,
        key: ProgressKey,
        run_id: str,
        *,
        now: datetime,
        forget_before: datetime,
        max_unfinished: int,
    ) -> ProgressClaim:
        """Starts run ``run_id`` of the operation, nothing reported yet: CLAIMED when
        the key is free or holds a finished run (which it replaces)."""
        ...

    async def save(
        self, key: ProgressKey, run_id: str, snapshot: ProgressSnapshot | None, now: datetime
    ) -> bool:
        """Stores the run's state (None: unchanged, only ``updated_at``). False when the
        record is no longer this unfinished run's: forgotten, or claimed again."""
        ...

    async def load_many(
        self, keys: Iterable[ProgressKey]
    ) -> builtins.dict[ProgressKey, StoredProgress]: ...
