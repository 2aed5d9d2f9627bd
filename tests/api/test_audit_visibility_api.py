"""What an audit event's details show a sub-administrator, against a live server:
no id of a user outside its locations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.administrators import NewAdministrator
from gql.ids import to_global_id
from tests.api.conftest import ADMIN_PASSWORD
from tests.api.test_progress_api import Live, admin, serving

USER_PASSWORD = "Munich-Passw0rd!x"
AUDIT = "{ auditEvents(first: 20) { edges { node { action details } } } }"
SET_RELATIONSHIP = (
    "mutation($t: ID!) { setMyRelationship(targetUserId: $t, level: ASSISTANT) "
    "{ errors { code } } }"
)


@pytest.fixture
async def live(clean_database: AsyncEngine, database_url: str) -> AsyncIterator[Live]:
    async with serving(clean_database, database_url) as server:
        yield server


async def relationship_details(live: Live, token: str) -> list[dict[str, Any]]:
    data = await live.api.data(AUDIT, token=token)
    return [
        e["node"]["details"]
        for e in data["auditEvents"]["edges"]
        if e["node"]["action"] == "RELATIONSHIP_SET"
    ]


async def test_a_sub_administrator_reads_no_id_of_a_user_elsewhere(live: Live) -> None:
    root = await admin(live, "root")
    services = live.api.services
    munich = await services.locations.create_location(SYSTEM, locations.NewLocation(name="M"))
    berlin = await services.locations.create_location(SYSTEM, locations.NewLocation(name="B"))
    await services.users.create_user(
        SYSTEM,
        users.NewUser(login="mia", last_name="M", location_id=munich.id, password=USER_PASSWORD),
    )
    max_ = await services.users.create_user(
        SYSTEM, users.NewUser(login="max", last_name="M", location_id=munich.id)
    )
    bea = await services.users.create_user(
        SYSTEM, users.NewUser(login="bea", last_name="B", location_id=berlin.id)
    )
    await services.administrators.create_administrator(
        SYSTEM,
        NewAdministrator(
            login="munich-admin", password=ADMIN_PASSWORD, last_name="A", location_ids=[munich.id]
        ),
    )
    munich_admin = await live.api.sign_in_admin("munich-admin")
    signed_in = await live.api.sign_in_user("mia", USER_PASSWORD)
    for target in (bea, max_):
        answer = await live.api.data(
            SET_RELATIONSHIP, {"t": to_global_id("User", target.id)}, token=signed_in["token"]
        )
        assert answer["setMyRelationship"]["errors"] == []

    # Mia lives in Munich: both events are the Munich administrator's to read, but the
    # Berlin user's id is left out of them; a Munich user's stays.
    seen = await relationship_details(live, munich_admin)
    assert [d["relationship_target_id"] for d in seen] == [max_.id, None]
    assert all(d["level"] == "ASSISTANT" for d in seen)
    # A system administrator reads everything.
    everything = await relationship_details(live, root)
    assert [d["relationship_target_id"] for d in everything] == [max_.id, bea.id]
