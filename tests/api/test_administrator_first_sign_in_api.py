"""An administrator made by another signs in with a temporary password: until it is
changed, the session reads the viewer and changes the password, and nothing else."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api

TEMPORARY, OWN = "Chosen-by-root-1", "Her-own-Passw0rd-2"
CREATE = """
mutation($p: String!) {
  createAdministrator(input: {login: "ida", password: $p, lastName: "Koch"}) {
    administrator { login passwordChangeRequired } errors { code }
  }
}"""
SIGN_IN = """
mutation($p: String!) {
  adminSignIn(login: "ida", password: $p) { token passwordChangeRequired errors { code } }
}"""
CHANGE = """
mutation($c: String!, $n: String!) {
  changeMyPassword(currentPassword: $c, newPassword: $n) { ok errors { code field } }
}"""
VIEWER = "{ viewer { administrator { login passwordChangeRequired } } }"


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def test_the_first_sign_in_changes_the_password_before_anything_else(
    api: Api, admin_token: str
) -> None:
    created = await api.data(CREATE, {"p": TEMPORARY}, token=admin_token)
    assert created["createAdministrator"] == {
        "administrator": {"login": "ida", "passwordChangeRequired": True},
        "errors": [],
    }
    first = (await api.data(SIGN_IN, {"p": TEMPORARY}))["adminSignIn"]
    assert first["passwordChangeRequired"] is True
    token = first["token"]

    assert codes(await api.post("{ users(first: 1) { totalCount } }", token=token)) == ["FORBIDDEN"]
    assert codes(
        await api.post('mutation { createApiToken(name: "x") { token } }', token=token)
    ) == ["FORBIDDEN"]
    viewer = await api.data(VIEWER, token=token)
    assert viewer["viewer"]["administrator"] == {"login": "ida", "passwordChangeRequired": True}
    wrong = await api.data(CHANGE, {"c": "not-it", "n": OWN}, token=token)
    assert wrong["changeMyPassword"]["errors"] == [
        {"code": "INVALID_CREDENTIALS", "field": ["currentPassword"]}
    ]
    weak = await api.data(CHANGE, {"c": TEMPORARY, "n": "idaida"}, token=token)
    assert {e["code"] for e in weak["changeMyPassword"]["errors"]} == {"PASSWORD_POLICY"}

    changed = await api.data(CHANGE, {"c": TEMPORARY, "n": OWN}, token=token)

    assert changed["changeMyPassword"] == {"ok": True, "errors": []}
    assert (await api.data("{ users(first: 1) { totalCount } }", token=token))["users"]
    assert (await api.data(SIGN_IN, {"p": OWN}))["adminSignIn"]["passwordChangeRequired"] is False
    refused = (await api.data(SIGN_IN, {"p": TEMPORARY}))["adminSignIn"]
    assert refused["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    listed = await api.data(
        "{ administrators { login passwordChangeRequired } }", token=admin_token
    )
    assert {"login": "ida", "passwordChangeRequired": False} in listed["administrators"]
