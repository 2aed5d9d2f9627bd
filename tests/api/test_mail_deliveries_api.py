"""How the mails of a reset fared, per user: pending, sent, or failed with the SMTP
server's reply, for the administrators of the user's location; against a real SMTP
server on 127.0.0.1."""

from __future__ import annotations

from typing import Any

from domain.principals import SYSTEM
from domain.services.administrators import NewAdministrator
from tests.api.conftest import ADMIN_PASSWORD, Api
from tests.api.test_mail_api import (
    CONFIGURE,
    dispatcher_services,
    gateway_input,
    reset_password,
    user_with_mail,
)
from tests.smtp_server import SmtpServer

# A page of users, as the Web Administration's result screen reads it.
DELIVERIES = """
{
  users(first: 100) {
    edges { node {
      id login
      mailDeliveries {
        kind status recipient attempts replyCode reply
        pending: nextAttemptAt sentAt
      }
    } }
  }
}"""


async def deliveries(api: Api, token: str, *ids: str) -> dict[str, list[dict[str, Any]]]:
    edges = (await api.data(DELIVERIES, token=token))["users"]["edges"]
    wanted = set(ids)
    return {
        edge["node"]["login"]: edge["node"]["mailDeliveries"]
        for edge in edges
        if edge["node"]["id"] in wanted
    }


def states(found: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        login: [(m["kind"], m["status"], m["attempts"], m["replyCode"]) for m in mails]
        for login, mails in found.items()
    }


async def test_each_users_mail_says_pending_then_sent_or_failed_with_the_reply(
    api: Api, admin_token: str, smtp_server: SmtpServer
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    anna, ben = await user_with_mail(api, "anna"), await user_with_mail(api, "ben")
    await reset_password(api, admin_token, anna, ben)

    queued = await deliveries(api, admin_token, anna, ben)
    assert states(queued) == {
        "anna": [("PASSWORD", "PENDING", 0, None)],
        "ben": [("PASSWORD", "PENDING", 0, None)],
    }
    assert all(m["pending"] and m["sentAt"] is None for mails in queued.values() for m in mails)

    smtp_server.reply_next("550 5.1.1 No such mailbox")
    assert await dispatcher_services(api).outbox.dispatch_due() == 2

    fared = await deliveries(api, admin_token, anna, ben)
    assert states(fared) == {
        "anna": [("PASSWORD", "FAILED", 1, 550)],
        "ben": [("PASSWORD", "SENT", 1, 250)],
    }
    [failed], [sent] = fared["anna"], fared["ben"]
    assert "No such mailbox" in failed["reply"]
    assert (failed["recipient"], failed["pending"], failed["sentAt"]) == (
        "anna@example.org", None, None,
    )  # fmt: skip
    assert sent["sentAt"] is not None
    assert sent["reply"] is None

    # A new reset sends a new password: the newest mail comes first.
    await reset_password(api, admin_token, anna)
    again = await deliveries(api, admin_token, anna)
    assert states(again)["anna"] == [
        ("PASSWORD", "PENDING", 0, None), ("PASSWORD", "FAILED", 1, 550),
    ]  # fmt: skip


async def test_only_administrators_of_the_users_location_follow_its_mails(
    api: Api, admin_token: str, smtp_server: SmtpServer
) -> None:
    await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
    anna = await user_with_mail(api, "anna")
    await reset_password(api, admin_token, anna)
    [anna_location] = (await api.services.locations.list_locations(SYSTEM))[:1]
    await api.services.administrators.create_administrator(
        SYSTEM,
        NewAdministrator(login="local", password=ADMIN_PASSWORD, last_name="Local",
                         location_ids=[anna_location.id]),
    )  # fmt: skip
    local = await api.sign_in_admin("local")

    assert states(await deliveries(api, local, anna)) == {
        "anna": [("PASSWORD", "PENDING", 0, None)]
    }
    # The user itself reads its details, but not how its mails fared.
    given = await api.data(
        'mutation($id: ID!) { setUserPassword(userId: $id, password: "Her-chosen-Passw0rd-1") '
        "{ ok } }", {"id": anna}, token=admin_token,
    )  # fmt: skip
    assert given["setUserPassword"]["ok"] is True
    signed_in = await api.sign_in_user("anna", "Her-chosen-Passw0rd-1")
    me = await api.data("{ me { login mailDeliveries { status } } }", token=signed_in["token"])
    assert me["me"] == {"login": "anna", "mailDeliveries": []}
