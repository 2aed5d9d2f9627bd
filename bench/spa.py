"""The Web Administration's main screens as a load mix.

The documents are the SPA's own (``server/admin/queries.js``, read by
``server.ui.web_admin.documents``), so the mix measures what the SPA sends. One round
is what its screens ask for: who am I (every screen), the locations and groups
tree, a page of a location's users with a search, a user's details, the dry run of
a reset of a page of users with all six options, a page of the audit trail, the
change log of one user (the audit trail filtered by ``userId``), the E-Mail Gateway and
the directory data sources with their contact counts. Sign-in is left out: it hashes
a password by design.
"""

from __future__ import annotations

import contextlib
import json
import logging
import statistics
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from bench.seed import LAST
from persistence.database import create_engine
from server.http.app import create_app
from server.http.logs import ACCESS_LOGGER
from server.ui.web_admin import documents

# (what the screen shows, the document's name in queries.js); the mix's bodies are
# named by the screen, since two screens send one document with other variables.
SCREENS = (
    ("who am I (every screen)", "WHO"),
    ("locations and groups", "SCOPES"),
    ("users page, searched", "USERS_PAGE"),
    ("user details", "USER_DETAILS"),
    ("reset dry run, 25 users", "RESET_USERS"),
    ("audit trail page", "AUDIT_EVENTS"),
    ("change log of one user", "AUDIT_EVENTS"),
    ("E-Mail Gateway", "GATEWAY"),
    ("directory data sources", "DATA_SOURCES"),
)
DOCUMENT = dict(SCREENS)
PAGE = 25  # the SPA's default page size (users and audit events)
ALL_SIX = dict.fromkeys(
    ("setRandomPassword", "setRandomVoicemailPin", "resetRelationships",
     "resetClientSettings", "resetPresenceSettings", "repairContactList"), True,
)  # fmt: skip


def request(name: str, variables: dict[str, Any] | None = None) -> tuple[str, str]:
    """The request of a document of queries.js: (its name, the body)."""
    return name, json.dumps({"query": documents()[name], "variables": variables or {}})


def _body(screen: str, variables: dict[str, Any] | None = None) -> tuple[str, str]:
    """The screen's request: (the screen, the body with its document)."""
    return screen, request(DOCUMENT[screen], variables)[1]


async def data_of(client: httpx.AsyncClient, url: str, name: str, **variables: Any) -> Any:
    body = json.dumps({"query": documents()[name], "variables": variables})
    answer = (await client.post(url, content=body)).json()
    if answer.get("errors"):
        raise RuntimeError(f"{name} answered with errors: {str(answer)[:500]}")
    return answer["data"]


async def mix_bodies(url: str, token: str, rounds: int) -> list[tuple[str, str]]:
    """``rounds`` rounds of the screens' requests, each on another location (its
    users page as the SPA shows it first), as (screen, body)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    bodies = []
    async with httpx.AsyncClient(timeout=60, headers=headers) as client:
        locations = (await data_of(client, url, "SCOPES"))["locations"]
        for r in range(rounds):
            location = locations[r % len(locations)]["id"]
            shown = {"locationId": location}
            page = await data_of(client, url, "USERS_PAGE", first=PAGE, filter=shown)
            ids = [edge["node"]["id"] for edge in page["users"]["edges"]]
            search = {"locationId": location, "search": LAST[r % len(LAST)].lower()}
            user = ids[r % len(ids)]
            bodies += [
                _body("who am I (every screen)"),
                _body("locations and groups"),
                _body("users page, searched", {"first": PAGE, "after": None, "filter": search}),
                _body("user details", {"id": user}),
                _body("reset dry run, 25 users", {"ids": ids, "options": ALL_SIX, "dryRun": True}),
                _body("audit trail page", {"first": PAGE, "after": None}),
                _body(
                    "change log of one user",
                    {"first": PAGE, "after": None, "filter": {"userId": user}},
                ),
                _body("E-Mail Gateway"),
                _body("directory data sources"),
            ]
        for name, body in bodies:  # every request of the mix answers without errors
            answer = (await client.post(url, content=body)).json()
            if answer.get("errors"):
                raise RuntimeError(f"{name} answered with errors: {str(answer)[:500]}")
    return bodies


class _AccessLog(logging.Handler):
    """The server's access log lines (server/http/logs.py): each says whether the
    compiled executor answered."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.compiled: list[bool] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.compiled.append(bool(getattr(record, "compiled", False)))


@contextlib.contextmanager
def _access_log() -> Any:
    logger = logging.getLogger(ACCESS_LOGGER)
    handler, level, propagate = _AccessLog(), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


async def timed_each(
    client: httpx.AsyncClient, name: str, bodies: list[str], repeat: int
) -> tuple[list[bool], list[float]]:
    """One document sent ``repeat`` times, one at a time, after a warm-up: whether
    the compiled executor answered each (the access log's ``compiled``) and the ms of
    each request. Any answer with errors stops the bench."""
    for body in bodies[:3]:  # warm caches
        await client.post("/graphql", content=body)
    sent = [bodies[i % len(bodies)] for i in range(repeat)]
    each = []
    with _access_log() as log:
        for body in sent:
            started = time.perf_counter()
            answer = (await client.post("/graphql", content=body)).json()
            each.append(1000 * (time.perf_counter() - started))
            if answer.get("errors"):
                raise RuntimeError(f"{name} answered with errors: {str(answer)[:500]}")
    return log.compiled, each


async def timed(
    client: httpx.AsyncClient, name: str, bodies: list[str], repeat: int
) -> tuple[list[bool], float]:
    """``timed_each``, with the mean ms per request."""
    compiled, each = await timed_each(client, name, bodies, repeat)
    return compiled, statistics.fmean(each)


async def per_document(
    client: httpx.AsyncClient, bodies: list[tuple[str, str]], repeat: int = 100
) -> dict[str, dict[str, Any]]:
    """In-process, one at a time: per screen, whether the compiled executor answered,
    the mean ms per request, and its p50 and p99 over ``repeat`` requests."""
    found = {}
    for label, name in SCREENS:
        mine = [b for screen, b in bodies if screen == label]
        compiled, each = await timed_each(client, label, mine, repeat)
        found[label] = {
            "document": name,
            "compiled": bool(compiled) and all(compiled),
            "ms": statistics.fmean(each),
            "p50_ms": statistics.median(each),
            "p99_ms": statistics.quantiles(each, n=100)[98],
        }
    return found


@contextlib.asynccontextmanager
async def in_process(
    url: str, settings: Any, token: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """Our app in this process (ASGI, no socket) inside its lifespan, with its engine."""
    engine = create_engine(url)
    app = create_app(settings, engine=engine)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench", headers=headers
            ) as client,
        ):
            yield client, engine
    finally:
        await engine.dispose()
