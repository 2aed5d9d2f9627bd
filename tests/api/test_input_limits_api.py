"""Hostile and unlucky input through HTTP: every limit answers with a clear error,
and values stored before the limits existed break no read (docs/partners/input-limits.md).

Each class is one finding of a hostile caller's review: JSON nested or sized beyond the limits (3),
line breaks in the gateway's settings (7), IDs and cursors beyond 64 bits (8), a
search text beyond its limit (9), NUL in an e-mail address and in any text (10).
Bad stored values are written straight into the database, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.principals import SYSTEM
from domain.services import locations, users
from domain.services.progress import ProgressBroker
from domain.services.validation import MAX_JSON_BYTES, MAX_JSON_DEPTH
from persistence import tables
from server.http.graphql_view import GraphQLApp
from tests.api.conftest import Api
from tests.api.test_mail_api import (
    CONFIGURE,
    _field,
    dispatcher_services,
    gateway_input,
    reset_password,
    user_with_mail,
)
from tests.fakes import MemoryProgressStore
from tests.smtp_server import SmtpServer

USER_PASSWORD = "User-Passw0rd!"
SET_CLIENT_SETTING = (
    "mutation($k: String!, $v: JSON!) { setMyClientSetting(key: $k, value: $v) "
    "{ ok errors { code field } } }"
)
READ_SETTINGS = """{
  users { edges { node {
    login
    clientSettings { key value }
    presenceSettings { key value }
    clientSettingOverrides { key }
  } } }
  locations { name clientSettings { key value } }
}"""


def nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def nested_text(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def global_id(type_name: str, number: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{number}".encode()).decode().rstrip("=")


def cursor(number: str) -> str:
    return base64.urlsafe_b64encode(f"cursor:{number}".encode()).decode()


def codes(errors: list[dict[str, Any]]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e.get("field")) for e in errors]


async def user_in_berlin(api: Api, login: str = "otto", **settings: Any) -> tuple[int, str]:
    """A user (its number and a signed-in token) in a location with a client setting."""
    services = api.services
    found = [loc for loc in await services.locations.list_locations(SYSTEM) if loc.name == "Berlin"]
    berlin = found[0] if found else None
    if berlin is None:
        berlin = await services.locations.create_location(
            SYSTEM, locations.NewLocation(name="Berlin", client_settings=[("language", "de")])
        )
    user = await services.users.create_user(
        SYSTEM,
        users.NewUser(
            login=login,
            last_name="Doe",
            location_id=berlin.id,
            password=USER_PASSWORD,
            email=f"{login}@example.org",
        ),
    )
    signed_in = await api.sign_in_user(login, USER_PASSWORD)
    return user.id, signed_in["token"]


async def store_raw_json(
    engine: AsyncEngine, table: str, column: str, raw: str, where: str, value: object
) -> None:
    """Writes JSON text into a column as it is, bypassing every check of the API."""
    cast = "CAST(:raw AS json)" if engine.dialect.name == "postgresql" else ":raw"
    async with engine.begin() as connection:
        await connection.execute(
            text(f"UPDATE {table} SET {column} = {cast} WHERE {where} = :value"),
            {"raw": raw, "value": value},
        )


async def raw_json(engine: AsyncEngine, table: str, column: str, where: str, value: object) -> str:
    async with engine.connect() as connection:
        found = await connection.execute(
            text(f"SELECT CAST({column} AS TEXT) FROM {table} WHERE {where} = :value"),
            {"value": value},
        )
        return str(found.scalar_one())


class TestJsonValues:
    """Finding 3: one stored value broke every later read."""

    async def test_a_setting_nested_too_deep_is_refused_and_reads_go_on(
        self, api: Api, admin_token: str
    ) -> None:
        _, token = await user_in_berlin(api)

        refused = await api.data(SET_CLIENT_SETTING, {"k": "deep", "v": nested(250)}, token=token)
        just_too_deep = await api.data(
            SET_CLIENT_SETTING, {"k": "deep", "v": nested(MAX_JSON_DEPTH + 1)}, token=token
        )
        deepest = await api.data(
            SET_CLIENT_SETTING, {"k": "deep", "v": nested(MAX_JSON_DEPTH)}, token=token
        )

        assert codes(refused["setMyClientSetting"]["errors"]) == [("VALUE_TOO_DEEP", ["value"])]
        assert just_too_deep["setMyClientSetting"]["ok"] is False
        assert deepest["setMyClientSetting"] == {"ok": True, "errors": []}
        read = await api.data(READ_SETTINGS, token=admin_token)
        [otto] = [edge["node"] for edge in read["users"]["edges"]]
        assert otto["clientSettings"] == [
            {"key": "deep", "value": nested(MAX_JSON_DEPTH)},
            {"key": "language", "value": "de"},
        ]

    async def test_too_large_out_of_range_or_nul_values_are_refused(
        self, api: Api, admin_token: str
    ) -> None:
        _, token = await user_in_berlin(api)
        cases: list[tuple[str, str, str]] = [
            ("x" * MAX_JSON_BYTES, "VALUE_TOO_LARGE", "value"),
            ("1e999", "VALUE_OUT_OF_RANGE", "value"),  # a literal: Infinity
            ("99999999999999999999999", "VALUE_OUT_OF_RANGE", "value"),
            ('{a: "\\u0000"}', "INVALID_CHARACTERS", "value"),
        ]
        for literal, code, field in cases:
            if literal.startswith("x"):
                literal = f'"{literal}"'
            data = await api.data(
                f'mutation {{ setMyClientSetting(key: "k", value: {literal}) '
                "{ ok errors { code field } } }",
                token=token,
            )
            assert codes(data["setMyClientSetting"]["errors"]) == [(code, [field])], literal

    async def test_location_and_group_settings_are_bounded_with_the_path_of_each_value(
        self, api: Api, admin_token: str
    ) -> None:
        settings = [
            {"key": "fine", "value": {"a": [1, 2]}},
            {"key": "deep", "value": nested(900)},
            {"key": "\x00", "value": 1},
            {"key": "k" * 201, "value": 1},
        ]
        created = await api.data(
            'mutation($s: [SettingInput!]) { createLocation(input: {name: "Rome", '
            "clientSettings: $s}) { location { id } errors { code field } } }",
            {"s": settings},
            token=admin_token,
        )
        assert codes(created["createLocation"]["errors"]) == [
            ("VALUE_TOO_DEEP", ["input", "clientSettings", "1", "value"]),
            ("INVALID_CHARACTERS", ["input", "clientSettings", "2", "key"]),
            ("VALUE_TOO_LONG", ["input", "clientSettings", "3", "key"]),
        ]
        rome = await api.data(
            'mutation { createLocation(input: {name: "Rome"}) { location { id } } }',
            token=admin_token,
        )
        rome_id = rome["createLocation"]["location"]["id"]
        updated = await api.data(
            "mutation($id: ID!, $s: [SettingInput!]) { updateLocation(input: {id: $id, "
            "presenceSettings: $s}) { errors { code field } } }",
            {"id": rome_id, "s": [{"key": "big", "value": ["y" * 1000] * 17}]},
            token=admin_token,
        )
        assert codes(updated["updateLocation"]["errors"]) == [
            ("VALUE_TOO_LARGE", ["input", "presenceSettings", "0", "value"])
        ]
        group = await api.data(
            "mutation($id: ID!, $s: [SettingInput!]) { createConfigurationGroup(input: "
            '{locationId: $id, name: "G", clientSettings: $s}) { errors { code field } } }',
            {"id": rome_id, "s": [{"key": "deep", "value": nested(21)}]},
            token=admin_token,
        )
        assert codes(group["createConfigurationGroup"]["errors"]) == [
            ("VALUE_TOO_DEEP", ["input", "clientSettings", "0", "value"])
        ]

    async def test_stored_values_beyond_the_limits_are_left_out_of_reads(
        self, api: Api, admin_token: str, engine: AsyncEngine
    ) -> None:
        otto, otto_token = await user_in_berlin(api, "otto")
        jane, _ = await user_in_berlin(api, "jane")
        # As a server before the limits stored them, or a hand in the database.
        await store_raw_json(
            engine, "users", "client_settings",
            f'{{"theme": "dark", "deep": {nested_text(250)}, "huge": 1{"0" * 400}}}',
            "id", otto,
        )  # fmt: skip
        await store_raw_json(
            engine, "locations", "client_settings",
            f'{{"language": "de", "deep": {nested_text(900)}}}', "name", "Berlin",
        )  # fmt: skip
        # Deeper than any JSON decoder here reads: the whole column reads as empty.
        await store_raw_json(
            engine, "users", "presence_settings", f'{{"away": {nested_text(3000)}}}', "id", jane
        )

        response = await api.client.post(
            "/graphql",
            json={"query": READ_SETTINGS},
            headers={"Authorization": f"Bearer {admin_token}"},
        )

        assert response.status_code == 200
        body = response.json()
        assert "errors" not in body, body["errors"]
        read = {edge["node"]["login"]: edge["node"] for edge in body["data"]["users"]["edges"]}
        assert read["otto"]["clientSettings"] == [
            {"key": "language", "value": "de"},
            {"key": "theme", "value": "dark"},
        ]
        assert read["jane"]["clientSettings"] == [{"key": "language", "value": "de"}]
        assert read["jane"]["presenceSettings"] == []
        assert body["data"]["locations"] == [
            {"name": "Berlin", "clientSettings": [{"key": "language", "value": "de"}]}
        ]
        # The next write of the list stores it without what could not be read.
        changed = await api.data(SET_CLIENT_SETTING, {"k": "font", "v": "large"}, token=otto_token)
        assert changed["setMyClientSetting"] == {"ok": True, "errors": []}
        stored = await raw_json(engine, "users", "client_settings", "id", otto)
        assert "theme" in stored
        assert "deep" not in stored
        assert "huge" not in stored


class TestGatewayHeaders:
    """Finding 7: a line break in the gateway's settings lost the users' passwords."""

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("senderName", "X\r\nBcc: evil@evil.example"),
            ("host", "smtp.example.org\r\nRCPT TO:<evil@evil.example>"),
            ("username", "mailer\nBcc: evil@evil.example"),
            ("senderAddress", "connect@example.org\r\nBcc: evil@evil.example"),
            ("senderName", "Connect\x00"),
            ("password", "secret\x00"),
        ],
    )
    async def test_line_breaks_and_nul_are_refused(
        self, api: Api, admin_token: str, field: str, value: str
    ) -> None:
        given = {
            "host": "smtp.example.org", "port": 25, "security": "NONE",
            "senderAddress": "connect@example.org", field: value,
        }  # fmt: skip

        refused = await api.data(CONFIGURE, {"input": given}, token=admin_token)

        assert codes(refused["configureEmailGateway"]["errors"]) == [
            ("INVALID_CHARACTERS", ["input", field])
        ]
        read = await api.data("{ emailGateway { configured } }", token=admin_token)
        assert read["emailGateway"]["configured"] is False

    async def test_a_stored_line_break_keeps_queued_passwords_and_refuses_new_resets(
        self, api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        anna, ben = await user_with_mail(api, "anna"), await user_with_mail(api, "ben")
        assert (await reset_password(api, admin_token, anna))["results"][0]["status"] == (
            "SUCCEEDED"
        )
        # A gateway stored before the check existed.
        async with engine.begin() as connection:
            await connection.execute(
                update(tables.email_gateway).values(sender_name="X\r\nBcc: evil@evil.example")
            )

        assert await dispatcher_services(api).outbox.dispatch_due() == 1
        refused = await reset_password(api, admin_token, ben)

        assert smtp_server.received == []
        async with engine.connect() as connection:
            [(status, secret, error)] = (
                await connection.execute(
                    select(
                        tables.outbox.c.status,
                        tables.outbox.c.secret_ciphertext,
                        tables.outbox.c.last_error,
                    )
                )
            ).all()
        assert (status, secret is not None) == ("PENDING", True)
        assert "senderName" in error
        [result] = refused["results"]
        assert result["status"] == "FAILED"
        assert result["actions"][0]["errors"] == [{"code": "MAIL_GATEWAY_INVALID"}]
        # Corrected, the queued password goes out and signs in.
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        assert await dispatcher_services(api).outbox.dispatch_due() == 1
        [received] = smtp_server.received
        assert received.message["From"] == "Connect <connect@example.org>"
        password = _field(received.text, "New password")
        assert (await api.sign_in_user("anna", password))["token"]


# Beyond the key columns (32-bit on PostgreSQL), beyond 64 bits, zero, negative, padded.
OUT_OF_RANGE = ["2147483648", "9223372036854775808", "99999999999999999999", "0", "-1", "007"]


class TestIdsOutOfRange:
    """Finding 8: numbers beyond the key columns' range in IDs and cursors were
    internal errors (beyond 64 bits on SQLite, beyond 32 bits on PostgreSQL)."""

    @pytest.mark.parametrize("number", OUT_OF_RANGE)
    async def test_ids_out_of_range_are_not_found(
        self, api: Api, admin_token: str, number: str
    ) -> None:
        user = global_id("User", number)
        calls: list[tuple[str, dict[str, Any]]] = [
            ("query($id: ID!) { node(id: $id) { id } }", {"id": user}),
            (
                'mutation($id: ID!) { updateUser(input: {id: $id, lastName: "X"}) '
                "{ errors { code field } } }",
                {"id": user},
            ),
            ("mutation($id: ID!) { deleteUser(id: $id) { errors { code field } } }", {"id": user}),
            (
                "mutation($id: ID!) { revokeApiToken(id: $id) { errors { code field } } }",
                {"id": global_id("ApiToken", number)},
            ),
            (
                'mutation($id: ID!) { setUserPassword(userId: $id, password: "P-assw0rd!x") '
                "{ errors { code field } } }",
                {"id": user},
            ),
            (
                "mutation($ids: [ID!]!) { resetUsers(ids: $ids, options: "
                "{resetClientSettings: true}) { results { status actions { errors { code } } } "
                "errors { code field } } }",
                {"ids": [user]},
            ),
            (
                "query($id: ID!) { users(filter: {locationId: $id}) { totalCount } }",
                {"id": global_id("Location", number)},
            ),
            ("query($id: ID) { auditEvents(targetUserId: $id) { totalCount } }", {"id": user}),
        ]
        answers = [
            await api.post(query, variables, token=admin_token) for query, variables in calls
        ]

        assert answers[0]["data"] == {"node": None}
        assert "errors" not in answers[0]
        payloads = [next(iter(answer["data"].values())) for answer in answers[1:6]]
        assert [codes(p["errors"]) for p in payloads[:4]] == [
            [("USER_NOT_FOUND", ["input", "id"])],
            [("USER_NOT_FOUND", ["id"])],
            [("API_TOKEN_NOT_FOUND", ["id"])],
            [("USER_NOT_FOUND", ["userId"])],
        ]
        assert payloads[4]["results"][0]["status"] == "FAILED"
        for answer, code in ((answers[6], "LOCATION_NOT_FOUND"), (answers[7], "USER_NOT_FOUND")):
            [error] = answer["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert error["extensions"]["problems"][0]["code"] == code

    @pytest.mark.parametrize("number", OUT_OF_RANGE)
    async def test_cursors_out_of_range_are_no_cursors(
        self, api: Api, admin_token: str, number: str
    ) -> None:
        for query in (
            "query($c: String) { users(after: $c) { totalCount } }",
            "query($c: String) { auditEvents(after: $c) { totalCount } }",
        ):
            answer = await api.post(query, {"c": cursor(number)}, token=admin_token)

            [error] = answer["errors"]
            assert error["message"] == "Not a cursor of this connection."
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert error["extensions"]["problems"][0]["field"] == ["after"]

    async def test_the_largest_id_is_simply_not_found(self, api: Api, admin_token: str) -> None:
        largest = "2147483647"
        node = await api.data(
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": global_id("User", largest)},
            token=admin_token,
        )
        page = await api.data(
            "query($c: String) { users(after: $c) { totalCount edges { cursor } } }",
            {"c": cursor(largest)},
            token=admin_token,
        )
        assert node == {"node": None}
        assert page["users"]["edges"] == []


class TestSearch:
    """Finding 9: a long search text made SQLite's LIKE pattern too complex."""

    SEARCH = "query($s: String) { users(filter: {search: $s}) { totalCount } }"

    async def test_a_search_beyond_the_limit_is_bad_input(self, api: Api, admin_token: str) -> None:
        answer = await api.post(self.SEARCH, {"s": "%_" * 25_000 + "x"}, token=admin_token)

        [error] = answer["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["problems"] == [
            {
                "code": "VALUE_TOO_LONG",
                "message": "At most 200 characters.",
                "field": ["filter", "search"],
            }
        ]

    async def test_a_search_at_the_limit_and_with_wildcards_runs(
        self, api: Api, admin_token: str
    ) -> None:
        await user_in_berlin(api, "otto")
        at_limit = await api.data(self.SEARCH, {"s": "%_" * 100}, token=admin_token)
        found = await api.data(self.SEARCH, {"s": "ott"}, token=admin_token)
        nul = await api.post(self.SEARCH, {"s": "ot\x00to"}, token=admin_token)

        assert at_limit["users"]["totalCount"] == 0
        assert found["users"]["totalCount"] == 1
        assert nul["errors"][0]["extensions"]["problems"][0]["code"] == "INVALID_CHARACTERS"


CREATE_USER = (
    "mutation($input: CreateUserInput!) { createUser(input: $input) "
    "{ user { id } errors { code field } } }"
)


class TestEmailAddresses:
    """Finding 10: NUL in an e-mail address was accepted; its reset mail then failed."""

    @pytest.mark.parametrize(
        "email", ["a\x00@example.com", "a@example.com\r\nBcc: evil@evil.example", "a\t@example.com"]
    )
    async def test_control_characters_in_an_address_are_refused(
        self, api: Api, admin_token: str, email: str
    ) -> None:
        location = await api.services.locations.create_location(
            SYSTEM, locations.NewLocation(name="Oslo")
        )
        given = {
            "login": "anna", "lastName": "Doe", "email": email,
            "locationId": global_id("Location", str(location.id)),
        }  # fmt: skip

        created = await api.data(CREATE_USER, {"input": given}, token=admin_token)

        assert codes(created["createUser"]["errors"]) == [
            ("INVALID_CHARACTERS", ["input", "email"])
        ]

    async def test_a_stored_bad_address_refuses_the_reset_and_keeps_the_password(
        self, api: Api, admin_token: str, smtp_server: SmtpServer, engine: AsyncEngine
    ) -> None:
        await api.data(CONFIGURE, {"input": gateway_input(smtp_server)}, token=admin_token)
        otto, _ = await user_in_berlin(api, "otto")
        async with engine.begin() as connection:
            await connection.execute(
                update(tables.users)
                .where(tables.users.c.id == otto)
                .values(email="otto@example.org\r\nBcc: evil@evil.example")
            )

        result = await reset_password(api, admin_token, global_id("User", str(otto)))

        [user] = result["results"]
        assert user["status"] == "FAILED"
        assert user["actions"][0]["errors"] == [{"code": "EMAIL_INVALID"}]
        assert await dispatcher_services(api).outbox.dispatch_due() == 0
        assert (await api.sign_in_user("otto", USER_PASSWORD))["token"]


async def _tokens(api: Api, admin_token: str) -> dict[str, str]:
    _, user_token = await user_in_berlin(api, "otto")
    made = await api.data(
        'mutation { createApiToken(name: "voicemail") { token } }', token=admin_token
    )
    return {"admin": admin_token, "user": user_token, "api": made["createApiToken"]["token"]}


NUL = "\x00"
CHARS = "INVALID_CHARACTERS"
CREDENTIALS = "INVALID_CREDENTIALS"
# (caller, operation, expected payload error code and field); the operation's text
# input carries a NUL. On PostgreSQL, any NUL reaching a statement would be an
# internal error ("invalid byte sequence"), so these show that none does.
NUL_CASES: list[tuple[str, str, str, list[str] | None]] = [
    ("admin", f'createLocation(input: {{name: "R{NUL}"}})', CHARS, ["input", "name"]),
    (
        "admin",
        f'createLocation(input: {{name: "R", description: "{NUL}"}})',
        CHARS,
        ["input", "description"],
    ),
    (
        "admin",
        f'createUser(input: {{login: "a{NUL}", lastName: "D", locationId: "$LOC"}})',
        CHARS,
        ["input", "login"],
    ),
    (
        "admin",
        f'createUser(input: {{login: "ab", lastName: "D{NUL}", locationId: "$LOC"}})',
        CHARS,
        ["input", "lastName"],
    ),
    (
        "admin",
        f'createUser(input: {{login: "ab", lastName: "D", workPhone: "1{NUL}", '
        'locationId: "$LOC"})',
        CHARS,
        ["input", "workPhone"],
    ),
    (
        "admin",
        f'createConfigurationGroup(input: {{locationId: "$LOC", name: "G{NUL}"}})',
        CHARS,
        ["input", "name"],
    ),
    (
        "admin",
        f'createTeam(input: {{name: "T{NUL}", memberIds: ["$USER"]}})',
        CHARS,
        ["input", "name"],
    ),
    ("admin", f'createDirectoryDataSource(name: "D{NUL}")', CHARS, ["name"]),
    ("admin", f'createApiToken(name: "T{NUL}")', CHARS, ["name"]),
    (
        "admin",
        f'createAdministrator(input: {{login: "adm", lastName: "A", '
        f'password: "Adm-Passw0rd!{NUL}"}})',
        CHARS,
        ["input", "password"],
    ),
    (
        "admin",
        f'setUserPassword(userId: "$USER", password: "New-Passw0rd!{NUL}")',
        CHARS,
        ["password"],
    ),
    ("admin", f'sendTestEmail(to: "a{NUL}@example.org")', CHARS, ["to"]),
    (
        "admin",
        'resetUsers(ids: ["$USER"], options: {resetClientSettings: true}, '
        f'operationId: "op{NUL}")',
        CHARS,
        ["operationId"],
    ),
    ("anonymous", f'adminSignIn(login: "root{NUL}", password: "x")', CREDENTIALS, None),
    ("anonymous", f'userSignIn(login: "otto", password: "{NUL}")', CREDENTIALS, None),
    (
        "user",
        f'changeMyPassword(currentPassword: "{NUL}", newPassword: "New-Passw0rd!")',
        CREDENTIALS,
        ["currentPassword"],
    ),
    (
        "user",
        f'changeMyPassword(currentPassword: "{USER_PASSWORD}", newPassword: "New-Passw0rd!{NUL}")',
        CHARS,
        ["newPassword"],
    ),
    ("user", f'setMyClientSetting(key: "k{NUL}", value: 1)', CHARS, ["key"]),
    ("user", f'setMyPresenceSetting(key: "k", value: ["{NUL}"])', CHARS, ["value"]),
    (
        "user",
        f'addMyContact(input: {{userId: "$USER{NUL}"}})',
        "USER_NOT_FOUND",
        ["input", "userId"],
    ),
    ("api", f'voicemailRemoteAccess(login: "otto{NUL}")', "USER_NOT_FOUND", ["login"]),
    ("api", f'verifyVoicemailPin(login: "otto", pin: "12{NUL}")', CHARS, ["pin"]),
]


@pytest.mark.parametrize(
    ("caller", "call", "code", "field"), NUL_CASES, ids=[c[1].split("(")[0] for c in NUL_CASES]
)
async def test_nul_in_any_text_is_a_clear_error(
    api: Api, admin_token: str, caller: str, call: str, code: str, field: list[str] | None
) -> None:
    tokens = await _tokens(api, admin_token)
    otto = await api.data("{ users { edges { node { id location { id } } } } }", token=admin_token)
    node = otto["users"]["edges"][0]["node"]
    call = call.replace("$LOC", node["location"]["id"]).replace("$USER", node["id"])
    # The payload's errors (or a failed reset's top-level ones).
    answer = await api.post(
        "mutation { op: " + call + " { errors { code field } } }",
        token=tokens.get(caller),
    )

    assert "errors" not in answer, answer["errors"]
    assert codes(answer["data"]["op"]["errors"]) == [(code, field)]


def test_an_answer_that_cannot_be_encoded_is_still_a_graphql_answer(api: Api) -> None:
    app = GraphQLApp(lambda: api.services, progress=ProgressBroker(MemoryProgressStore()))
    too_deep: Any = {"data": {"value": nested(300)}}

    body = json.loads(app.encode_json(too_deep))

    assert body == {
        "errors": [
            {
                "message": "The answer could not be encoded.",
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
        ]
    }
