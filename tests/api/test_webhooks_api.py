"""Webhook endpoints through the API: registering (the secret once), who may, errors as
data, the delivery log and a ping delivered to a receiver on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from standardwebhooks import Webhook

from domain.principals import SYSTEM
from domain.services import administrators, locations
from server.container import services_factory
from server.http.app import create_app
from server.settings import Settings
from tests.api.conftest import ADMIN_PASSWORD, Api
from tests.webhook_receiver import Receiver, running_receiver

CREATE = """mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    webhookEndpoint { id url events active owner { login } }
    secret
    errors { code field }
  }
}"""
ENDPOINTS = "{ webhookEndpoints { id url owner { login } } }"
PING = """mutation($id: ID!) { pingWebhookEndpoint(id: $id) {
  delivery { messageId eventType status attempts } errors { code field } } }"""
LOG = """query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { url
  deliveries(first: 5) { messageId eventType status attempts lastStatusCode lastError
    deliveredAt nextAttemptAt } } } }"""
DELETE = """mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { ok errors { code field } } }"""
SWITCH = """mutation($id: ID!, $active: Boolean!) { setWebhookEndpointActive(id: $id,
  active: $active) { webhookEndpoint { active } errors { code field } } }"""
CREATE_API_TOKEN = 'mutation { createApiToken(name: "partner") { token errors { code } } }'
PUBLIC = "https://hooks.partner.example/connect"


def new(url: str, events: list[str] | None = None) -> dict[str, Any]:
    return {"input": {"url": url, "events": ["USER_RESET"] if events is None else events}}


async def sub_administrator(api: Api) -> str:
    munich = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name="Munich")
    )
    await api.services.administrators.create_administrator(
        SYSTEM,
        administrators.NewAdministrator(
            login="sub", password=ADMIN_PASSWORD, last_name="Sub", location_ids=[munich.id]
        ),
    )
    return await api.sign_in_admin("sub")


async def test_an_endpoint_is_registered_with_its_secret_shown_once(
    api: Api, admin_token: str
) -> None:
    data = await api.data(CREATE, new(PUBLIC, ["USER_RESET", "MAIL_FAILED"]), admin_token)
    created = data["createWebhookEndpoint"]
    assert created["errors"] == []
    assert created["secret"].startswith("whsec_")
    assert created["webhookEndpoint"]["events"] == ["USER_RESET", "MAIL_FAILED"]
    assert created["webhookEndpoint"]["owner"] == {"login": "root"}
    listed = await api.data(ENDPOINTS, token=admin_token)
    assert listed["webhookEndpoints"] == [
        {"id": created["webhookEndpoint"]["id"], "url": PUBLIC, "owner": {"login": "root"}}
    ]
    assert created["secret"] not in str(
        await api.post(LOG, {"id": listed["webhookEndpoints"][0]["id"]}, admin_token)
    )


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (
            new("http://127.0.0.1:8080/hook"),
            [{"code": "WEBHOOK_URL_NOT_ALLOWED", "field": ["input", "url"]}],
        ),
        (
            new("https://10.0.0.7/hook"),
            [{"code": "WEBHOOK_URL_NOT_ALLOWED", "field": ["input", "url"]}],
        ),
        (
            new("ftp://partner.example/"),
            [{"code": "WEBHOOK_URL_INVALID", "field": ["input", "url"]}],
        ),
        (
            new("https://user:pw@partner.example/"),
            [{"code": "WEBHOOK_URL_INVALID", "field": ["input", "url"]}],
        ),
        (new(PUBLIC, []), [{"code": "REQUIRED", "field": ["input", "events"]}]),
    ],
)
async def test_refusals_are_errors_with_codes(
    api: Api, admin_token: str, variables: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    data = await api.data(CREATE, variables, admin_token)
    assert data["createWebhookEndpoint"] == {
        "webhookEndpoint": None, "secret": None, "errors": expected,
    }  # fmt: skip
    assert (await api.data(ENDPOINTS, token=admin_token))["webhookEndpoints"] == []


async def test_an_api_token_registers_no_endpoint(api: Api, admin_token: str) -> None:
    token = (await api.data(CREATE_API_TOKEN, token=admin_token))["createApiToken"]["token"]
    body = await api.post(CREATE, new(PUBLIC), token)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert (await api.data(ENDPOINTS, token=token))["webhookEndpoints"] == []


async def test_a_sub_administrator_sees_and_manages_only_its_own(
    api: Api, admin_token: str
) -> None:
    sub = await sub_administrator(api)
    root_id = (await api.data(CREATE, new(PUBLIC), admin_token))["createWebhookEndpoint"][
        "webhookEndpoint"
    ]["id"]
    sub_id = (await api.data(CREATE, new(PUBLIC + "/sub"), sub))["createWebhookEndpoint"][
        "webhookEndpoint"
    ]["id"]

    mine = (await api.data(ENDPOINTS, token=sub))["webhookEndpoints"]
    assert [e["id"] for e in mine] == [sub_id]
    every = (await api.data(ENDPOINTS, token=admin_token))["webhookEndpoints"]
    assert [e["id"] for e in every] == [root_id, sub_id]
    assert (await api.data(LOG, {"id": root_id}, sub))["node"] is None
    not_found = [{"code": "WEBHOOK_ENDPOINT_NOT_FOUND", "field": ["id"]}]
    assert (await api.data(DELETE, {"id": root_id}, sub))["deleteWebhookEndpoint"] == {
        "ok": False, "errors": not_found,
    }  # fmt: skip
    assert (await api.data(PING, {"id": root_id}, sub))["pingWebhookEndpoint"]["errors"] == (
        not_found
    )
    switched = await api.data(SWITCH, {"id": sub_id, "active": False}, sub)
    assert switched["setWebhookEndpointActive"] == {
        "webhookEndpoint": {"active": False}, "errors": [],
    }  # fmt: skip
    assert (await api.data(DELETE, {"id": sub_id}, admin_token))["deleteWebhookEndpoint"][
        "ok"
    ] is True


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver() as running:
        yield running


@pytest.fixture
async def private_api(clean_database: AsyncEngine, database_url: str) -> AsyncIterator[Api]:
    """The API of a server whose operator allows endpoints on private addresses."""
    settings = Settings(
        database_url=database_url,  # type: ignore[arg-type]
        secret_key="test-key",  # type: ignore[arg-type]
        mail_dispatcher=False,
        cost_budget=False,
        webhooks_allow_private=True,
    )
    app = create_app(settings, engine=clean_database)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield Api(
            client=client,
            services=services_factory(clean_database, settings)(),
            compiled=settings.compiled_execution,
        )


async def test_a_ping_is_delivered_and_logged(private_api: Api, receiver: Receiver) -> None:
    api = private_api
    await api.services.administrators.create_administrator(
        SYSTEM,
        administrators.NewAdministrator(login="root", password=ADMIN_PASSWORD, last_name="Root"),
    )
    token = await api.sign_in_admin("root")
    created = (await api.data(CREATE, new(receiver.url()), token))["createWebhookEndpoint"]
    endpoint_id = created["webhookEndpoint"]["id"]

    queued = (await api.data(PING, {"id": endpoint_id}, token))["pingWebhookEndpoint"]
    assert queued["delivery"]["status"] == "PENDING"
    assert await api.services.webhook_dispatch.dispatch_due() == 1

    (received,) = await receiver.wait_for(1)
    payload = Webhook(created["secret"]).verify(received.body, received.headers)
    assert payload["type"] == "webhook.ping"
    assert payload["data"] == {"endpointId": endpoint_id, "requestedBy": "root"}
    (logged,) = (await api.data(LOG, {"id": endpoint_id}, token))["node"]["deliveries"]
    assert logged["messageId"] == queued["delivery"]["messageId"] == received.headers["webhook-id"]
    outcome = (logged["eventType"], logged["status"], logged["attempts"], logged["lastStatusCode"])
    assert outcome == ("PING", "DELIVERED", 1, 204)
    assert logged["lastError"] is None
    assert logged["nextAttemptAt"] is None
    assert logged["deliveredAt"] is not None
