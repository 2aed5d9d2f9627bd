"""The password rules on every path that takes a new password, through HTTP: what a
person sees is counted, the login is refused, an administrator's choice is temporary."""

from __future__ import annotations

from typing import Any

import pytest

from domain.principals import SYSTEM
from domain.services import locations, users
from gql.ids import to_global_id
from tests.api.conftest import Api

CREATE_USER = """
mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id passwordChangeRequired } errors { code message field } }
}"""
SET_PASSWORD = """
mutation($id: ID!, $p: String!) {
  setUserPassword(userId: $id, password: $p) { ok errors { code message field } }
}"""
CHANGE_MINE = """
mutation($c: String!, $n: String!) {
  changeMyPassword(currentPassword: $c, newPassword: $n) { ok errors { code message field } }
}"""
CREATE_ADMIN = """
mutation($input: CreateAdministratorInput!) {
  createAdministrator(input: $input) { administrator { id } errors { code message field } }
}"""
GOOD = "Correct-Horse-42"
INVISIBLE_PADDING = "\u200b" * 9 + "Ab1"


def codes(payload: dict[str, Any]) -> list[str]:
    return sorted({e["code"] for e in payload["errors"]})


def says_it(payload: dict[str, Any], says: str) -> bool:
    return any(says in e["message"] for e in payload["errors"])


async def oslo(api: Api) -> int:
    location = await api.services.locations.create_location(
        SYSTEM, locations.NewLocation(name="Oslo")
    )
    return location.id


async def create_user(api: Api, token: str, password: str, login: str = "anna.berg") -> Any:
    given = {
        "login": login, "lastName": "Berg", "password": password,
        "locationId": to_global_id("Location", await oslo(api)),
    }  # fmt: skip
    return (await api.data(CREATE_USER, {"input": given}, token=token))["createUser"]


async def user_signed_in(api: Api) -> tuple[int, str]:
    user = await api.services.users.create_user(
        SYSTEM,
        users.NewUser(login="anna.berg", last_name="Berg", location_id=await oslo(api),
                      password=GOOD),
    )  # fmt: skip
    return user.id, (await api.sign_in_user("anna.berg", GOOD))["token"]


@pytest.mark.parametrize(
    ("password", "says"),
    [(INVISIBLE_PADDING, "at least 12"), ("anna.berg", "login"), ("Xy-Anna.Berg-2026", "login"),
     ("\u0410bcdefghijk1", "uppercase"), ("Abcdefghijk\uff11", "digit")],
)  # fmt: skip
class TestEveryPath:
    async def test_create_user(self, api: Api, admin_token: str, password: str, says: str) -> None:
        created = await create_user(api, admin_token, password)

        assert codes(created) == ["PASSWORD_POLICY"]
        assert says_it(created, says)

    async def test_set_user_password(
        self, api: Api, admin_token: str, password: str, says: str
    ) -> None:
        user_id, _ = await user_signed_in(api)

        data = await api.data(
            SET_PASSWORD, {"id": to_global_id("User", user_id), "p": password}, token=admin_token
        )

        assert codes(data["setUserPassword"]) == ["PASSWORD_POLICY"]
        assert says_it(data["setUserPassword"], says)

    async def test_change_my_password_and_the_change_after_a_set_password(
        self, api: Api, admin_token: str, password: str, says: str
    ) -> None:
        user_id, token = await user_signed_in(api)

        mine = await api.data(CHANGE_MINE, {"c": GOOD, "n": password}, token=token)
        await api.data(
            SET_PASSWORD, {"id": to_global_id("User", user_id), "p": "Temporary-Pw-77"},
            token=admin_token,
        )  # fmt: skip
        pending = await api.sign_in_user("anna.berg", "Temporary-Pw-77")
        after = await api.data(
            CHANGE_MINE, {"c": "Temporary-Pw-77", "n": password}, token=pending["token"]
        )

        assert pending["passwordChangeRequired"] is True
        for payload in (mine["changeMyPassword"], after["changeMyPassword"]):
            assert codes(payload) == ["PASSWORD_POLICY"]
            assert says_it(payload, says)

    async def test_create_administrator(
        self, api: Api, admin_token: str, password: str, says: str
    ) -> None:
        given = {"login": "anna.berg", "lastName": "Berg", "password": password}

        data = await api.data(CREATE_ADMIN, {"input": given}, token=admin_token)

        assert codes(data["createAdministrator"]) == ["PASSWORD_POLICY"]
        assert says_it(data["createAdministrator"], says)


class TestAnAdministratorsChoice:
    async def test_a_password_given_at_creation_is_temporary(
        self, api: Api, admin_token: str
    ) -> None:
        created = await create_user(api, admin_token, GOOD)

        signed_in = await api.sign_in_user("anna.berg", GOOD)
        changed = await api.data(
            CHANGE_MINE, {"c": GOOD, "n": "Only-Anna-Knows-9"}, token=signed_in["token"]
        )
        again = await api.sign_in_user("anna.berg", "Only-Anna-Knows-9")

        assert created["user"]["passwordChangeRequired"] is True
        assert signed_in["passwordChangeRequired"] is True
        assert changed["changeMyPassword"] == {"ok": True, "errors": []}
        assert again["passwordChangeRequired"] is False
