"""Reset jobs: a reset stored to run later (or now, in the background), and its results.

A job is claimed by one worker at a time (a lease, ``claimed_until`` with a
``claim_token``), so that with ``serve --workers N`` and several hosts on one
PostgreSQL it runs once. Each batch of users records its results in the
batch's own transaction (domain/services/reset_jobs.py): a user is reset and
recorded together or not at all, so a job resumed after a restart skips the
users already done and resets none twice.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["ResetJob", "ResetJobResult", "ResetJobState"]


class ResetJobState(enum.Enum):
    SCHEDULED = "SCHEDULED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    CANCELLED = "CANCELLED"
    STOPPED = "STOPPED"
    FAILED = "FAILED"

    @property
    def finished(self) -> bool:
        return self not in (ResetJobState.SCHEDULED, ResetJobState.RUNNING)


@dataclass(frozen=True)
class ResetJob:
    id: int
    admin_id: int
    # Who made it, as it signed in then (kept should the administrator be deleted).
    admin_login: str
    created_at: datetime
    run_at: datetime
    state: ResetJobState
    # ResetOption values, in their order.
    options: tuple[str, ...]
    password_link: bool | None
    # The selection's criteria (domain/services/reset_selection.UserSelection), or None.
    selection: dict[str, object] | None
    # The users as requested keys with their ids: given with the job, or the selection's
    # once resolved at the start; None until then.
    requested: list[tuple[str, int | None]] | None
    operation_id: str
    stop_requested: bool = False
    started_at: datetime | None = None
    finished_at: datetime | None = None
    claimed_until: datetime | None = None
    claim_token: str | None = None
    total: int | None = None
    done: int = 0
    succeeded: int = 0
    partial: int = 0
    failed: int = 0
    reset_id: str | None = None
    error: str | None = None
    # The results are kept until then: as long as the reset's undo.
    keep_until: datetime | None = None


@dataclass(frozen=True)
class ResetJobResult:
    """One user's result in a job: each action with its status, changes and codes."""

    job_id: int
    position: int
    user_key: str
    user_id: int | None
    login: str | None
    status: str
    # [{"action": ..., "done": bool, "changes": int, "errors": [codes]}]
    actions: list[dict[str, object]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
