"""Reset jobs: resetUsers(runAt:) stores one; listed, read and cancelled here."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Self

import strawberry

from domain.errors import DomainError
from domain.reset_job_model import ResetJob as DomainResetJob
from domain.reset_job_model import ResetJobState
from domain.services.reset_outcomes import ResetOption
from gql.context import Info
from gql.enums import graphql_enum
from gql.errors import UserError
from gql.ids import pk_of, to_global_id
from gql.payloads import PAYLOAD_ERRORS, Payload, payload_mutation
from gql.reset.actions import ResetOption as ResetAction

RUN_AT = (
    "Run the reset as a job at this time instead of now in the request: the answer holds the "
    "job (results stay empty; resetJob(id) and its report follow it). A time in the past, "
    "or now, runs it as soon as a worker is free. A job with a selection resolves it when "
    "it starts. Ignored with dryRun, which always answers at once."
)
CANCEL = (
    "Cancels a reset job that has not started (CANCELLED: nothing is done), or stops a "
    "running one (STOPPED after the batch in progress, which is rolled back; the users done "
    "stay done, and the job's report lists them). Errors: RESET_JOB_NOT_FOUND (no job the "
    "caller sees has this ID), RESET_JOB_FINISHED (it has ended already)."
)

REPORT_URL = (
    "A link to download the job's report: one row per user and action (the user, its "
    "result, the action, its result, its changes, its error and warning codes), so far "
    "for a job that still runs. The path (with a token) is relative to the server's "
    "address; it works for 5 minutes and for the caller only: a GET, no Authorization "
    "header needed. The report is kept as long as the reset's undo (resultsKeptUntil)."
)


@strawberry.enum(description="The format of a reset job's report.")
class ResetReportFormat(enum.Enum):
    CSV = strawberry.enum_value(
        "CSV", description="Comma-separated, UTF-8 with a byte order mark, headers in a row."
    )
    JSON = strawberry.enum_value(
        "JSON", description='{"job", "state", "columns": {key: header}, "rows": [{key: value}]}.'
    )


graphql_enum(
    ResetJobState,
    description="Where a reset job stands.",
    values={
        ResetJobState.SCHEDULED: "Waiting for its runAt.",
        ResetJobState.RUNNING: "A worker resets its users, batch after batch.",
        ResetJobState.SUCCEEDED: "Every user was handled; each one's result is in the report.",
        ResetJobState.CANCELLED: "Cancelled before it started; nothing was done.",
        ResetJobState.STOPPED: "Stopped while it ran; the users done so far stay done.",
        ResetJobState.FAILED: "It could not run; error says why.",
    },
)


@strawberry.type(description="A reset stored to run at a time, and how far it has come.")
class ResetJob:
    id: strawberry.ID = strawberry.field(description="The job's ID.")
    created_by: str = strawberry.field(description="The login of the administrator who made it.")
    created_at: datetime = strawberry.field(description="When it was made.")
    run_at: datetime = strawberry.field(description="When it starts (started) at the earliest.")
    state: ResetJobState = strawberry.field(description="Where it stands.")
    actions: list[ResetAction] = strawberry.field(description="What it resets, in order.")
    by_selection: bool = strawberry.field(
        description="True when its users are a selection (resolved when it starts), "
        "false when they were given by ID."
    )
    operation_id: str = strawberry.field(
        description="Follow it with resetProgress(operationId) while it runs."
    )
    stop_requested: bool = strawberry.field(
        description="cancelResetJob asked it to stop; it stops after the current batch."
    )
    started_at: datetime | None = strawberry.field(description="When it started; null before.")
    finished_at: datetime | None = strawberry.field(description="When it ended; null before.")
    total: int | None = strawberry.field(
        description="Its distinct users; null until a selection is resolved."
    )
    done: int = strawberry.field(description="Users handled so far.")
    succeeded: int = strawberry.field(description="Users whose every action was done.")
    partial: int = strawberry.field(description="Users of whom some actions were done.")
    failed: int = strawberry.field(description="Users of whom nothing was done.")
    reset_id: strawberry.ID | None = strawberry.field(
        description="The id undoReset takes for what it kept; null when nothing was kept."
    )
    error: str | None = strawberry.field(
        description="Why it FAILED, as a code (e.g. TOO_MANY_USERS, ADMINISTRATOR_NOT_FOUND)."
    )
    results_kept_until: datetime | None = strawberry.field(
        description="Its report is kept until then, as long as the reset's undo; null "
        "until it ends."
    )
    pk: strawberry.Private[int]

    @strawberry.field(description=REPORT_URL)
    async def report_url(
        self,
        info: Info,
        format: Annotated[
            ResetReportFormat, strawberry.argument(description="CSV or JSON.")
        ] = ResetReportFormat.CSV,
        language: Annotated[
            str | None,
            strawberry.argument(description="The headers' language, de or en (the default)."),
        ] = None,
    ) -> str:
        ctx = info.context
        return await ctx.services().reset_reports.link(
            ctx.principal, self.pk, format.name.lower(), language
        )

    @classmethod
    def from_domain(cls, job: DomainResetJob) -> ResetJob:
        return cls(
            id=strawberry.ID(to_global_id("ResetJob", job.id)),
            created_by=job.admin_login,
            created_at=job.created_at,
            run_at=job.run_at,
            state=job.state,
            actions=[ResetOption(o) for o in job.options],
            by_selection=job.selection is not None,
            operation_id=job.operation_id,
            stop_requested=job.stop_requested,
            started_at=job.started_at,
            finished_at=job.finished_at,
            total=job.total,
            done=job.done,
            succeeded=job.succeeded,
            partial=job.partial,
            failed=job.failed,
            reset_id=None if job.reset_id is None else strawberry.ID(job.reset_id),
            error=job.error,
            results_kept_until=job.keep_until,
            pk=job.id,
        )


@strawberry.type(description="The answer of cancelResetJob.")
class ResetJobPayload(Payload):
    job: ResetJob | None = strawberry.field(description="The job as it is now; null on failure.")
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)

    @classmethod
    def failure(cls, errors: list[UserError]) -> Self:
        return cls(job=None, errors=errors)


JobId = Annotated[strawberry.ID, strawberry.argument(description="The job's ID.")]


@strawberry.type
class ResetJobsQuery:
    @strawberry.field(
        description="Reset jobs, newest first (at most 200): a system administrator's list "
        "holds every administrator's, another administrator's its own."
    )
    async def reset_jobs(self, info: Info) -> list[ResetJob]:
        ctx = info.context
        jobs = await ctx.services().reset_jobs.jobs(ctx.principal)
        return [ResetJob.from_domain(job) for job in jobs]

    @strawberry.field(description="One reset job; null when the caller sees none with this ID.")
    async def reset_job(self, info: Info, id: JobId) -> ResetJob | None:
        ctx = info.context
        try:
            job = await ctx.services().reset_jobs.job(ctx.principal, pk_of(id, "ResetJob", "id"))
        except DomainError:
            return None
        return ResetJob.from_domain(job)


@strawberry.type
class ResetJobsMutation:
    @payload_mutation(description=CANCEL)
    async def cancel_reset_job(self, info: Info, id: JobId) -> ResetJobPayload:
        ctx = info.context
        job = await ctx.services().reset_jobs.cancel(ctx.principal, pk_of(id, "ResetJob", "id"))
        return ResetJobPayload(job=ResetJob.from_domain(job), errors=[])
