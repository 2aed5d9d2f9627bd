"""Reset jobs (domain/services/reset_jobs.py, reset_job_runner.py) on both databases:
resetUsers(runAt:) stores a job that a worker runs once at its time; it can be
cancelled before and stopped while it runs; a worker that dies in the middle leaves
the job to the next, which resets none of the users done again and mails none twice;
two workers at once on PostgreSQL reset each user once."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.ports import ProgressKey, ProgressSnapshot
from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.administrators import NewAdministrator
from domain.services.progress import ProgressBroker
from domain.services.registry import Services
from domain.services.reset_job_runner import JOB_CLAIM_SECONDS
from gql.ids import to_global_id
from persistence import tables
from persistence.unit_of_work import SqlAlchemyUnitOfWork
from tests.api.conftest import ADMIN_PASSWORD, Api
from tests.api.test_mail_api import CONFIGURE, gateway_input
from tests.fakes import FakeClock, MemoryProgressStore
from tests.smtp_server import SmtpServer

SCHEDULE = """
mutation($ids: [ID!]!, $selection: UserSelectionInput, $options: ResetUsersOptions!,
         $at: DateTime) {
  resetUsers(ids: $ids, selection: $selection, options: $options, runAt: $at) {
    errors { code field } results { userId }
    job { id state total done operationId bySelection actions }
  }
}"""
JOB = """
query($id: ID!) {
  resetJob(id: $id) {
    id state total done succeeded partial failed stopRequested error createdBy
    startedAt finishedAt resetId resultsKeptUntil
  }
}"""
JOBS = "{ resetJobs { id state createdBy } }"
CANCEL = """
mutation($id: ID!) { cancelResetJob(id: $id) { job { state stopRequested } errors { code } } }
"""
PASSWORD = {"setRandomPassword": True, "resetClientSettings": True}
LATER = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


async def staff(api: Api, count: int) -> list[str]:
    """``count`` users with an e-mail address in one location; their IDs."""
    services = api.services
    loc = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Staff"))
    made = []
    for n in range(count):
        new = users.NewUser(
            login=f"s{n:02}", last_name="S", location_id=loc.id, email=f"s{n:02}@example.org"
        )
        made.append(to_global_id("User", (await services.users.create_user(SYSTEM, new)).id))
    return made


async def schedule(
    api: Api,
    token: str,
    *,
    ids: list[str] | None = None,
    selection: dict[str, Any] | None = None,
    at: datetime = LATER,
    options: dict[str, bool] | None = None,
) -> dict[str, Any]:
    variables = {
        "ids": ids or [], "selection": selection, "options": options or PASSWORD,
        "at": at.isoformat(),
    }  # fmt: skip
    result: dict[str, Any] = (await api.data(SCHEDULE, variables, token=token))["resetUsers"]
    assert result["errors"] == [], result
    return result["job"]  # type: ignore[no-any-return]


async def job_of(api: Api, token: str, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = (await api.data(JOB, {"id": job_id}, token=token))["resetJob"]
    return job


def worker(api: Api, engine: AsyncEngine, at: datetime, **config: Any) -> Services:
    """A worker process of its own: its own unit of work, its clock at ``at``."""
    services = api.services
    return replace(
        services,
        uow=SqlAlchemyUnitOfWork(engine),
        clock=FakeClock(at),
        config=replace(services.config, **config),
    )


async def mails(engine: AsyncEngine) -> Counter[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(tables.outbox.c.recipient))
        return Counter(row.recipient for row in rows)


async def test_a_job_waits_for_its_time_and_then_runs_once(
    api: Api, admin_token: str, clean_database: AsyncEngine, smtp_server: SmtpServer
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    ids = await staff(api, 3)
    job = await schedule(api, admin_token, ids=ids)

    too_early = worker(api, clean_database, LATER - timedelta(minutes=1))
    early = await too_early.reset_job_runner().run_due()
    listed = (await api.data(JOBS, token=admin_token))["resetJobs"]
    on_time = worker(api, clean_database, LATER)
    ran = await on_time.reset_job_runner().run_due()
    again = await on_time.reset_job_runner().run_due()

    assert job["state"] == "SCHEDULED"
    assert job["total"] == 3
    assert (early, ran, again) == (0, 1, 0)
    assert listed == [{"id": job["id"], "state": "SCHEDULED", "createdBy": "root"}]
    done = await job_of(api, admin_token, job["id"])
    assert done | {"startedAt": None, "finishedAt": None, "resultsKeptUntil": None} == {
        "id": job["id"], "state": "SUCCEEDED", "total": 3, "done": 3, "succeeded": 3,
        "partial": 0, "failed": 0, "stopRequested": False, "error": None,
        "createdBy": "root", "startedAt": None, "finishedAt": None,
        "resetId": None, "resultsKeptUntil": None,
    }  # fmt: skip
    assert await mails(clean_database) == Counter({f"s{n:02}@example.org": 1 for n in range(3)})


async def test_a_scheduled_job_cancelled_never_runs(
    api: Api, admin_token: str, clean_database: AsyncEngine
) -> None:
    ids = await staff(api, 2)
    job = await schedule(api, admin_token, ids=ids, options={"resetClientSettings": True})

    cancelled = (await api.data(CANCEL, {"id": job["id"]}, token=admin_token))["cancelResetJob"]
    ran = await worker(api, clean_database, LATER + timedelta(days=1)).reset_job_runner().run_due()
    again = (await api.data(CANCEL, {"id": job["id"]}, token=admin_token))["cancelResetJob"]

    assert cancelled == {"job": {"state": "CANCELLED", "stopRequested": False}, "errors": []}
    assert ran == 0
    assert again == {"job": None, "errors": [{"code": "RESET_JOB_FINISHED"}]}
    assert (await job_of(api, admin_token, job["id"]))["done"] == 0


class CrashAfter(MemoryProgressStore):
    """The progress store of a worker that dies once ``done`` users are reported."""

    def __init__(self, done: int) -> None:
        super().__init__()
        self.done = done
        self.task: asyncio.Task[int] | None = None

    async def save(
        self, key: ProgressKey, run_id: str, snapshot: ProgressSnapshot | None, now: datetime
    ) -> bool:
        saved = await super().save(key, run_id, snapshot, now)
        if snapshot is not None and snapshot.done >= self.done and self.task is not None:
            self.task.cancel()
        return saved


async def test_a_worker_that_dies_leaves_the_rest_to_the_next_and_no_user_twice(
    api: Api, admin_token: str, clean_database: AsyncEngine, smtp_server: SmtpServer
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    ids = await staff(api, 5)
    job = await schedule(api, admin_token, ids=ids)
    store = CrashAfter(done=2)
    first = worker(api, clean_database, LATER, reset_batch_size=2)
    store.task = asyncio.create_task(first.reset_job_runner(ProgressBroker(store)).run_due())

    with pytest.raises(asyncio.CancelledError):
        await store.task
    halfway = await job_of(api, admin_token, job["id"])
    too_soon = worker(api, clean_database, LATER + timedelta(seconds=1), reset_batch_size=2)
    taken_too_soon = await too_soon.reset_job_runner().run_due()
    after_lease = LATER + timedelta(seconds=JOB_CLAIM_SECONDS + 1)
    second = worker(api, clean_database, after_lease, reset_batch_size=2)
    resumed = await second.reset_job_runner().run_due()

    assert (halfway["state"], halfway["done"]) == ("RUNNING", 2)
    assert (taken_too_soon, resumed) == (0, 1)
    done = await job_of(api, admin_token, job["id"])
    assert (done["state"], done["done"], done["succeeded"]) == ("SUCCEEDED", 5, 5)
    assert await mails(clean_database) == Counter({f"s{n:02}@example.org": 1 for n in range(5)})


async def test_a_running_job_stopped_keeps_the_users_done(
    api: Api, admin_token: str, clean_database: AsyncEngine
) -> None:
    ids = await staff(api, 5)
    job = await schedule(api, admin_token, ids=ids, options={"resetClientSettings": True})
    store = CrashAfter(done=2)
    first = worker(api, clean_database, LATER, reset_batch_size=2)
    store.task = asyncio.create_task(first.reset_job_runner(ProgressBroker(store)).run_due())
    with pytest.raises(asyncio.CancelledError):
        await store.task

    stopping = (await api.data(CANCEL, {"id": job["id"]}, token=admin_token))["cancelResetJob"]
    after_lease = LATER + timedelta(seconds=JOB_CLAIM_SECONDS + 1)
    ran = await worker(api, clean_database, after_lease).reset_job_runner().run_due()

    assert stopping == {"job": {"state": "RUNNING", "stopRequested": True}, "errors": []}
    assert ran == 1
    stopped = await job_of(api, admin_token, job["id"])
    assert (stopped["state"], stopped["done"], stopped["succeeded"]) == ("STOPPED", 2, 2)


async def test_a_selection_is_resolved_when_the_job_starts_and_reports_progress(
    api: Api, admin_token: str, clean_database: AsyncEngine
) -> None:
    await staff(api, 2)
    job = await schedule(
        api, admin_token, selection={"search": "s0"}, options={"resetClientSettings": True}
    )
    await staff_more(api, "s09")
    store = MemoryProgressStore()

    ran = await worker(api, clean_database, LATER).reset_job_runner(ProgressBroker(store)).run_due()

    assert (job["bySelection"], job["total"]) == (True, None)
    assert ran == 1
    done = await job_of(api, admin_token, job["id"])
    assert (done["state"], done["total"], done["done"]) == ("SUCCEEDED", 3, 3)
    async with clean_database.connect() as connection:
        admin_id = await connection.scalar(
            select(tables.administrators.c.id).where(tables.administrators.c.login == "root")
        )
    stored = await store.load_many([(int(admin_id or 0), job["operationId"])])
    (progress,) = stored.values()
    assert progress.snapshot == ProgressSnapshot(done=3, total=3, finished=True)


async def staff_more(api: Api, login: str) -> None:
    loc = await api.services.locations.create_location(SYSTEM, locations.NewLocation(name=login))
    new = users.NewUser(login=login, last_name="S", location_id=loc.id)
    await api.services.users.create_user(SYSTEM, new)


async def test_another_administrator_s_job_is_not_found(
    api: Api, admin_token: str, clean_database: AsyncEngine
) -> None:
    loc = await api.services.locations.create_location(SYSTEM, locations.NewLocation(name="Sub"))
    await api.services.administrators.create_administrator(
        SYSTEM,
        NewAdministrator(
            login="sub", password=ADMIN_PASSWORD, last_name="Sub", location_ids=[loc.id]
        ),
    )
    sub = await api.sign_in_admin("sub")
    job = await schedule(api, admin_token, ids=await staff(api, 1))

    assert (await api.data(JOB, {"id": job["id"]}, token=sub))["resetJob"] is None
    assert (await api.data(JOBS, token=sub))["resetJobs"] == []
    refused = (await api.data(CANCEL, {"id": job["id"]}, token=sub))["cancelResetJob"]
    assert refused == {"job": None, "errors": [{"code": "RESET_JOB_NOT_FOUND"}]}


async def test_two_workers_at_once_reset_each_user_once(
    api: Api, admin_token: str, clean_database: AsyncEngine, database_url: str,
    smtp_server: SmtpServer,
) -> None:  # fmt: skip
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time: the claim is its write lock")
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    ids = await staff(api, 6)
    jobs = [await schedule(api, admin_token, ids=ids[n::2]) for n in range(2)]

    ran = await asyncio.gather(
        *(
            worker(api, clean_database, LATER, reset_batch_size=1).reset_job_runner().run_due()
            for _ in range(3)
        )
    )

    assert sorted(ran) == [0, 1, 1]
    states = [(await job_of(api, admin_token, j["id"]))["state"] for j in jobs]
    assert states == ["SUCCEEDED"] * 2
    assert await mails(clean_database) == Counter({f"s{n:02}@example.org": 1 for n in range(6)})


async def test_an_ended_job_is_kept_as_long_as_the_reset_s_undo(
    api: Api, admin_token: str, clean_database: AsyncEngine
) -> None:
    job = await schedule(api, admin_token, ids=await staff(api, 1))
    runner = worker(api, clean_database, LATER)
    await runner.reset_job_runner().run_due()
    kept = await job_of(api, admin_token, job["id"])
    until = datetime.fromisoformat(kept["resultsKeptUntil"])

    before = await worker(api, clean_database, until).reset_jobs.purge_expired()
    after = await worker(
        api, clean_database, until + timedelta(seconds=1)
    ).reset_jobs.purge_expired()

    assert until == LATER + api.services.config.reset_undo_ttl
    assert (before, after) == (0, 1)
    assert await job_of(api, admin_token, job["id"]) is None
