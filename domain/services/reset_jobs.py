"""Reset jobs: a reset stored to run at a time (``runAt``), listed, cancelled or stopped.

A job holds the reset's ids or its selection (resolved when the job starts,
domain/services/reset_selection.py) and its options; a worker runs it
(domain/services/reset_job_runner.py). An administrator sees its own jobs; a system
administrator every job (``visibility.sees_reset_job``). Cancelling a job that has
not started ends it (CANCELLED, nothing done); a running one stops after the batch in
progress, which is rolled back (STOPPED: the users done stay done, and its report says
so); a finished one is RESET_JOB_FINISHED.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import DomainError, not_found
from domain.ports import Clock, UnitOfWork
from domain.principals import Principal, require_admin
from domain.reset_job_model import ResetJob, ResetJobResult, ResetJobState
from domain.services.reset import MAX_USERS_PER_RESET
from domain.services.reset_outcomes import ResetOption, UserResetOutcome
from domain.services.reset_selection import UserSelection

__all__ = ["MAX_LISTED_JOBS", "NewResetJob", "ResetJobs", "job_result"]

# How many jobs a list holds, newest first.
MAX_LISTED_JOBS = 200


@dataclass(frozen=True)
class NewResetJob:
    options: Sequence[ResetOption]
    run_at: datetime | None
    requested: Sequence[tuple[str, int | None]] | None = None
    selection: UserSelection | None = None
    password_link: bool | None = None


def job_result(job_id: int, position: int, outcome: UserResetOutcome) -> ResetJobResult:
    """One user's outcome as its row in the job's report."""
    user = outcome.user
    return ResetJobResult(
        job_id=job_id,
        position=position,
        user_key=outcome.key,
        user_id=None if user is None else user.id,
        login=None if user is None else user.login,
        status=outcome.status.value,
        actions=[
            {
                "action": a.option.value,
                "done": a.done,
                "changes": a.changes,
                "errors": [p.code.value for p in a.problems],
            }
            for a in outcome.actions
        ],
        errors=[p.code.value for p in outcome.problems],
        warnings=[p.code.value for p in outcome.warnings],
    )


@dataclass(frozen=True)
class ResetJobs:
    uow: UnitOfWork
    clock: Clock

    async def schedule(self, actor: Principal, new: NewResetJob) -> ResetJob:
        """Stores the job, to run at ``run_at`` (None or past: as soon as a worker can)."""
        admin = require_admin(actor)
        if not new.options:
            raise DomainError.of(
                ErrorCode.NO_OPTION_SELECTED, "Select at least one option.", "options"
            )
        requested = None
        if new.requested is not None:
            requested = list(dict.fromkeys(new.requested))
            if len(requested) > MAX_USERS_PER_RESET:
                raise DomainError.of(
                    ErrorCode.TOO_MANY_USERS,
                    f"At most {MAX_USERS_PER_RESET} users per request.",
                    "ids",
                )
        now = self.clock.now()
        job = ResetJob(
            id=0,
            admin_id=admin.admin_id,
            admin_login=admin.login,
            created_at=now,
            run_at=max(new.run_at or now, now),
            state=ResetJobState.SCHEDULED,
            options=tuple(o.value for o in ResetOption if o in set(new.options)),
            password_link=new.password_link,
            selection=None if new.selection is None else new.selection.as_dict(),
            requested=requested,
            total=None if requested is None else len(requested),
            operation_id=f"reset-job-{uuid.uuid4().hex}",
        )
        async with self.uow as uow:
            stored = await uow.reset_jobs.add(job)
            await uow.commit()
        return stored

    async def jobs(self, actor: Principal) -> list[ResetJob]:
        """The jobs the administrator sees, newest first."""
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            found = await uow.reset_jobs.newest(visibility.reset_jobs_of(admin), MAX_LISTED_JOBS)
        return [job for job in found if visibility.sees_reset_job(admin, job)]

    async def job(self, actor: Principal, job_id: int) -> ResetJob:
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            job = await uow.reset_jobs.get(job_id)
        if job is None or not visibility.sees_reset_job(admin, job):
            raise not_found(ErrorCode.RESET_JOB_NOT_FOUND)
        return job

    async def report(self, actor: Principal, job_id: int) -> tuple[ResetJob, list[ResetJobResult]]:
        """The job and each user's result so far, in request order."""
        job = await self.job(actor, job_id)
        async with self.uow.reading() as uow:
            return job, await uow.reset_jobs.results(job.id)

    async def cancel(self, actor: Principal, job_id: int) -> ResetJob:
        """Cancels a scheduled job, or asks a running one to stop; see the module's doc."""
        await self.job(actor, job_id)
        async with self.uow as uow:
            before = await uow.reset_jobs.cancel(job_id, self.clock.now())
            job = await uow.reset_jobs.get(job_id)
            await uow.commit()
        if before is None or job is None:
            raise not_found(ErrorCode.RESET_JOB_NOT_FOUND)
        if before.finished:
            raise DomainError.of(
                ErrorCode.RESET_JOB_FINISHED, "The job has finished already.", "id"
            )
        return job

    async def purge_expired(self) -> int:
        """Deletes the ended jobs whose results are kept no longer (``keep_until``)."""
        async with self.uow as uow:
            purged = await uow.reset_jobs.purge(self.clock.now())
            await uow.commit()
        return purged
