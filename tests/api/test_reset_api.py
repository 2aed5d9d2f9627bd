"""resetUsers through HTTP, for the options that need no mail."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.model import Contact, RelationshipLevel, SmtpSecurity
from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.mail import GatewayInput
from domain.services.reset import ResetOption
from gql.ids import to_global_id
from persistence.tables import idempotency_keys
from tests.api.conftest import ADMIN_PASSWORD, Api

RESET = """
mutation($ids: [ID!]!, $options: ResetUsersOptions!, $dryRun: Boolean!) {
  resetUsers(ids: $ids, options: $options, dryRun: $dryRun) {
    succeeded failed errors { code }
    results {
      userId status user { login relationships { source } }
      actions { action status changes errors { code } }
      warnings { code } errors { code }
    }
  }
}"""
EVERYTHING_BUT_MAIL = {
    "resetRelationships": True,
    "resetClientSettings": True,
    "resetPresenceSettings": True,
    "repairContactList": True,
}


@pytest.fixture
async def vip_id(api: Api) -> str:
    """A VIP with an own relationship, a setting and a contact of a deactivated source."""
    services = api.services
    loc = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Berlin"))
    vip = await services.users.create_user(
        SYSTEM, users.NewUser(login="vip", last_name="V", location_id=loc.id, is_vip=True)
    )
    ben = await services.users.create_user(
        SYSTEM, users.NewUser(login="ben", last_name="B", location_id=loc.id)
    )
    source = await services.data_sources.create_data_source(SYSTEM, "Legacy CRM")
    async with services.uow as uow:
        await uow.relationships.set(vip.id, ben.id, RelationshipLevel.ASSISTANT)
        await uow.contacts.add(
            Contact(owner_id=vip.id, display_name="Old", data_source_id=source.id, external_id="1")
        )
        await uow.commit()
    await services.data_sources.set_data_source_active(SYSTEM, source.id, False)
    return to_global_id("User", vip.id)


async def reset(api: Api, token: str, ids: list[str], dry_run: bool, **options: Any) -> Any:
    data = await api.data(RESET, {"ids": ids, "options": options, "dryRun": dry_run}, token=token)
    return data["resetUsers"]


class TestResetUsers:
    async def test_a_dry_run_warns_first_and_the_real_run_does_it(
        self, api: Api, admin_token: str, vip_id: str
    ) -> None:
        dry = await reset(api, admin_token, [vip_id], True, **EVERYTHING_BUT_MAIL)
        [result] = dry["results"]
        assert sorted(w["code"] for w in result["warnings"]) == [
            "CONTACTS_REMOVED", "VIP_RELATIONSHIPS_DELETED",
        ]  # fmt: skip
        assert result["user"]["relationships"] == [{"source": "USER"}]  # still there

        done = await reset(api, admin_token, [vip_id], False, **EVERYTHING_BUT_MAIL)
        [result] = done["results"]
        assert result["status"] == "SUCCEEDED"
        assert [(a["action"], a["status"], a["changes"]) for a in result["actions"]] == [
            ("RELATIONSHIPS", "DONE", 1),
            ("CLIENT_SETTINGS", "DONE", 0),
            ("PRESENCE_SETTINGS", "DONE", 0),
            ("CONTACT_LIST", "DONE", 1),
        ]
        assert result["user"]["relationships"] == []
        assert (done["succeeded"], done["failed"]) == (1, 0)

    async def test_unknown_ids_fail_on_their_own(
        self, api: Api, admin_token: str, vip_id: str
    ) -> None:
        unknown = to_global_id("User", 999_999)
        done = await reset(
            api, admin_token, [unknown, vip_id, "garbage", vip_id], False, resetRelationships=True
        )
        assert [(r["userId"], r["status"]) for r in done["results"]] == [
            (unknown, "FAILED"), (vip_id, "SUCCEEDED"), ("garbage", "FAILED"),
        ]  # fmt: skip
        assert done["results"][0]["errors"] == [{"code": "USER_NOT_FOUND"}]
        assert (done["succeeded"], done["failed"]) == (1, 2)

    async def test_no_option_is_a_request_error(self, api: Api, admin_token: str) -> None:
        done = await reset(api, admin_token, [to_global_id("User", 1)], False)
        assert done["errors"] == [{"code": "NO_OPTION_SELECTED"}]
        assert done["results"] == []

    async def test_the_password_is_refused_without_a_gateway(
        self, api: Api, admin_token: str, vip_id: str
    ) -> None:
        done = await reset(api, admin_token, [vip_id], False, setRandomPassword=True)
        [result] = done["results"]
        assert result["status"] == "FAILED"
        assert result["actions"][0]["errors"] == [{"code": "EMAIL_MISSING"}]


class TestIdempotencyKey:
    async def test_a_repeat_returns_the_first_result_and_changes_nothing_again(
        self, api: Api, admin_token: str, vip_id: str
    ) -> None:
        body = {
            "query": RESET,
            "variables": {"ids": [vip_id], "options": EVERYTHING_BUT_MAIL, "dryRun": False},
        }
        headers = {"Authorization": f"Bearer {admin_token}", "Idempotency-Key": "reset-42"}
        first = await api.client.post("/graphql", json=body, headers=headers)
        again = await api.client.post("/graphql", json=body, headers=headers)

        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        events = await api.data(
            "{ auditEvents(first: 50) { edges { node { action } } } }", token=admin_token
        )
        actions = [e["node"]["action"] for e in events["auditEvents"]["edges"]]
        assert actions.count("USER_RESET") == 1

    async def test_a_revoked_token_gets_no_replay(
        self, api: Api, admin_token: str, vip_id: str
    ) -> None:
        made = await api.data(
            'mutation { createApiToken(name: "crm") { apiToken { id } token } }',
            token=admin_token,
        )
        secret = made["createApiToken"]["token"]
        body = {
            "query": RESET,
            "variables": {"ids": [vip_id], "options": EVERYTHING_BUT_MAIL, "dryRun": False},
        }
        headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "reset-44"}
        first = await api.client.post("/graphql", json=body, headers=headers)
        assert first.json()["data"]["resetUsers"]["results"], first.text
        await api.data(
            "mutation($id: ID!) { revokeApiToken(id: $id) { ok } }",
            {"id": made["createApiToken"]["apiToken"]["id"]},
            token=admin_token,
        )

        again = await api.client.post("/graphql", json=body, headers=headers)

        assert "idempotent-replayed" not in again.headers
        assert again.json()["data"] is None
        assert again.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert vip_id not in again.text

    async def test_the_same_key_with_another_body_is_refused(
        self, api: Api, admin_token: str, vip_id: str
    ) -> None:
        headers = {"Authorization": f"Bearer {admin_token}", "Idempotency-Key": "reset-43"}
        variables = {"ids": [vip_id], "options": EVERYTHING_BUT_MAIL, "dryRun": True}
        await api.client.post(
            "/graphql", json={"query": RESET, "variables": variables}, headers=headers
        )
        other = await api.client.post(
            "/graphql",
            json={"query": RESET, "variables": {**variables, "dryRun": False}},
            headers=headers,
        )
        assert other.status_code == 422
        assert other.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"

    async def test_other_operations_ignore_the_key_and_nothing_of_them_is_stored(
        self, api: Api, admin_token: str, engine: AsyncEngine
    ) -> None:
        query = 'mutation { adminSignIn(login: "root", password: "%s") { token } }'
        sign_in = {"query": query % ADMIN_PASSWORD}
        headers = {"Idempotency-Key": "sign-in-1"}
        first = await api.client.post("/graphql", json=sign_in, headers=headers)
        again = await api.client.post("/graphql", json=sign_in, headers=headers)

        tokens = {r.json()["data"]["adminSignIn"]["token"] for r in (first, again)}
        assert len(tokens) == 2  # both ran; nothing was replayed
        async with engine.connect() as conn:
            stored = (
                await conn.execute(select(func.count()).select_from(idempotency_keys))
            ).scalar()
        assert stored == 0


async def test_statements_of_a_reset_grow_with_batches_not_users(
    api: Api, count_statements: Any
) -> None:
    """Every option for 3 users and for 30, all with data every step changes: the
    same statements, one batch each; 30 users in batches of 10 take three times those."""
    services = api.services
    loc = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Berlin"))
    await services.mail.configure_gateway(
        SYSTEM,
        GatewayInput(host="127.0.0.1", port=2525, security=SmtpSecurity.NONE,
                     sender_address="admin@example.com", sender_name="Admin"),
    )  # fmt: skip
    source = await services.data_sources.create_data_source(SYSTEM, "Legacy CRM")
    ids = []
    for n in range(63):
        user = await services.users.create_user(
            SYSTEM,
            users.NewUser(login=f"u{n}", last_name="U", email=f"u{n}@example.com",
                          location_id=loc.id),
        )  # fmt: skip
        ids.append(user.id)
    async with services.uow as uow:
        for owner in ids:
            await uow.relationships.set(owner, ids[0] if owner != ids[0] else ids[1],
                                        RelationshipLevel.ASSISTANT)  # fmt: skip
            await uow.contacts.add(
                Contact(owner_id=owner, display_name="Old", data_source_id=source.id,
                        external_id=str(owner))
            )  # fmt: skip
            user = await uow.users.get(owner)
            assert user is not None
            await uow.users.update(replace(user, client_settings={"k": 1}))
        await uow.commit()
    await services.data_sources.set_data_source_active(SYSTEM, source.id, False)
    options = list(ResetOption)

    async def statements(chosen: list[int], batch: int) -> int:
        batched = replace(services, config=replace(services.config, reset_batch_size=batch))
        with count_statements() as counter:
            outcomes = await batched.reset.reset_users(
                SYSTEM, [(str(i), i) for i in chosen], options
            )
        assert {o.status.value for o in outcomes} == {"SUCCEEDED"}
        return len(counter.statements)

    few = await statements(ids[:3], batch=100)
    many = await statements(ids[3:33], batch=100)
    in_tens = await statements(ids[33:63], batch=10)
    assert few == many
    assert in_tens == 3 * many


async def test_a_password_reset_reads_its_users_once_per_batch(
    api: Api, count_statements: Any
) -> None:
    """The passwords are hashed ahead of the batches without reading the users: each
    batch's transaction reads them, once, and decides."""
    services = api.services
    loc = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Berlin"))
    await services.mail.configure_gateway(
        SYSTEM,
        GatewayInput(host="127.0.0.1", port=2525, security=SmtpSecurity.NONE,
                     sender_address="admin@example.com", sender_name="Admin"),
    )  # fmt: skip
    ids = []
    for n in range(6):
        user = await services.users.create_user(
            SYSTEM,
            users.NewUser(login=f"u{n}", last_name="U", email=f"u{n}@example.com",
                          location_id=loc.id),
        )  # fmt: skip
        ids.append(user.id)
    batched = replace(services, config=replace(services.config, reset_batch_size=2))
    with count_statements() as counter:
        outcomes = await batched.reset.reset_users(
            SYSTEM, [(str(i), i) for i in ids], [ResetOption.PASSWORD]
        )
    assert {o.status.value for o in outcomes} == {"SUCCEEDED"}
    user_reads = [
        s for s in counter.statements
        if s.lstrip().upper().startswith("SELECT") and " FROM USERS" in " ".join(s.upper().split())
    ]  # fmt: skip
    assert len(user_reads) == 3
