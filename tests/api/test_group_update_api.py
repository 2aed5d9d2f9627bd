"""updateConfigurationGroup: a group's level and settings, each Default (null: the
location's) or Individual; what its users' effective values (and so a reset) follow."""

from __future__ import annotations

from domain.principals import SYSTEM
from domain.services import administrators, groups, locations
from gql.ids import to_global_id
from tests.api.conftest import ADMIN_PASSWORD, Api

UPDATE = """mutation($input: UpdateConfigurationGroupInput!) {
  updateConfigurationGroup(input: $input) {
    configurationGroup { name defaultRelationship clientSettings { key value } }
    errors { code field }
  }
}"""
USER = """query($id: ID!) { node(id: $id) { ... on User {
  defaultRelationship clientSettings { key value } } } }"""
CREATE_USER = """mutation($l: ID!, $g: ID!) {
  createUser(input: {login: "anna", lastName: "A", locationId: $l, configurationGroupId: $g}) {
    user { id } errors { code } }
}"""


async def test_default_or_individual_and_the_users_follow(api: Api, admin_token: str) -> None:
    berlin = await api.services.locations.create_location(
        SYSTEM,
        locations.NewLocation(name="Berlin", client_settings=[("theme", "light")]),
    )
    sales = await api.services.groups.create_group(
        SYSTEM, groups.NewConfigurationGroup(location_id=berlin.id, name="Sales")
    )
    group_id = to_global_id("ConfigurationGroup", sales.id)
    made = await api.data(
        CREATE_USER, {"l": to_global_id("Location", berlin.id), "g": group_id}, token=admin_token
    )
    anna = made["createUser"]["user"]["id"]

    individual = await api.data(
        UPDATE,
        {"input": {"id": group_id, "name": "Sales EU", "defaultRelationship": "ASSISTANT",
                   "clientSettings": [{"key": "theme", "value": "dark"}]}},
        token=admin_token,
    )  # fmt: skip
    assert individual["updateConfigurationGroup"] == {
        "configurationGroup": {
            "name": "Sales EU",
            "defaultRelationship": "ASSISTANT",
            "clientSettings": [{"key": "theme", "value": "dark"}],
        },
        "errors": [],
    }
    user = (await api.data(USER, {"id": anna}, token=admin_token))["node"]
    assert user["defaultRelationship"] == "ASSISTANT"
    assert user["clientSettings"] == [{"key": "theme", "value": "dark"}]

    default = await api.data(
        UPDATE,
        {"input": {"id": group_id, "defaultRelationship": None, "clientSettings": None}},
        token=admin_token,
    )
    group = default["updateConfigurationGroup"]["configurationGroup"]
    assert (group["name"], group["defaultRelationship"], group["clientSettings"]) == (
        "Sales EU",
        None,
        None,
    )
    user = (await api.data(USER, {"id": anna}, token=admin_token))["node"]
    assert user["defaultRelationship"] == "EMPLOYEE"  # the location's
    assert user["clientSettings"] == [{"key": "theme", "value": "light"}]


async def test_refusals_name_the_field_and_hide_other_locations(api: Api, admin_token: str) -> None:
    berlin = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name="Berlin")
    )
    munich = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name="Munich")
    )
    sales = await api.services.groups.create_group(
        SYSTEM, groups.NewConfigurationGroup(location_id=berlin.id, name="Sales")
    )
    await api.services.groups.create_group(
        SYSTEM, groups.NewConfigurationGroup(location_id=berlin.id, name="Support")
    )
    group_id = to_global_id("ConfigurationGroup", sales.id)
    rename = {"input": {"id": group_id, "name": "Support"}}
    taken = await api.data(UPDATE, rename, token=admin_token)
    assert taken["updateConfigurationGroup"]["errors"] == [
        {"code": "NAME_TAKEN", "field": ["input", "name"]}
    ]
    twice = await api.data(
        UPDATE,
        {"input": {"id": group_id,
                   "clientSettings": [{"key": "a", "value": 1}, {"key": "a", "value": 2}]}},
        token=admin_token,
    )  # fmt: skip
    assert twice["updateConfigurationGroup"]["errors"][0]["code"] == "DUPLICATE_SETTING_KEY"

    await api.services.administrators.create_administrator(
        SYSTEM,
        administrators.NewAdministrator(
            login="sub", password=ADMIN_PASSWORD, last_name="S", location_ids=[munich.id]
        ),
    )
    sub = await api.sign_in_admin("sub")
    hidden = await api.data(UPDATE, {"input": {"id": group_id, "name": "X"}}, token=sub)
    assert hidden["updateConfigurationGroup"]["errors"] == [
        {"code": "CONFIGURATION_GROUP_NOT_FOUND", "field": ["input", "id"]}
    ]
