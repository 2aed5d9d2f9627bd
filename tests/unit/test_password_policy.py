"""Password policies: each violation names the rule it breaks."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.model import DEFAULT_PASSWORD_POLICY, PasswordPolicy
from domain.rules import (
    contains_login,
    password_policy_problems,
    password_policy_violations,
    visible_length,
)
from domain.services.users import NewUser
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import ROOT


class TestPasswordPolicyViolations:
    def test_good_password_breaks_nothing(self) -> None:
        assert password_policy_violations(DEFAULT_PASSWORD_POLICY, "Abcdefghijk1") == []

    @pytest.mark.parametrize(
        ("password", "rule"),
        [
            ("Abcdefg1", "at least 12 characters"),
            ("abcdefghijk1", "an uppercase letter"),
            ("ABCDEFGHIJK1", "a lowercase letter"),
            ("Abcdefghijkl", "a digit"),
        ],
    )
    def test_violation_names_the_rule(self, password: str, rule: str) -> None:
        assert password_policy_violations(DEFAULT_PASSWORD_POLICY, password) == [rule]

    def test_too_long_password_is_refused(self) -> None:
        policy = PasswordPolicy(
            min_length=1,
            max_length=4,
            require_uppercase=False,
            require_lowercase=False,
            require_digit=False,
        )

        assert password_policy_violations(policy, "abcde") == ["at most 4 characters"]

    def test_symbol_required_when_policy_says_so(self) -> None:
        policy = PasswordPolicy(require_symbol=True)

        assert password_policy_violations(policy, "Abcdefghijk1") == ["a symbol"]
        assert password_policy_violations(policy, "Abcdefghijk1!") == []

    def test_every_broken_rule_is_named(self) -> None:
        assert password_policy_violations(DEFAULT_PASSWORD_POLICY, "") == [
            "at least 12 characters",
            "an uppercase letter",
            "a lowercase letter",
            "a digit",
        ]


class TestPasswordPolicyProblems:
    def test_default_policy_is_usable(self) -> None:
        assert password_policy_problems(DEFAULT_PASSWORD_POLICY) == []

    @pytest.mark.parametrize(
        ("policy", "problem"),
        [
            (PasswordPolicy(min_length=0), "minLength must be at least 1"),
            (PasswordPolicy(min_length=10, max_length=8), "maxLength must not be below minLength"),
            (PasswordPolicy(max_length=2000), "maxLength must be at most 1024"),
            (
                PasswordPolicy(min_length=1, max_length=2, require_symbol=True),
                "maxLength leaves no room for the required character classes",
            ),
        ],
    )
    def test_unusable_policy_is_named(self, policy: PasswordPolicy, problem: str) -> None:
        assert problem in password_policy_problems(policy)


class TestPasswordPolicyOnCreateUser:
    async def test_weak_password_is_refused_with_the_rule(self, services: FakeServices) -> None:
        loc = await given.location(services)

        with pytest.raises(DomainError) as raised:
            await services.users.create_user(
                ROOT,
                NewUser(login="anna", last_name="A", location_id=loc.id, password="short"),
            )

        [problem] = raised.value.problems
        assert problem.code == "PASSWORD_POLICY"
        assert problem.field == ("password",)
        assert "at least 12 characters" in problem.message
        assert "a digit" in problem.message

    async def test_location_policy_decides(self, services: FakeServices) -> None:
        lenient = PasswordPolicy(min_length=4, require_uppercase=False, require_digit=False)
        loc = await given.location(services, password_policy=lenient)

        user = await services.users.create_user(
            ROOT, NewUser(login="anna", last_name="A", location_id=loc.id, password="abcd")
        )

        assert user.password_hash is not None
        assert user.password_hash != "abcd"


class TestWhatAPersonSees:
    def test_invisible_characters_do_not_count_towards_the_minimum(self) -> None:
        padded = "\u200b" * 9 + "Ab1"
        assert password_policy_violations(DEFAULT_PASSWORD_POLICY, padded) == [
            "at least 12 characters"
        ]
        joined = "Ab1" + "\u200d\ufe0f\u0301\u00ad\u2060" * 5 + "cd"
        assert "at least 12 characters" in password_policy_violations(
            DEFAULT_PASSWORD_POLICY, joined
        )

    def test_a_composed_letter_counts_once_however_it_was_typed(self) -> None:
        assert visible_length("e\u0301") == visible_length("\u00e9") == 1
        assert visible_length("\ufb01") == 2  # the fi ligature: NFKC makes it "fi"

    def test_the_character_classes_are_asciis(self) -> None:
        # A Cyrillic capital A, a fullwidth digit one: characters, but no A-Z or 0-9.
        assert password_policy_violations(DEFAULT_PASSWORD_POLICY, "\u0410bcdefghijk1") == [
            "an uppercase letter"
        ]
        assert password_policy_violations(DEFAULT_PASSWORD_POLICY, "Abcdefghijk\uff11") == [
            "a digit"
        ]
        assert password_policy_violations(DEFAULT_PASSWORD_POLICY, "Äbcdefghijk1") == [
            "an uppercase letter"
        ]


class TestTheLogin:
    @pytest.mark.parametrize(
        "password",
        [
            "anna.schmidt",
            "ANNA.SCHMIDT",
            "Xy-anna.schmidt-2026",
            "\uff41\uff4e\uff4e\uff41.schmidt1A",
        ],
    )
    def test_a_password_holding_the_login_is_refused(self, password: str) -> None:
        assert contains_login(password, "anna.schmidt")

    def test_a_short_login_is_refused_only_as_the_whole_password(self) -> None:
        assert contains_login("Al", "al")
        assert not contains_login("Always-Valid-1", "al")

    async def test_create_user_refuses_the_login_as_the_password(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)

        with pytest.raises(DomainError) as raised:
            await services.users.create_user(
                ROOT,
                NewUser(login="anna", last_name="A", location_id=loc.id, password="Anna-2026-xyz"),
            )

        [problem] = raised.value.problems
        assert (problem.code, problem.field) == ("PASSWORD_POLICY", ("password",))
        assert "login" in problem.message
