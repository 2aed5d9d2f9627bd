"""The worker side of reset jobs: claim a due job, run it, record each user's result.

Exactly once, across processes and hosts: a job is claimed as the outbox's
messages are (``ResetJobRepository.claim_due``: ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, one ``UPDATE … RETURNING`` on SQLite), for a lease that each batch
renews. Each batch of the reset, in its own transaction, first fences the job
(the claim must still be this worker's, else the batch rolls back: another worker
took over a lease that ran out) and then records its users' results, so that a
user's changes, its mail in the outbox and its result commit together. A worker
that dies leaves its job to be claimed again once the lease ran out; the next one
skips the users that have a result: none is reset twice, none gets two mails.

A stop asked for while the job runs is seen by the next batch's fence: that batch
rolls back and the job ends STOPPED with the users done so far.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from domain.errors import DomainError
from domain.ports import Clock, UnitOfWork
from domain.principals import AdminPrincipal
from domain.reset_job_model import ResetJob, ResetJobState
from domain.services.auth import admin_principal
from domain.services.config import ServiceConfig
from domain.services.progress import ProgressBroker, ProgressRun
from domain.services.reset import Resets
from domain.services.reset_batch import BatchAborted
from domain.services.reset_jobs import job_result
from domain.services.reset_outcomes import ResetOption, UserResetOutcome, UserResetStatus
from domain.services.reset_selection import UserSelection

__all__ = ["JOB_CLAIM_SECONDS", "ResetJobRunner"]

logger = logging.getLogger("connect_admin.domain.services.reset_jobs")

# A job's lease; every batch renews it, and a batch takes far less.
JOB_CLAIM_SECONDS = 120.0

Requested = list[tuple[str, int | None]]


class _JobLost(BatchAborted):
    """Another worker holds the job now: this one leaves it."""


class _JobStopped(BatchAborted):
    """An administrator asked the job to stop."""


@dataclass
class _Recorder:
    """The reset's ``on_stored``: fences the job and records the batch's results."""

    job: ResetJob
    token: str
    positions: dict[str, int]
    lease: timedelta
    clock: Clock
    recorded: set[str] = field(default_factory=set)

    async def __call__(self, uow: UnitOfWork, outcomes: Sequence[UserResetOutcome]) -> None:
        job = await uow.reset_jobs.fence(self.job.id, self.token, self.clock.now() + self.lease)
        if job is None:
            raise _JobLost
        if job.stop_requested:
            raise _JobStopped
        await uow.reset_jobs.add_results(
            [job_result(job.id, self.positions[o.key], o) for o in outcomes]
        )
        statuses = [o.status for o in outcomes]
        undo = next((o.undo.reset_id for o in outcomes if o.undo is not None), None)
        self.job = replace(
            job,
            done=job.done + len(outcomes),
            succeeded=job.succeeded + statuses.count(UserResetStatus.SUCCEEDED),
            partial=job.partial + statuses.count(UserResetStatus.PARTIAL),
            failed=job.failed + statuses.count(UserResetStatus.FAILED),
            reset_id=job.reset_id or undo,
        )
        await uow.reset_jobs.update(self.job)


@dataclass(frozen=True)
class ResetJobRunner:
    uow: UnitOfWork
    clock: Clock
    resets: Resets
    config: ServiceConfig
    progress: ProgressBroker | None = None
    claim_seconds: float = JOB_CLAIM_SECONDS

    @property
    def _lease(self) -> timedelta:
        return timedelta(seconds=self.claim_seconds)

    async def run_due(self) -> int:
        """Claims one due job and runs it to its end; how many it ran (0 or 1)."""
        token = uuid.uuid4().hex
        now = self.clock.now()
        async with self.uow as uow:
            job = await uow.reset_jobs.claim_due(now, now + self._lease, token=token)
            await uow.commit()
        if job is None:
            return 0
        await self._run(job, token)
        return 1

    async def _run(self, job: ResetJob, token: str) -> None:
        actor = await self._actor(job)
        if actor is None:
            await self._finish(job, token, ResetJobState.FAILED, error="ADMINISTRATOR_NOT_FOUND")
            return
        if job.stop_requested:
            await self._finish(job, token, ResetJobState.STOPPED)
            return
        requested = job.requested
        if requested is None:
            selection = UserSelection.from_dict(job.selection or {})
            try:
                requested = await self.resets.selected(actor, selection)
            except DomainError as error:
                await self._finish(job, token, ResetJobState.FAILED, error=_code(error))
                return
            stored = await self._requested(job, token, requested)
            if stored is None:
                return
            job = stored
        await self._reset(job, token, actor, requested)

    async def _reset(
        self, job: ResetJob, token: str, actor: AdminPrincipal, requested: Requested
    ) -> None:
        async with self.uow.reading() as uow:
            done = await uow.reset_jobs.done_keys(job.id)
        positions = {key: n for n, (key, _) in enumerate(requested)}
        remaining = [(key, user_id) for key, user_id in requested if key not in done]
        recorder = _Recorder(job, token, positions, self._lease, self.clock)
        run = await self._progress(job)
        before = len(requested) - len(remaining)

        async def report(done_now: int, total_now: int) -> None:
            if run is not None:
                await run.report(before + done_now, before + total_now)

        options = [ResetOption(o) for o in job.options]
        try:
            outcomes = await self.resets.reset_users(
                actor, remaining, options, on_progress=report,
                password_link=job.password_link, on_stored=recorder,
            )  # fmt: skip
        except _JobLost:
            logger.warning("reset job %s was taken over by another worker", job.id)
            return
        except _JobStopped:
            await self._finish(recorder.job, token, ResetJobState.STOPPED)
            return
        except DomainError as error:
            await self._finish(recorder.job, token, ResetJobState.FAILED, error=_code(error))
            return
        finally:
            if run is not None:
                await run.finish()
        await self._finish(recorder.job, token, ResetJobState.SUCCEEDED, outcomes=outcomes)

    async def _actor(self, job: ResetJob) -> AdminPrincipal | None:
        """The job's administrator as it is now (its locations now); None when it was
        deleted or blocked. A temporary password of its own does not hold the job back:
        the job was allowed when it was made."""
        async with self.uow.reading() as uow:
            admin = await uow.administrators.get(job.admin_id)
        if admin is None or admin.blocked:
            return None
        principal = admin_principal(admin)
        return replace(principal, login=job.admin_login, password_change_required=False)

    async def _requested(self, job: ResetJob, token: str, requested: Requested) -> ResetJob | None:
        async with self.uow as uow:
            held = await uow.reset_jobs.fence(job.id, token, self.clock.now() + self._lease)
            if held is None:
                return None
            job = replace(held, requested=list(requested), total=len(requested))
            await uow.reset_jobs.update(job)
            await uow.commit()
        return job

    async def _finish(
        self,
        job: ResetJob,
        token: str,
        state: ResetJobState,
        *,
        error: str | None = None,
        outcomes: Sequence[UserResetOutcome] = (),
    ) -> None:
        """Ends the job; outcomes that no batch recorded (NOT_STORED: nothing changed of
        those users) are recorded now."""
        async with self.uow as uow:
            held = await uow.reset_jobs.fence(job.id, token, self.clock.now() + self._lease)
            if held is None:
                return
            done = await uow.reset_jobs.done_keys(job.id)
            positions = {key: n for n, (key, _) in enumerate(held.requested or [])}
            late = [o for o in outcomes if o.key not in done and o.key in positions]
            if late:
                await uow.reset_jobs.add_results(
                    [job_result(job.id, positions[o.key], o) for o in late]
                )
            now = self.clock.now()
            await uow.reset_jobs.update(
                replace(
                    held,
                    state=state,
                    error=error,
                    finished_at=now,
                    claimed_until=None,
                    claim_token=None,
                    done=held.done + len(late),
                    failed=held.failed + len(late),
                    keep_until=now + self.config.reset_undo_ttl,
                )
            )
            await uow.commit()

    async def _progress(self, job: ResetJob) -> ProgressRun | None:
        if self.progress is None:
            return None
        try:
            return await self.progress.start(job.admin_id, job.operation_id)
        except Exception:
            # Progress is bookkeeping: a run of a resumed job whose old record still
            # stands reports none.
            logger.warning("reset job %s reports no progress", job.id, exc_info=True)
            return None


def _code(error: DomainError) -> str:
    return str(error.problems[0].code) if error.problems else "FAILED"
