"""The reset jobs' repository (domain/reset_job_model.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.reset_job_model import ResetJob, ResetJobResult, ResetJobState


class ResetJobRepository(Protocol):
    async def add(self, job: ResetJob) -> ResetJob:
        """Stores a new job (its ``id`` ignored) and returns it with its id."""
        ...

    async def get(self, job_id: int) -> ResetJob | None: ...

    async def newest(self, admin_id: int | None, limit: int) -> list[ResetJob]:
        """The newest jobs first; of one administrator, or (None) of all."""
        ...

    async def claim_due(
        self, now: datetime, claim_until: datetime, *, token: str
    ) -> ResetJob | None:
        """One job due at ``now``: scheduled, or running with its claim run out (its
        worker ended); stored and returned RUNNING with the claim. PostgreSQL: ``FOR
        UPDATE SKIP LOCKED``, so several workers take different jobs; SQLite: one
        ``UPDATE … RETURNING`` under the database's write lock."""
        ...

    async def fence(self, job_id: int, token: str, claim_until: datetime) -> ResetJob | None:
        """The job, locked for the transaction and its claim renewed, if the claim is
        still ``token``'s; None when another worker took it over."""
        ...

    async def update(self, job: ResetJob) -> None:
        """Stores the job's state, counts and claim."""
        ...

    async def cancel(self, job_id: int, now: datetime) -> ResetJobState | None:
        """A scheduled job becomes CANCELLED, a running one is asked to stop; the
        state it had (None: no such job)."""
        ...

    async def add_results(self, results: Sequence[ResetJobResult]) -> None: ...

    async def results(self, job_id: int) -> list[ResetJobResult]:
        """The job's results in request order."""
        ...

    async def done_keys(self, job_id: int) -> set[str]:
        """The keys of the users the job has a result for."""
        ...

    async def purge(self, before: datetime) -> int:
        """Deletes the finished jobs (and their results) kept until before ``before``."""
        ...
