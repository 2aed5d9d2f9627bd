"""Sign-in, bearer tokens and roles, through HTTP."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from tests.api.conftest import ADMIN_PASSWORD, Api
from tests.api.ids import pk

USERS = "{ users { totalCount } }"
CREATE_LOCATION = (
    'mutation { createLocation(input: {name: "Berlin"}) { location { id } errors { code } } }'
)
CREATE_USER = """
mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id login } errors { code message field } }
}"""


SIGN_IN_ROOT = (
    f'mutation {{ adminSignIn(login: "root", password: "{ADMIN_PASSWORD}") {{ token }} }}'
)


def error_codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


TEMPORARY_PASSWORD = "Temporary-Passw0rd-1"


async def make_user(api: Api, token: str, login: str, password: str) -> str:
    """A user whose password the administrator chose (a temporary one), changed by the
    user to ``password``."""
    location = await api.data(CREATE_LOCATION.replace("Berlin", f"Loc-{login}"), token=token)
    location_id = location["createLocation"]["location"]["id"]
    created = await api.data(
        CREATE_USER,
        {
            "input": {
                "login": login,
                "lastName": "Doe",
                "locationId": location_id,
                "password": TEMPORARY_PASSWORD,
            }
        },
        token=token,
    )
    assert created["createUser"]["errors"] == []
    first = await api.sign_in_user(login, TEMPORARY_PASSWORD)
    assert first["passwordChangeRequired"] is True
    changed = await api.data(
        "mutation($c: String!, $n: String!) { changeMyPassword(currentPassword: $c, "
        "newPassword: $n) { errors { code } } }",
        {"c": TEMPORARY_PASSWORD, "n": password},
        token=first["token"],
    )
    assert changed["changeMyPassword"]["errors"] == []
    user_id: str = created["createUser"]["user"]["id"]
    return user_id


class TestSignIn:
    async def test_an_administrator_signs_in_and_uses_the_token(
        self, api: Api, admin_token: str
    ) -> None:
        data = await api.data(USERS, token=admin_token)
        assert data["users"]["totalCount"] == 0

    async def test_wrong_password_and_unknown_login_fail_alike(
        self, api: Api, admin_token: str
    ) -> None:
        query = (
            'mutation($l: String!) { adminSignIn(login: $l, password: "nope") '
            "{ token errors { code message } } }"
        )
        wrong = (await api.data(query, {"l": "root"}))["adminSignIn"]
        unknown = (await api.data(query, {"l": "nobody"}))["adminSignIn"]
        assert wrong == unknown
        assert wrong["token"] is None
        assert wrong["errors"][0]["code"] == "INVALID_CREDENTIALS"

    async def test_ten_failures_lock_the_login_even_for_the_right_password(
        self, api: Api, admin_token: str
    ) -> None:
        query = (
            'mutation($p: String!) { adminSignIn(login: "root", password: $p) '
            "{ token errors { code } } }"
        )
        for _ in range(10):
            await api.data(query, {"p": "wrong"})
        locked = (await api.data(query, {"p": ADMIN_PASSWORD}))["adminSignIn"]
        assert locked["token"] is None
        assert locked["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"


class TestTokens:
    async def test_no_token_is_unauthenticated(self, api: Api) -> None:
        body = await api.post(USERS)
        assert error_codes(body) == ["UNAUTHENTICATED"]
        assert body["data"] is None

    async def test_a_bad_token_is_unauthenticated(self, api: Api) -> None:
        body = await api.post(USERS, token="cas_not-a-real-token")
        assert error_codes(body) == ["UNAUTHENTICATED"]

    async def test_a_revoked_api_token_stops_working(self, api: Api, admin_token: str) -> None:
        made = await api.data(
            'mutation { createApiToken(name: "crm") { apiToken { id owner { login } } token '
            "errors { code } } }",
            token=admin_token,
        )
        secret = made["createApiToken"]["token"]
        assert made["createApiToken"]["apiToken"]["owner"]["login"] == "root"
        assert (await api.data(USERS, token=secret))["users"]["totalCount"] == 0

        token_id = made["createApiToken"]["apiToken"]["id"]
        revoked = await api.data(
            "mutation($id: ID!) { revokeApiToken(id: $id) { ok errors { code } } }",
            {"id": token_id},
            token=admin_token,
        )
        assert revoked["revokeApiToken"] == {"ok": True, "errors": []}
        assert error_codes(await api.post(USERS, token=secret)) == ["UNAUTHENTICATED"]

    async def test_signing_out_ends_the_session_at_once(self, api: Api, admin_token: str) -> None:
        sign_out = "mutation { signOut { ok errors { code } } }"
        other = (await api.data(SIGN_IN_ROOT))["adminSignIn"]["token"]

        assert (await api.data(sign_out, token=admin_token))["signOut"] == {
            "ok": True,
            "errors": [],
        }
        assert error_codes(await api.post(USERS, token=admin_token)) == ["UNAUTHENTICATED"]
        assert error_codes(await api.post(sign_out, token=admin_token)) == ["UNAUTHENTICATED"]
        # Only that session: the administrator's other one still works.
        assert (await api.data(USERS, token=other))["users"]["totalCount"] == 0

    async def test_an_api_token_is_no_session_to_sign_out(self, api: Api, admin_token: str) -> None:
        made = await api.data(
            'mutation { createApiToken(name: "crm") { token errors { code } } }', token=admin_token
        )
        secret = made["createApiToken"]["token"]
        answer = await api.data("mutation { signOut { ok errors { code } } }", token=secret)
        assert answer["signOut"] == {"ok": False, "errors": [{"code": "NOT_A_SESSION"}]}
        assert (await api.data(USERS, token=secret))["users"]["totalCount"] == 0

    async def test_api_tokens_are_listed_without_secrets(self, api: Api, admin_token: str) -> None:
        made = []
        for name in ("crm", "voicemail"):
            created = await api.data(
                "mutation($n: String!) { createApiToken(name: $n) { apiToken { id } token } }",
                {"n": name},
                token=admin_token,
            )
            made.append(created["createApiToken"])
        await api.data(
            "mutation($id: ID!) { revokeApiToken(id: $id) { ok } }",
            {"id": made[0]["apiToken"]["id"]},
            token=admin_token,
        )
        query = "{ apiTokens { id name revokedAt lastUsedAt owner { login } } }"

        listed = (await api.data(query, token=admin_token))["apiTokens"]
        via_token = (await api.data(query, token=made[1]["token"]))["apiTokens"]

        assert [(t["name"], t["owner"]["login"]) for t in listed] == [
            ("crm", "root"),
            ("voicemail", "root"),
        ]
        assert listed[0]["revokedAt"] is not None
        assert listed[1]["revokedAt"] is None
        assert [t["id"] for t in via_token] == [
            made[0]["apiToken"]["id"],
            made[1]["apiToken"]["id"],
        ]
        assert via_token[1]["lastUsedAt"] is not None

    async def test_a_user_cannot_list_api_tokens(self, api: Api, admin_token: str) -> None:
        await make_user(api, admin_token, "jane", "Doe-Passw0rd!")
        token = (await api.sign_in_user("jane", "Doe-Passw0rd!"))["token"]
        assert error_codes(await api.post("{ apiTokens { id } }", token=token)) == ["FORBIDDEN"]


class TestUserSessions:
    async def test_changing_the_password_ends_the_other_sessions(
        self, api: Api, admin_token: str
    ) -> None:
        await make_user(api, admin_token, "jane", "Doe-Passw0rd!")
        laptop = (await api.sign_in_user("jane", "Doe-Passw0rd!"))["token"]
        phone = (await api.sign_in_user("jane", "Doe-Passw0rd!"))["token"]

        changed = await api.data(
            'mutation { changeMyPassword(currentPassword: "Doe-Passw0rd!", '
            'newPassword: "Another-Passw0rd!") { ok errors { code } } }',
            token=laptop,
        )

        assert changed["changeMyPassword"] == {"ok": True, "errors": []}
        assert (await api.data("{ me { login } }", token=laptop))["me"] == {"login": "jane"}
        assert error_codes(await api.post("{ me { login } }", token=phone)) == ["UNAUTHENTICATED"]

    async def test_a_user_token_cannot_administer(self, api: Api, admin_token: str) -> None:
        await make_user(api, admin_token, "jane", "Doe-Passw0rd!")
        signed_in = await api.sign_in_user("jane", "Doe-Passw0rd!")
        assert signed_in["passwordChangeRequired"] is False
        assert error_codes(await api.post(USERS, token=signed_in["token"])) == ["FORBIDDEN"]
        me = await api.data("{ me { login } }", token=signed_in["token"])
        assert me["me"] == {"login": "jane"}

    async def test_a_blocked_users_token_stops_working(self, api: Api, admin_token: str) -> None:
        user_id = await make_user(api, admin_token, "jane", "Doe-Passw0rd!")
        token = (await api.sign_in_user("jane", "Doe-Passw0rd!"))["token"]
        blocked = await api.data(
            "mutation($id: ID!) { updateUser(input: {id: $id, blocked: true}) "
            "{ user { blocked } errors { code } } }",
            {"id": user_id},
            token=admin_token,
        )
        assert blocked["updateUser"]["user"] == {"blocked": True}
        assert error_codes(await api.post("{ me { login } }", token=token)) == ["UNAUTHENTICATED"]
        again = await api.sign_in_user("jane", "Doe-Passw0rd!")
        assert again["token"] is None
        assert again["errors"][0]["code"] == "ACCOUNT_BLOCKED"

    async def test_while_a_password_change_is_required_only_that_is_allowed(
        self, api: Api, admin_token: str
    ) -> None:
        user_id = await make_user(api, admin_token, "jane", "Doe-Passw0rd!")
        async with api.services.uow as uow:
            user = await uow.users.get(pk(user_id))
            assert user is not None
            await uow.users.update(replace(user, password_change_required=True))
            await uow.commit()
        signed_in = await api.sign_in_user("jane", "Doe-Passw0rd!")
        token = signed_in["token"]
        assert signed_in["passwordChangeRequired"] is True

        refused = await api.post(
            'mutation { setMyClientSetting(key: "language", value: "de") { ok } }', token=token
        )
        assert error_codes(refused) == ["FORBIDDEN"]
        changed = await api.data(
            'mutation { changeMyPassword(currentPassword: "Doe-Passw0rd!", '
            'newPassword: "Another-Passw0rd!") { ok errors { code } } }',
            token=token,
        )
        assert changed["changeMyPassword"] == {"ok": True, "errors": []}
        allowed = await api.data(
            'mutation { setMyClientSetting(key: "language", value: "de") { ok } }', token=token
        )
        assert allowed["setMyClientSetting"]["ok"] is True


class TestSignInBurst:
    async def test_a_parallel_burst_of_guesses_locks_the_login(
        self, api: Api, admin_token: str
    ) -> None:
        query = (
            'mutation($p: String!) { adminSignIn(login: "root", password: $p) '
            "{ token errors { code } } }"
        )
        burst = await asyncio.gather(*(api.post(query, {"p": f"guess{n}"}) for n in range(30)))
        codes = {b["data"]["adminSignIn"]["errors"][0]["code"] for b in burst}
        assert codes <= {"INVALID_CREDENTIALS", "TOO_MANY_ATTEMPTS"}
        locked = (await api.data(query, {"p": ADMIN_PASSWORD}))["adminSignIn"]
        assert locked["errors"] == [{"code": "TOO_MANY_ATTEMPTS"}]


class TestAnonymousCallers:
    async def test_learn_nothing_even_about_bad_ids(self, api: Api) -> None:
        for query in (
            'mutation { deleteUser(id: "bad") { ok errors { code } } }',
            '{ node(id: "bad") { id } }',
            "{ __typename users { totalCount } }",
        ):
            body = await api.post(query)
            assert error_codes(body) == ["UNAUTHENTICATED"], query
            assert body["data"] is None

    async def test_may_sign_in_and_introspect(self, api: Api) -> None:
        data = await api.data("{ __schema { queryType { name } } __typename }")
        assert data["__schema"]["queryType"]["name"] == "Query"
        signed = await api.data(
            'mutation { adminSignIn(login: "x", password: "y") { errors { code } } }'
        )
        assert signed["adminSignIn"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]


async def test_a_subscription_over_http_is_refused_clearly(api: Api, admin_token: str) -> None:
    body = await api.post(
        'subscription { resetProgress(operationId: "x") { done } }', token=admin_token
    )
    assert error_codes(body) == ["SUBSCRIPTION_NEEDS_WEBSOCKET"]
    assert body["data"] is None
