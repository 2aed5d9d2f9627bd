"""The BASELINE: the users page by hand, to show the limit of this stack.

Starlette + SQLAlchemy Core + orjson in one uvicorn process, answering the same
JSON as ``users(first, after) { edges { node { id login displayName email isVip
location { id name } configurationGroup { id name } teams { id name }
defaultRelationship } } }`` for a system administrator. Per request: one
statement for the bearer token (session of an unblocked system administrator),
one for the page of users with their location and group, one for their teams.
The GraphQL text is not parsed: only ``variables.first`` / ``variables.after``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from persistence.database import database_url, is_sqlite

CURSOR_PREFIX = "cursor:"


def gid(type_name: str, pk: int) -> str:
    """Same as gql.ids.to_global_id."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def parse_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    padded = cursor + "=" * (-len(cursor) % 4)
    value = base64.urlsafe_b64decode(padded.encode()).decode()
    if not value.startswith(CURSOR_PREFIX):
        raise ValueError("not a cursor")
    return int(value.removeprefix(CURSOR_PREFIX))


AUTH = text(
    "SELECT a.id FROM sign_in_sessions s JOIN administrators a ON a.id = s.administrator_id "
    "WHERE s.token_hash = :h AND s.subject = 'ADMINISTRATOR' AND s.expires_at > :now "
    "AND NOT a.blocked AND NOT EXISTS "
    "(SELECT 1 FROM administrator_locations l WHERE l.administrator_id = a.id)"
)
PAGE = text(
    "SELECT u.id, u.login, u.first_name, u.last_name, u.email, u.is_vip, "
    "u.location_id, l.name AS l_name, l.default_relationship AS l_rel, "
    "u.configuration_group_id AS g_id, g.name AS g_name, g.default_relationship AS g_rel "
    "FROM users u JOIN locations l ON l.id = u.location_id "
    "LEFT JOIN configuration_groups g ON g.id = u.configuration_group_id "
    "WHERE u.id > :after ORDER BY u.id LIMIT :first"
)
# The page is a contiguous id range (no filter), so its teams are those of the range.
TEAMS = text(
    "SELECT m.user_id, t.id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id "
    "WHERE m.user_id BETWEEN :lo AND :hi ORDER BY m.user_id, t.name, t.id"
)


def build(engine: AsyncEngine) -> Starlette:
    sqlite = engine.dialect.name == "sqlite"

    async def graphql(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        body = orjson.loads(await request.body())
        variables = body.get("variables") or {}
        first = int(variables.get("first", 100))
        after = parse_cursor(variables.get("after")) or 0
        digest = hashlib.sha256(token.strip().encode()).hexdigest()
        now = datetime.now(UTC)
        # SQLite keeps naive UTC as text (see tables.UtcDateTime).
        now_value: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now
        async with engine.connect() as conn:
            if (
                scheme.lower() != "bearer"
                or (await conn.execute(AUTH, {"h": digest, "now": now_value})).first() is None
            ):
                return Response(
                    orjson.dumps({"data": None, "errors": [{"message": "UNAUTHENTICATED"}]}),
                    media_type="application/json",
                )
            rows = (await conn.execute(PAGE, {"after": after, "first": first})).all()
            teams: dict[int, list[dict[str, str]]] = {}
            if rows:
                for user_id, team_id, name in await conn.execute(
                    TEAMS, {"lo": rows[0].id, "hi": rows[-1].id}
                ):
                    teams.setdefault(user_id, []).append({"id": gid("Team", team_id), "name": name})
        edges = []
        for r in rows:
            if r.is_vip:
                default = None
            elif r.g_rel is not None:
                default = r.g_rel
            else:
                default = r.l_rel
            edges.append({"node": {
                "id": gid("User", r.id),
                "login": r.login,
                "displayName": f"{r.first_name} {r.last_name}" if r.first_name else r.last_name,
                "email": r.email,
                "isVip": bool(r.is_vip),
                "location": {"id": gid("Location", r.location_id), "name": r.l_name},
                "configurationGroup": None if r.g_id is None
                else {"id": gid("ConfigurationGroup", r.g_id), "name": r.g_name},
                "teams": teams.get(r.id, []),
                "defaultRelationship": default,
            }})  # fmt: skip
        return Response(
            orjson.dumps({"data": {"users": {"edges": edges}}}), media_type="application/json"
        )

    async def health(request: Request) -> Response:
        return Response(b"ok")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await engine.dispose()

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/health", health)],
        lifespan=lifespan,
    )


def create_app() -> Starlette:
    """uvicorn factory: ``CONNECT_DATABASE_URL`` names the database."""
    url = os.environ["CONNECT_DATABASE_URL"]
    options: dict[str, Any] = {}
    if not is_sqlite(url):
        # Reads only: no BEGIN/ROLLBACK round trips.
        options = {"isolation_level": "AUTOCOMMIT", "pool_size": 20, "max_overflow": 0}
    else:
        options = {"pool_size": 20, "max_overflow": 0}
    return build(create_async_engine(database_url(url), **options))
