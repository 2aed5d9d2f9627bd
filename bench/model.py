"""What a run is asked to do (:class:`Profile`), what it found (:class:`Result`), and
its progress log on stderr."""

from __future__ import annotations

import dataclasses
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench import seed as seeding


@dataclass
class Profile:
    quick: bool
    warmup: float
    duration: float
    pages: int = 64
    connections: int = 16
    mails: int = 1000
    resets: int = 1000
    # --scale: the organisation's users, instead of the size's.
    users: int | None = None

    @property
    def size(self) -> seeding.Size:
        size = seeding.QUICK if self.quick else seeding.FULL
        if self.users is None:
            return size
        return dataclasses.replace(size, users=self.users)


@dataclass
class Result:
    database: str
    rows: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    hotspots: str = ""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
