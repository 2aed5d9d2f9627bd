"""Password policies: each violation names the rule it breaks."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.model import DEFAULT_PASSWORD_POLICY, PasswordPolicy
from domain.rules import password_policy_problems, password_policy_violations
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
