"""An expired password link: opening it (GET) shows a clear page and writes nothing;
the expiry is audited once, by the sweep the dispatcher loop runs or by a POST that
tries to use the link, whichever comes first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence import tables
from server.dispatcher import sweep_expired_links
from tests.api.conftest import Api
from tests.api.test_mail_api import CONFIGURE, gateway_input
from tests.api.test_password_link_api import (
    CHOSEN,
    audit_actions,
    mailed_link,
    reset,
    token_of,
    user,
)
from tests.fakes import FakeClock
from tests.smtp_server import SmtpServer

TTL = timedelta(hours=72)


@pytest.fixture
def api_clock() -> FakeClock:
    return FakeClock()


async def stored(engine: AsyncEngine) -> dict[str, list[tuple[object, ...]]]:
    """What a GET must leave as it was: the links, the users, the audit trail."""
    async with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in await connection.execute(select(table))]
            for table in (tables.password_links, tables.users, tables.audit_events)
        }


async def expired_link(
    api: Api, admin_token: str, smtp_server: SmtpServer, api_clock: FakeClock, login: str
) -> tuple[int, str]:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    user_id = await user(api, login, "de")
    await reset(api, admin_token, user_id)
    path, _, _ = await mailed_link(api, smtp_server)
    api_clock.advance(TTL + timedelta(seconds=1))
    return user_id, path


async def test_opening_an_expired_link_writes_nothing_and_the_sweep_audits_it_once(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine,
    api_clock: FakeClock,
) -> None:  # fmt: skip
    eva, path = await expired_link(api, admin_token, smtp_server, api_clock, "eva")
    before = await stored(engine)

    for _ in range(2):
        page = await api.client.get(path)
        assert page.status_code == 410
        assert "Dieser Link ist abgelaufen" in page.text
    assert await stored(engine) == before

    await sweep_expired_links(lambda: api.services)  # as the dispatcher loop does
    assert await audit_actions(engine, eva) == ["PASSWORD_LINK_SENT", "PASSWORD_LINK_EXPIRED"]
    assert await api.services.password_links.expire_due() == 0
    page = await api.client.get(path)
    assert page.status_code == 410
    assert "Dieser Link ist abgelaufen" in page.text
    posted = await api.client.post(
        "/set-password", data={"token": token_of(path), "password": CHOSEN, "repeat": CHOSEN}
    )
    assert posted.status_code == 410
    assert await audit_actions(engine, eva) == ["PASSWORD_LINK_SENT", "PASSWORD_LINK_EXPIRED"]


async def test_a_post_with_an_expired_link_audits_it_and_the_sweep_not_again(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine,
    api_clock: FakeClock,
) -> None:  # fmt: skip
    finn, path = await expired_link(api, admin_token, smtp_server, api_clock, "finn")
    posted = await api.client.post(
        "/set-password", data={"token": token_of(path), "password": CHOSEN, "repeat": CHOSEN}
    )
    assert posted.status_code == 410
    assert "Dieser Link ist abgelaufen" in posted.text
    assert await audit_actions(engine, finn) == ["PASSWORD_LINK_SENT", "PASSWORD_LINK_EXPIRED"]
    assert await api.services.password_links.expire_due() == 0
    assert await audit_actions(engine, finn) == ["PASSWORD_LINK_SENT", "PASSWORD_LINK_EXPIRED"]


async def test_the_sweep_leaves_a_link_that_has_not_expired(
    api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine,
    api_clock: FakeClock,
) -> None:  # fmt: skip
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    gina = await user(api, "gina", "en")
    await reset(api, admin_token, gina)
    path, _, _ = await mailed_link(api, smtp_server)
    api_clock.advance(TTL - timedelta(minutes=1))
    assert await api.services.password_links.expire_due() == 0
    assert (await api.client.get(path)).status_code == 200
    assert await audit_actions(engine, gina) == ["PASSWORD_LINK_SENT"]
