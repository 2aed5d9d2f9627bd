"""Two apps on one database, for comparing the compiled and the standard path.

``twin`` gives the default app (hot read queries compiled, gql/compiled/) and
one with ``compiled_execution`` off (graphql-core executes everything) on the
same database; ``organisation`` fills it (a plugin of tests/conftest.py).
``no_compiled_failures`` fails a test whose compiled attempt failed unexpectedly,
although the standard executor answered.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.model import RelationshipLevel
from domain.principals import SYSTEM
from domain.services import administrators, groups, locations, teams, users
from gql.compiled import Compiler, compiler_of
from gql.ids import to_global_id
from gql.limits import Limits
from gql.schema import build_schema
from server.http.app import create_app
from server.settings import Settings
from tests.api.conftest import ADMIN_PASSWORD, Api

USER_PASSWORD = "Us3r-Passw0rd!x"
# A fixed request id: error bodies name it.
REQUEST_ID = "twin"


def in_order(body: bytes) -> Any:
    """A JSON body with every object's keys in their order, or the bytes when it is not
    JSON. Two answers equal so differ at most in the spacing and escaping their writer
    chose: a users page the database wrote goes out as the database wrote it."""
    try:
        return json.loads(body, object_pairs_hook=list)
    except ValueError:
        return body


@dataclass
class Twin:
    """The same requests to the compiling app and to the standard one."""

    compiling: httpx.AsyncClient
    standard: httpx.AsyncClient
    compiler: Compiler

    async def both(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str
    ) -> tuple[bytes, bool]:
        """The (equal) body, and whether the compiled executor answered it."""
        payload = {"query": query, "variables": variables or {}}
        headers = {"Authorization": f"Bearer {token}", "X-Request-ID": REQUEST_ID}
        before = self.compiler.compiled
        compiled = await self.compiling.post("/graphql", json=payload, headers=headers)
        answered = self.compiler.compiled == before + 1
        standard = await self.standard.post("/graphql", json=payload, headers=headers)
        assert compiled.status_code == standard.status_code
        assert in_order(compiled.content) == in_order(standard.content)
        return compiled.content, answered


@pytest.fixture
def no_compiled_failures(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A compiled execution that fails unexpectedly is a bug, even though the
    standard executor then answers (and the bodies are equal)."""
    yield
    failures = [r for r in caplog.records if r.name == "connect_admin.gql.compiled"]
    assert not failures, failures[0].getMessage()


@pytest.fixture
async def twin(api: Api, clean_database: AsyncEngine, database_url: str) -> AsyncIterator[Twin]:
    settings = Settings(
        database_url=database_url,  # type: ignore[arg-type]
        secret_key="test-key",  # type: ignore[arg-type]
        mail_dispatcher=False,
        cost_budget=False,
        compiled_execution=False,
    )
    app = create_app(settings, engine=clean_database)
    compiler = compiler_of(build_schema(Limits()))
    assert compiler is not None
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as standard,
    ):
        yield Twin(api.client, standard, compiler)


@dataclass
class Organisation:
    admin: str
    sub_admin: str
    user: str
    group_id: str
    team_id: str

    def with_ids(self, variables: dict[str, Any]) -> dict[str, Any]:
        """The variables with the organisation's IDs for the placeholders "TEAM" and
        "GROUP" of VARIED_PAGES."""
        known = {"TEAM": self.team_id, "GROUP": self.group_id}
        filter_ = {
            key: known.get(value, value) for key, value in variables.get("filter", {}).items()
        }
        return {**variables, "filter": filter_} if filter_ else variables


# Pages of users for both executions: sizes, a search, filters (placeholder IDs).
VARIED_PAGES = [
    {"first": 100},
    {"first": 0},
    {"first": 3, "filter": {"isVip": True}},
    {"filter": {"search": "USER1"}},
    {"filter": {"search": "nobody"}},
    {"filter": {"teamId": "TEAM"}},
    {"filter": {"configurationGroupId": "GROUP", "isVip": False}},
]


@pytest.fixture
async def organisation(api: Api, admin_token: str) -> Organisation:
    """Two locations with settings and groups; users with and without group, VIPs,
    teams of several sizes, a user in no team."""
    services = api.services
    berlin = await services.locations.create_location(
        SYSTEM,
        locations.NewLocation(
            name="Berlin",
            description="HQ",
            client_settings=[("language", "de"), ("theme", {"dark": True})],
            presence_settings=[("away_after", 10)],
        ),
    )
    munich = await services.locations.create_location(
        SYSTEM,
        locations.NewLocation(name="Munich", default_relationship=RelationshipLevel.FORWARDER),
    )
    sales = await services.groups.create_group(
        SYSTEM,
        groups.NewConfigurationGroup(
            location_id=berlin.id,
            name="Sales",
            default_relationship=RelationshipLevel.ASSISTANT,
            client_settings=[("ringtone", "bell")],
        ),
    )
    support = await services.groups.create_group(
        SYSTEM, groups.NewConfigurationGroup(location_id=munich.id, name="Support")
    )
    ids = []
    for n in range(30):
        group = [sales, support, None][n % 3]
        location = berlin if group is sales or (group is None and n % 2) else munich
        user = await services.users.create_user(
            SYSTEM,
            users.NewUser(
                login=f"user{n:02}",
                first_name=None if n % 4 == 0 else f"First{n}",
                last_name=f"Last {n}",
                email=None if n % 5 == 0 else f"user{n}@example.com",
                work_phone=f"+49 30 {1000 + n}" if n % 2 else None,
                location_id=location.id,
                configuration_group_id=group.id if group is not None else None,
                is_vip=n % 7 == 0,
                password=USER_PASSWORD if n == 1 else None,
            ),
        )
        ids.append(user.id)
    team = await services.teams.create_team(
        SYSTEM, teams.NewTeam(name="Everyone but the last", member_ids=ids[:-1])
    )
    for start in range(0, 28, 4):
        await services.teams.create_team(
            SYSTEM,
            teams.NewTeam(
                name=f"Team {start}",
                member_ids=ids[start : start + 4],
                relationship=RelationshipLevel.ASSISTANT,
                description="small" if start % 8 else None,
            ),
        )
    await services.administrators.create_administrator(
        SYSTEM,
        administrators.NewAdministrator(
            login="munich-admin", password=ADMIN_PASSWORD, last_name="Sub", location_ids=[munich.id]
        ),
    )
    signed_in = await api.sign_in_user("user01", USER_PASSWORD)
    return Organisation(
        admin=admin_token,
        sub_admin=await api.sign_in_admin("munich-admin"),
        user=signed_in["token"],
        group_id=to_global_id("ConfigurationGroup", sales.id),
        team_id=to_global_id("Team", team.id),
    )
