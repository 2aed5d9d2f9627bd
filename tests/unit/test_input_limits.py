"""The limits at the edge of the domain (domain/services/validation.py), and the
services that rely on them, on fakes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.errors import DomainError
from domain.model import (
    DEFAULT_PASSWORD_POLICY,
    EmailGateway,
    MailStatus,
    SmtpSecurity,
)
from domain.services.mail import (
    GatewayInput,
)
from domain.services.paging import PageRequest
from domain.services.reset import ResetOption
from domain.services.users import NewUser, UserFilter
from domain.services.validation import (
    MAX_DESCRIPTION_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_ID,
    MAX_JSON_BYTES,
    MAX_JSON_DEPTH,
    MAX_NAME_LENGTH,
    MAX_SEARCH_LENGTH,
    MAX_STORED_JSON_DEPTH,
    Problems,
    gateway_problem,
    is_mail_address,
    json_problem,
    parse_id_number,
    stored_json_problem,
    text_problem,
)
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import ROOT


def nested(depth: int, leaf: object = 1) -> object:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def code(problem: tuple[str, str] | None) -> str | None:
    return None if problem is None else problem[0]


class TestText:
    def test_nul_is_refused_in_any_text(self) -> None:
        assert code(text_problem("a\x00b", 10)) == "INVALID_CHARACTERS"
        assert code(text_problem("a\r\nb\tc", 10)) is None  # only NUL, outside headers

    @pytest.mark.parametrize("bad", ["\r", "\n", "\x00", "\t", "\x7f", "\x85", "\u2028"])
    def test_headers_refuse_every_control_character(self, bad: str) -> None:
        assert code(text_problem(f"Connect{bad}Bcc: x@y", 100, header=True)) == (
            "INVALID_CHARACTERS"
        )

    def test_headers_take_any_printable_text(self) -> None:
        assert text_problem("Müller & Söhne — Zentrale", 100, header=True) is None

    def test_the_length_is_checked_after_the_characters(self) -> None:
        assert text_problem("x" * 10, 10) is None
        assert text_problem("x" * 11, 10) == ("VALUE_TOO_LONG", "At most 10 characters.")
        assert code(text_problem("\x00" * 11, 10)) == "INVALID_CHARACTERS"

    @pytest.mark.parametrize(
        ("check", "limit"),
        [("required_name", MAX_NAME_LENGTH), ("optional_text", MAX_DESCRIPTION_LENGTH)],
    )
    def test_names_and_descriptions_are_bounded(self, check: str, limit: int) -> None:
        problems = Problems()
        getattr(problems, check)("x" * limit, "a")
        getattr(problems, check)("x" * (limit + 1), "b")
        getattr(problems, check)("x\x00", "c")
        assert [(p.code, p.field) for p in problems.items] == [
            ("VALUE_TOO_LONG", ("b",)),
            ("INVALID_CHARACTERS", ("c",)),
        ]

    def test_an_address_is_checked_for_characters_length_and_form(self) -> None:
        problems = Problems()
        problems.email("a\x00@example.com", "nul")
        problems.email("a@example.com\r\nBcc: evil@evil.example", "crlf")
        problems.email("a" * (MAX_EMAIL_LENGTH - len("@example.com") + 1) + "@example.com", "long")
        problems.email("no-address", "form")
        problems.email("a" * 65 + "@example.com", "long local part")
        # 64 before the @, 254 in all.
        problems.email("a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 61, "fine")
        assert [(p.code, p.field) for p in problems.items] == [
            ("INVALID_CHARACTERS", ("nul",)),
            ("INVALID_CHARACTERS", ("crlf",)),
            ("VALUE_TOO_LONG", ("long",)),
            ("INVALID_EMAIL", ("form",)),
            ("INVALID_EMAIL", ("long local part",)),
        ]

    def test_a_login_too_long_says_so(self) -> None:
        problems = Problems()
        problems.login("a" * 65, "login")
        problems.login("a\x00", "nul")
        problems.login("a b", "space")
        assert [p.code for p in problems.items] == [
            "VALUE_TOO_LONG",
            "INVALID_CHARACTERS",
            "INVALID_LOGIN",
        ]

    def test_a_password_with_nul_is_refused_before_the_policy(self) -> None:
        problems = Problems()
        problems.password(DEFAULT_PASSWORD_POLICY, "Abcdef-12345\x00", "password", login="anna")
        assert [p.code for p in problems.items] == ["INVALID_CHARACTERS"]

    def test_mail_addresses_that_can_be_sent_to(self) -> None:
        assert is_mail_address("anna@example.org")
        assert not is_mail_address("anna@example.org\r\nBcc: evil@evil.example")
        assert not is_mail_address("anna\x00@example.org")
        assert not is_mail_address(None)


class TestIdNumbers:
    @pytest.mark.parametrize("text", ["1", "42", str(MAX_ID)])
    def test_numbers_from_1_to_the_largest_key(self, text: str) -> None:
        assert parse_id_number(text) == int(text)

    @pytest.mark.parametrize(
        "text",
        [
            "0", "-1", "+1", "01", " 1", "1 ", "", "1.0", "\u0661",  # an Arabic-Indic one
            str(MAX_ID + 1), str(2**63), "9" * 5000,
        ],
    )  # fmt: skip
    def test_anything_else_is_no_number(self, text: str) -> None:
        assert parse_id_number(text) is None


class TestJsonValues:
    def test_depth_up_to_the_limit(self) -> None:
        assert json_problem(nested(MAX_JSON_DEPTH)) is None
        assert json_problem({"a": nested(MAX_JSON_DEPTH - 1)}) is None
        assert code(json_problem(nested(MAX_JSON_DEPTH + 1))) == "VALUE_TOO_DEEP"
        assert code(json_problem({"a": nested(MAX_JSON_DEPTH)})) == "VALUE_TOO_DEEP"

    def test_far_too_deep_is_judged_without_recursion(self) -> None:
        assert code(json_problem(nested(100_000))) == "VALUE_TOO_DEEP"

    def test_size_up_to_the_limit_as_compact_utf8(self) -> None:
        fits = "x" * (MAX_JSON_BYTES - 2)  # the quotes
        assert json_problem(fits) is None
        assert code(json_problem(fits + "x")) == "VALUE_TOO_LARGE"
        assert code(json_problem("ü" * (MAX_JSON_BYTES // 2))) == "VALUE_TOO_LARGE"
        assert code(json_problem([0] * MAX_JSON_BYTES)) == "VALUE_TOO_LARGE"

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (float("inf"), "VALUE_OUT_OF_RANGE"),
            ([float("nan")], "VALUE_OUT_OF_RANGE"),
            (2**63, "VALUE_OUT_OF_RANGE"),
            (-(2**63) - 1, "VALUE_OUT_OF_RANGE"),
            ({"k\x00": 1}, "INVALID_CHARACTERS"),
            (["\x00"], "INVALID_CHARACTERS"),
            (None, "REQUIRED"),
            ({"a": {1, 2}}, "INVALID_JSON"),
        ],
    )
    def test_values_no_json_column_can_hold_are_refused(self, value: object, expected: str) -> None:
        assert code(json_problem(value)) == expected

    @pytest.mark.parametrize(
        "value", [True, 0, 2**63 - 1, -(2**63), 1.5, "text", [None, {}], {"a": [1, {"b": None}]}]
    )
    def test_ordinary_values_pass(self, value: object) -> None:
        assert json_problem(value) is None

    def test_settings_are_checked_with_the_path_of_each_key_and_value(self) -> None:
        problems = Problems()
        settings = problems.settings(
            [("fine", 1), ("deep", nested(30)), (" ", 1), ("fine", 2), ("k" * 201, 1)],
            "clientSettings",
        )
        assert settings == {"fine": 1}
        assert [(p.code, p.field) for p in problems.items] == [
            ("VALUE_TOO_DEEP", ("clientSettings", "1", "value")),
            ("INVALID_SETTING_KEY", ("clientSettings", "2", "key")),
            ("DUPLICATE_SETTING_KEY", ("clientSettings", "3", "key")),
            ("VALUE_TOO_LONG", ("clientSettings", "4", "key")),
        ]


class TestStoredJson:
    def test_what_answers_can_carry(self) -> None:
        assert stored_json_problem(nested(MAX_STORED_JSON_DEPTH)) is None
        assert stored_json_problem(2**64 - 1) is None
        assert stored_json_problem({"a": [None]}) is None

    @pytest.mark.parametrize(
        "value", [nested(MAX_STORED_JSON_DEPTH + 1), nested(5000), float("nan"), 2**64, None]
    )
    def test_what_they_cannot(self, value: object) -> None:
        assert stored_json_problem(value) is not None


class TestServices:
    async def test_a_setting_value_is_checked_before_anything_is_stored(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)

        with pytest.raises(DomainError) as refused:
            await services.me.set_my_client_setting(given.as_user(anna), "deep", nested(250))

        assert [(p.code, p.field) for p in refused.value.problems] == [
            ("VALUE_TOO_DEEP", ("value",))
        ]
        assert services.uow.data.users[anna.id].client_settings == {}

    async def test_a_long_search_is_refused(self, services: FakeServices) -> None:
        page = PageRequest(first=10, after_id=None)
        await services.users.users_page(ROOT, page, UserFilter(search="x" * MAX_SEARCH_LENGTH))

        with pytest.raises(DomainError) as refused:
            await services.users.users_page(
                ROOT, page, UserFilter(search="x" * (MAX_SEARCH_LENGTH + 1))
            )

        assert [(p.code, p.field) for p in refused.value.problems] == [
            ("VALUE_TOO_LONG", ("filter", "search"))
        ]

    async def test_no_lookup_for_a_login_with_a_problem(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id)

        with pytest.raises(DomainError) as refused:
            await services.users.create_user(
                ROOT, NewUser(login="anna\x00", last_name="D", location_id=loc.id)
            )

        assert [p.code for p in refused.value.problems] == ["INVALID_CHARACTERS"]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("host", "smtp.example.org\r\nRCPT TO:<evil@evil.example>"),
            ("sender_name", "X\r\nBcc: evil@evil.example"),
            ("username", "con\nnect"),
            ("sender_address", "connect@example.org\nBcc: evil@evil.example"),
        ],
    )
    async def test_the_gateway_refuses_line_breaks(
        self, services: FakeServices, field: str, value: str
    ) -> None:
        gateway = GatewayInput(
            host="smtp.example.org", port=25, security=SmtpSecurity.NONE,
            sender_address="connect@example.org",
        )  # fmt: skip
        with pytest.raises(DomainError) as refused:
            await services.mail.configure_gateway(ROOT, replace(gateway, **{field: value}))

        assert [p.code for p in refused.value.problems] == ["INVALID_CHARACTERS"]
        assert services.uow.data.email_gateway is None

    async def test_a_stored_bad_gateway_retries_queued_mail_and_keeps_its_secret(
        self, services: FakeServices
    ) -> None:
        services.uow.data.email_gateway = EmailGateway(
            host="smtp.example.org", port=25, security=SmtpSecurity.NONE,
            sender_address="connect@example.org", sender_name="Connect",
        )  # fmt: skip
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, email="anna@example.org")
        await services.reset.reset_users(ROOT, [("a", anna.id)], [ResetOption.PASSWORD])
        stored = services.uow.data.email_gateway
        services.uow.data.email_gateway = replace(stored, sender_name="X\r\nBcc: evil@evil.example")

        await services.outbox.dispatch_due()

        [mail] = services.uow.data.outbox.values()
        assert mail.status is MailStatus.PENDING
        assert mail.secret_ciphertext is not None
        assert "senderName" in (mail.last_error or "")
        assert services.mailer.attempted == []
        with pytest.raises(DomainError) as refused:
            await services.mail.send_test_email(ROOT, "me@example.org")
        assert refused.value.problems[0].code == "MAIL_GATEWAY_INVALID"

    def test_which_stored_gateway_field_is_bad(self) -> None:
        gateway = EmailGateway(
            host="smtp.example.org", port=25, security=SmtpSecurity.NONE,
            sender_address="connect@example.org",
        )  # fmt: skip
        assert gateway_problem(gateway) is None
        assert gateway_problem(replace(gateway, host="a\nb")) == "host"
        assert gateway_problem(replace(gateway, username="u\x00")) == "username"
        assert gateway_problem(replace(gateway, sender_address="no-address")) == "senderAddress"

    async def test_a_stored_bad_address_refuses_the_password_reset(
        self, services: FakeServices
    ) -> None:
        services.uow.data.email_gateway = EmailGateway(
            host="smtp.example.org", port=25, security=SmtpSecurity.NONE,
            sender_address="connect@example.org",
        )  # fmt: skip
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, email="anna\x00@example.org")

        [outcome] = await services.reset.reset_users(ROOT, [("a", anna.id)], [ResetOption.PASSWORD])

        [action] = outcome.actions
        assert [p.code for p in action.problems] == ["EMAIL_INVALID"]
        assert services.uow.data.outbox == {}
