"""Relay's refetch: every type of the schema that implements Node comes back from
node(id:), for a caller who may see it, and is null for one who may not."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLObjectType

from domain.principals import SYSTEM
from domain.services import administrators, groups, locations, teams, users
from gql.limits import Limits
from gql.schema import build_schema
from tests.api.conftest import ADMIN_PASSWORD, Api

# How a test finds an object of each type: a query and the path to its id. The test
# below fails for a Node type of the schema that has no entry here.
FIND: dict[str, tuple[str, list[str | int]]] = {
    "Location": ("{ locations { id } }", ["locations", 0, "id"]),
    "ConfigurationGroup": (
        "{ locations { configurationGroups { id } } }",
        ["locations", 0, "configurationGroups", 0, "id"],
    ),
    "User": ("{ users { edges { node { id } } } }", ["users", "edges", 0, "node", "id"]),
    "Team": ("{ teams { id } }", ["teams", 0, "id"]),
    "DirectoryDataSource": ("{ directoryDataSources { id } }", ["directoryDataSources", 0, "id"]),
    "Administrator": ("{ administrators { id } }", ["administrators", 0, "id"]),
    "ApiToken": ("{ apiTokens { id } }", ["apiTokens", 0, "id"]),
    "AuditEvent": (
        "{ auditEvents(first: 1) { edges { node { id } } } }",
        ["auditEvents", "edges", 0, "node", "id"],
    ),
    "WebhookEndpoint": ("{ webhookEndpoints { id } }", ["webhookEndpoints", 0, "id"]),
}

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"


def node_types() -> list[str]:
    schema = build_schema(Limits())._schema
    node = schema.get_type("Node")
    assert node is not None
    return sorted(
        t.name
        for t in schema.type_map.values()
        if isinstance(t, GraphQLObjectType) and node in t.interfaces
    )


def at(data: Any, path: list[str | int]) -> str:
    for step in path:
        data = data[step]
    assert isinstance(data, str)
    return data


@pytest.fixture
async def one_of_each(api: Api, admin_token: str) -> str:
    """One object of every Node type, in Berlin; the system administrator's token."""
    services = api.services
    berlin = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Berlin"))
    await services.groups.create_group(SYSTEM, groups.NewConfigurationGroup(berlin.id, "Sales"))
    user = await services.users.create_user(
        SYSTEM, users.NewUser(login="anna", last_name="A", location_id=berlin.id)
    )
    await services.teams.create_team(SYSTEM, teams.NewTeam(name="Team", member_ids=[user.id]))
    await services.data_sources.create_data_source(SYSTEM, "LDAP")
    made = await api.data('mutation { createApiToken(name: "CRM") { token } }', token=admin_token)
    assert made["createApiToken"]["token"]
    hook = await api.data(
        'mutation { createWebhookEndpoint(input: {url: "https://hooks.example/c", '
        "events: [USER_RESET]}) { secret } }",
        token=admin_token,
    )
    assert hook["createWebhookEndpoint"]["secret"]
    return admin_token


def test_every_node_type_has_a_way_to_find_one() -> None:
    assert node_types() == sorted(FIND)


@pytest.mark.parametrize("type_name", node_types())
async def test_node_fetches_every_node_type(api: Api, one_of_each: str, type_name: str) -> None:
    query, path = FIND[type_name]
    global_id = at(await api.data(query, token=one_of_each), path)

    fetched = await api.data(NODE, {"id": global_id}, token=one_of_each)

    assert fetched["node"] == {"__typename": type_name, "id": global_id}


async def test_an_audit_event_outside_a_sub_administrators_locations_is_null(
    api: Api, one_of_each: str
) -> None:
    munich = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name="Munich")
    )
    await api.services.administrators.create_administrator(
        SYSTEM,
        administrators.NewAdministrator(
            login="munich-admin", password=ADMIN_PASSWORD, last_name="M", location_ids=[munich.id]
        ),
    )
    sub = await api.sign_in_admin("munich-admin")
    # The newest event about Anna, of Berlin: her team's creation or her own.
    about_anna = await api.data(
        "{ auditEvents(first: 20) { edges { node { id targetUser { login } } } } }",
        token=one_of_each,
    )
    berlin_event = next(
        e["node"]["id"]
        for e in about_anna["auditEvents"]["edges"]
        if (e["node"]["targetUser"] or {}).get("login") == "anna"
    )

    assert (await api.data(NODE, {"id": berlin_event}, token=one_of_each))["node"]
    assert (await api.data(NODE, {"id": berlin_event}, token=sub))["node"] is None
