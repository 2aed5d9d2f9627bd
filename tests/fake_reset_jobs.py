"""The reset jobs' repository in memory, for tests/fakes.py's unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from domain.reset_job_model import ResetJob, ResetJobResult, ResetJobState


class JobTables(Protocol):
    reset_jobs: dict[int, ResetJob]
    reset_job_results: dict[tuple[int, int], ResetJobResult]

    def next_id(self, table: str) -> int: ...


class Store(Protocol):
    @property
    def store(self) -> JobTables: ...


class FakeResetJobRepository:
    def __init__(self, uow: Store) -> None:
        self._uow = uow

    @property
    def _jobs(self) -> dict[int, ResetJob]:
        return self._uow.store.reset_jobs

    async def add(self, job: ResetJob) -> ResetJob:
        stored = replace(job, id=self._uow.store.next_id("reset_jobs"))
        self._jobs[stored.id] = stored
        return stored

    async def get(self, job_id: int) -> ResetJob | None:
        return self._jobs.get(job_id)

    async def newest(self, admin_id: int | None, limit: int) -> list[ResetJob]:
        jobs = sorted(self._jobs.values(), key=lambda j: -j.id)
        return [j for j in jobs if admin_id is None or j.admin_id == admin_id][:limit]

    async def claim_due(
        self, now: datetime, claim_until: datetime, *, token: str
    ) -> ResetJob | None:
        def due(job: ResetJob) -> bool:
            if job.state is ResetJobState.SCHEDULED:
                return job.run_at <= now
            return (
                job.state is ResetJobState.RUNNING
                and job.claimed_until is not None
                and job.claimed_until < now
            )

        found = sorted((j for j in self._jobs.values() if due(j)), key=lambda j: (j.run_at, j.id))
        if not found:
            return None
        job = replace(
            found[0],
            state=ResetJobState.RUNNING,
            claimed_until=claim_until,
            claim_token=token,
            started_at=found[0].started_at or now,
        )
        self._jobs[job.id] = job
        return job

    async def fence(self, job_id: int, token: str, claim_until: datetime) -> ResetJob | None:
        job = self._jobs.get(job_id)
        if job is None or job.claim_token != token or job.state is not ResetJobState.RUNNING:
            return None
        self._jobs[job_id] = replace(job, claimed_until=claim_until)
        return self._jobs[job_id]

    async def update(self, job: ResetJob) -> None:
        self._jobs[job.id] = job

    async def cancel(self, job_id: int, now: datetime) -> ResetJobState | None:
        job = self._jobs.get(job_id)
        if job is None:
            return None
        if job.state is ResetJobState.SCHEDULED:
            self._jobs[job_id] = replace(job, state=ResetJobState.CANCELLED, finished_at=now)
        elif job.state is ResetJobState.RUNNING:
            self._jobs[job_id] = replace(job, stop_requested=True)
        return job.state

    async def add_results(self, results: Sequence[ResetJobResult]) -> None:
        for result in results:
            self._uow.store.reset_job_results[(result.job_id, result.position)] = result

    async def results(self, job_id: int) -> list[ResetJobResult]:
        found = self._uow.store.reset_job_results.values()
        return sorted((r for r in found if r.job_id == job_id), key=lambda r: r.position)

    async def done_keys(self, job_id: int) -> set[str]:
        return {r.user_key for r in await self.results(job_id)}

    async def purge(self, before: datetime) -> int:
        expired = [
            j.id for j in self._jobs.values() if j.keep_until is not None and j.keep_until < before
        ]
        for job_id in expired:
            del self._jobs[job_id]
        results = self._uow.store.reset_job_results
        for key in [k for k in results if k[0] in expired]:
            del results[key]
        return len(expired)
