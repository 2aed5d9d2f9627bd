"""The write path's pieces: the outbox's mails to the SMTP sink, resetUsers over HTTP
with a second client querying beside, statements per reset in-process, and argon2id
hashing alone and on every core."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.hashing import Argon2PasswordHasher
from bench import seed as seeding
from bench.database import StatementCounter, settings_for
from bench.model import Profile, log
from domain.global_ids import to_global_id
from domain.model import MailKind, MailStatus
from domain.principals import SYSTEM
from domain.services.outbox import queue_mail
from domain.services.registry import Services
from domain.services.reset import ResetOption
from persistence.database import create_engine
from persistence.tables import outbox
from server.container import services_factory

SMALL_QUERY = "{ locations { id } }"
RESET_MUTATION = (
    "mutation Reset($ids: [ID!]!, $options: ResetUsersOptions!) { resetUsers(ids: $ids, "
    "options: $options) { succeeded failed errors { code message } results { status } } }"
)


async def mail_benchmark(
    url: str, key: str, user_ids: list[int], wanted: int, sink_stats: Path
) -> dict[str, Any]:
    """Queues ``wanted`` password mails (users of ``user_ids`` that have an address),
    then runs ``dispatch_due`` one call after another until it finds nothing due."""
    engine = create_engine(url)
    try:
        make_services = services_factory(engine, settings_for(url, key))
        queued = await _queue_mails(make_services(), user_ids, wanted)
        before = _sink(sink_stats)
        started = time.perf_counter()
        rounds = 0
        deadline = started + 120
        while time.perf_counter() < deadline:
            rounds += 1
            if not await make_services().outbox.dispatch_due():
                break
        elapsed = time.perf_counter() - started
        after = _sink(sink_stats)
        sent = await _sent(engine)
    finally:
        await engine.dispose()
    return {
        "queued": queued, "sent": sent, "seconds": elapsed,
        "smtp_connections": after[0] - before[0], "sink_messages": after[1] - before[1],
        "dispatch_calls": rounds,
    }  # fmt: skip


async def _queue_mails(services: Services, user_ids: list[int], wanted: int) -> int:
    """Password mails for the first ``wanted`` users with an address: how many."""
    queued = 0
    for start in range(0, len(user_ids), 200):
        if queued >= wanted:
            break
        async with services.uow as uow:
            gateway = await uow.email_gateway.get()
            assert gateway is not None
            found = await uow.users.get_many(user_ids[start : start + 200])
            for user in found.values():
                if user.email is None or queued >= wanted:
                    continue
                queued += 1
                await queue_mail(
                    services.clock, services.secrets, uow, gateway, MailKind.PASSWORD, user,
                    secret="Temp!Pass-1234", expires_hours=72,
                )  # fmt: skip
            await uow.commit()
    return queued


async def _sent(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        count = (
            await conn.execute(
                select(func.count())
                .select_from(outbox)
                .where(outbox.c.status == MailStatus.SENT.name)
            )
        ).scalar_one()
    return int(count)


def _sink(path: Path) -> tuple[int, int]:
    with contextlib.suppress(OSError, ValueError):
        a, b = path.read_text().split()
        return int(a), int(b)
    return 0, 0


async def reset_benchmark(
    server_url: str, token: str, ids: list[int], options: dict[str, bool], *, probe: bool = True
) -> dict[str, Any]:
    """One resetUsers call for the ids; meanwhile (``probe``) a second client's small
    query, one after another."""
    headers = {"Authorization": f"Bearer {token}"}
    prober = _Prober(server_url, headers)
    probing = asyncio.create_task(prober.run()) if probe else None
    await asyncio.sleep(0.3)
    body = {"query": RESET_MUTATION, "variables": {
        "ids": [to_global_id("User", i) for i in ids], "options": options}}  # fmt: skip
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=900, headers=headers) as client:
        response = await client.post(server_url, json=body)
    elapsed = time.perf_counter() - started
    prober.done.set()
    if probing is not None:
        await probing
    data = response.json()
    if "errors" in data:
        raise RuntimeError(f"resetUsers failed: {str(data)[:500]}")
    payload = data["data"]["resetUsers"]
    statuses: dict[str, int] = {}
    for r in payload["results"]:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {"seconds": elapsed, "statuses": statuses, "errors": payload["errors"],
            **prober.figures()}  # fmt: skip


class _Prober:
    """The second client: a small query, one after another (20 ms apart) until done."""

    def __init__(self, server_url: str, headers: dict[str, str]) -> None:
        self.server_url = server_url
        self.headers = headers
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.done = asyncio.Event()

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=30, headers=self.headers) as client:
            while not self.done.is_set() and len(self.latencies) < 100_000:
                t0 = time.perf_counter()
                try:
                    r = await client.post(self.server_url, json={"query": SMALL_QUERY})
                    ok = r.status_code == 200 and "errors" not in r.json()
                    detail = f"{r.status_code} {r.text[:200]}"
                except (httpx.HTTPError, ValueError) as error:
                    ok, detail = False, f"{type(error).__name__}: {error}"
                self.latencies.append(time.perf_counter() - t0)
                if not ok:
                    self.failures.append(detail)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.done.wait(), 0.02)

    def figures(self) -> dict[str, Any]:
        failures, ordered = self.failures, sorted(self.latencies)
        return {
            "probe_failures": len(failures),
            "probe_first_failure": failures[0] if failures else None,
            "probe_n": len(ordered),
            "probe_p50_ms": 1000 * ordered[len(ordered) // 2] if ordered else None,
            "probe_p99_ms": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
            if ordered else None,
            "probe_max_ms": 1000 * ordered[-1] if ordered else None,
        }  # fmt: skip


RESET_STATEMENT_SIZES = (10, 100)


async def statements_per_reset(url: str, key: str, ids: list[int]) -> dict[str, Any]:
    """In-process domain calls (no HTTP): statements per resetUsers call of 10 and of
    100 users (one batch each), five and six options; and the batch size."""

    engine = create_engine(url)
    counter = StatementCounter(engine)
    found: dict[str, Any] = {}
    try:
        make_services = services_factory(engine, settings_for(url, key))
        found["batch"] = make_services().config.reset_batch_size
        five = [o for o in ResetOption if o is not ResetOption.PASSWORD]
        remaining = list(ids)
        for name, options in (("five", five), ("six", list(ResetOption))):
            counts = []
            for size in RESET_STATEMENT_SIZES:
                chunk, remaining = remaining[:size], remaining[size:]
                counter.reset()
                await make_services().reset.reset_users(
                    SYSTEM, [(str(i), i) for i in chunk], options
                )
                counts.append((len(chunk), counter.count))
            found[name] = counts
    finally:
        await engine.dispose()
    return found


def hash_seconds() -> float:
    hasher = Argon2PasswordHasher()._hasher
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        hasher.hash("Some-Password!1234")
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def hash_seconds_all_cores(cores: int, per_core: int = 40) -> float:
    """One hash's time when every core hashes at once (a thread per core, as the reset's
    pool): the pure hashing time of N hashes is N x this / cores. On this virtual
    machine two cores hashing together are up to a fifth slower each than one alone."""
    hasher = Argon2PasswordHasher()._hasher
    with concurrent.futures.ThreadPoolExecutor(cores) as pool:
        t0 = time.perf_counter()
        list(pool.map(lambda _: hasher.hash("Some-Password!1234"), range(cores * per_core)))
        return (time.perf_counter() - t0) / per_core


FIVE_OPTIONS = dict(setRandomPassword=False, setRandomVoicemailPin=True, resetRelationships=True,
                    resetClientSettings=True, resetPresenceSettings=True,
                    repairContactList=True)  # fmt: skip
SIX_OPTIONS = {**FIVE_OPTIONS, "setRandomPassword": True}


def measure_writes(
    url: str, key: str, server_url: str, token: str, seeded: seeding.Seeded,
    rng: random.Random, sink_stats: Path, profile: Profile, kind: str, rows: dict[str, Any],
) -> None:  # fmt: skip
    """Mail and resets, each on its own users (disjoint, deterministic), into ``rows``
    one figure after another (those measured stay when a later step fails)."""
    # Users with their own data first: every step of a reset then has rows to change.
    stmt_ids = list(dict.fromkeys([*reversed(seeded.with_own_data), *reversed(seeded.user_ids)]))[
        : 2 * sum(RESET_STATEMENT_SIZES)
    ]
    # The resets expect every user to succeed: users who can be mailed their secrets.
    pool = [u for u in seeded.with_email if u not in set(stmt_ids)]
    rng.shuffle(pool)
    n_reset = min(profile.resets, len(pool) // 3)
    five_ids, six_ids = pool[:n_reset], pool[n_reset : 2 * n_reset]
    six_probed_ids = pool[2 * n_reset : 3 * n_reset]

    log(f"{kind}: mail, {profile.mails} messages")
    rows["mail"] = asyncio.run(mail_benchmark(url, key, pool, profile.mails, sink_stats))
    log(f"{kind}: resetUsers, five options, {len(five_ids)} users")
    rows["reset5"] = asyncio.run(reset_benchmark(server_url, token, five_ids, FIVE_OPTIONS))
    log(f"{kind}: resetUsers, six options, {len(six_ids)} users")
    rows["hash_all_s"] = hash_seconds_all_cores(os.cpu_count() or 1)
    # Timed alone against the hashing floor: a second client's requests take the
    # cores first (the hash threads run at nice 10), which is no cost of the reset.
    rows["reset6"] = asyncio.run(
        reset_benchmark(server_url, token, six_ids, SIX_OPTIONS, probe=False)
    )
    log(f"{kind}: resetUsers, six options, {len(six_ids)} users, a second client querying")
    rows["reset6_probed"] = asyncio.run(
        reset_benchmark(server_url, token, six_probed_ids, SIX_OPTIONS)
    )
    rows["reset_n"] = n_reset
    rows["hash_s"] = hash_seconds()
    rows["reset_statements"] = asyncio.run(statements_per_reset(url, key, stmt_ids))
