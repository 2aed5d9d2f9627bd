"""Reset jobs and their results (domain/ports/reset_jobs.py), claimed as the outbox is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update

from domain.reset_job_model import ResetJob, ResetJobResult, ResetJobState
from persistence.repositories._base import Executor, from_row, row_values
from persistence.tables import reset_job_results, reset_jobs

_RUNNING = ResetJobState.RUNNING.value
_SCHEDULED = ResetJobState.SCHEDULED.value


def _job(row: Row[Any]) -> ResetJob:
    requested = row.requested
    return from_row(
        ResetJob,
        row,
        state=ResetJobState(row.state),
        options=tuple(row.options),
        selection=None if row.selection is None else dict(row.selection),
        requested=None if requested is None else [(str(k), i) for k, i in requested],
    )


def _values(job: ResetJob) -> dict[str, Any]:
    requested = None if job.requested is None else [list(pair) for pair in job.requested]
    return row_values(
        job, reset_jobs, state=job.state.value, options=list(job.options), requested=requested
    )


def _result(row: Row[Any]) -> ResetJobResult:
    return from_row(
        ResetJobResult,
        row,
        actions=list(row.actions),
        errors=list(row.errors),
        warnings=list(row.warnings),
    )


class SqlResetJobRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def add(self, job: ResetJob) -> ResetJob:
        job_id = await self._ex.insert_id(reset_jobs, _values(job))
        return replace(job, id=job_id)

    async def get(self, job_id: int) -> ResetJob | None:
        return await self._ex.first(select(reset_jobs).where(reset_jobs.c.id == job_id), _job)

    async def newest(self, admin_id: int | None, limit: int) -> list[ResetJob]:
        stmt = select(reset_jobs).order_by(reset_jobs.c.id.desc()).limit(limit)
        if admin_id is not None:
            stmt = stmt.where(reset_jobs.c.admin_id == admin_id)
        return [_job(row) for row in await self._ex.execute(stmt)]

    async def claim_due(
        self, now: datetime, claim_until: datetime, *, token: str
    ) -> ResetJob | None:
        c = reset_jobs.c
        due = ((c.state == _SCHEDULED) & (c.run_at <= now)) | (
            (c.state == _RUNNING) & (c.claimed_until < now)
        )
        order = (c.run_at, c.id)
        claim = {"state": _RUNNING, "claimed_until": claim_until, "claim_token": token}
        if self._ex.dialect_name == "postgresql":
            stmt = select(c.id).where(due).order_by(*order).limit(1)
            found = (await self._ex.execute(stmt.with_for_update(skip_locked=True))).first()
            if found is None:
                return None
            chosen: Any = c.id == found.id
        else:
            chosen = c.id.in_(select(c.id).where(due).order_by(*order).limit(1))
        result = await self._ex.execute(
            update(reset_jobs).where(chosen).values(**claim).returning(*reset_jobs.c)
        )
        row = result.first()
        if row is None:
            return None
        job = _job(row)
        if job.started_at is None:
            job = replace(job, started_at=now)
            await self.update(job)
        return job

    async def fence(self, job_id: int, token: str, claim_until: datetime) -> ResetJob | None:
        c = reset_jobs.c
        # UPDATE first: it takes the row's lock (PostgreSQL) until the transaction ends.
        result = await self._ex.execute(
            update(reset_jobs)
            .where(c.id == job_id, c.claim_token == token, c.state == _RUNNING)
            .values(claimed_until=claim_until)
            .returning(*reset_jobs.c)
        )
        row = result.first()
        return None if row is None else _job(row)

    async def update(self, job: ResetJob) -> None:
        values = _values(job)
        await self._ex.execute(update(reset_jobs).where(reset_jobs.c.id == job.id).values(**values))

    async def cancel(self, job_id: int, now: datetime) -> ResetJobState | None:
        c = reset_jobs.c
        found = await self._ex.first(
            select(c.state).where(c.id == job_id).with_for_update(), lambda row: row.state
        )
        if found is None:
            return None
        state = ResetJobState(found)
        if state is ResetJobState.SCHEDULED:
            values: dict[str, Any] = {"state": ResetJobState.CANCELLED.value, "finished_at": now}
        elif state is ResetJobState.RUNNING:
            values = {"stop_requested": True}
        else:
            return state
        await self._ex.execute(update(reset_jobs).where(c.id == job_id).values(**values))
        return state

    async def add_results(self, results: Sequence[ResetJobResult]) -> None:
        rows = [row_values(r, reset_job_results) for r in results]
        await self._ex.insert_many(reset_job_results, rows)

    async def results(self, job_id: int) -> list[ResetJobResult]:
        c = reset_job_results.c
        stmt = select(reset_job_results).where(c.job_id == job_id).order_by(c.position)
        return [_result(row) for row in await self._ex.execute(stmt)]

    async def done_keys(self, job_id: int) -> set[str]:
        c = reset_job_results.c
        rows = await self._ex.execute(select(c.user_key).where(c.job_id == job_id))
        return {str(row.user_key) for row in rows}

    async def purge(self, before: datetime) -> int:
        c = reset_jobs.c
        expired = select(c.id).where(c.keep_until.is_not(None), c.keep_until < before)
        await self._ex.execute(
            delete(reset_job_results).where(reset_job_results.c.job_id.in_(expired))
        )
        result = await self._ex.execute(delete(reset_jobs).where(c.id.in_(expired)))
        return int(result.rowcount or 0)
