"""Generated passwords: typable from a mail, within the policy, no weaker than before."""

from __future__ import annotations

import itertools
import math

import pytest

from adapters.randomness import SecretsRandomSource
from domain.model import PasswordPolicy
from domain.rules import (
    PASSWORD_ALPHABET,
    password_policy_violations,
    random_password,
    random_password_entropy_bits,
    random_password_length,
)

CONFUSABLE = set("lI1|0Oo'\"`()[]{}<>\\/^~yYzZ ,;.:") | {"\u00b4", "\u00a6", "\u2018", "\u2019"}

POLICIES = [
    PasswordPolicy(
        min_length=minimum,
        require_uppercase=upper,
        require_lowercase=lower,
        require_digit=digit,
        require_symbol=symbol,
    )
    for minimum, (upper, lower, digit, symbol) in itertools.product(
        (1, 12, 30), itertools.product((False, True), repeat=4)
    )
]

# Before: 16 characters of the 26 + 26 + 10 letters and digits and 28 symbols.
BEFORE_BITS = 16 * math.log2(26 + 26 + 10 + 28)


class TestTheAlphabet:
    def test_no_character_is_easily_confused_or_mistyped(self) -> None:
        assert not CONFUSABLE & set(PASSWORD_ALPHABET)
        assert len(set(PASSWORD_ALPHABET)) == len(PASSWORD_ALPHABET) == 63

    def test_generated_passwords_use_only_the_alphabet(self) -> None:
        random = SecretsRandomSource()
        policy = PasswordPolicy(require_symbol=True)
        used = set()
        for _ in range(200):
            used |= set(random_password(policy, random, 16))
        assert used <= set(PASSWORD_ALPHABET)


class TestEntropy:
    @pytest.mark.parametrize("policy", POLICIES)
    def test_every_policy_keeps_at_least_the_entropy_of_before(
        self, policy: PasswordPolicy
    ) -> None:
        length = random_password_length(policy, 16)

        assert random_password_entropy_bits(policy, length) >= BEFORE_BITS

    def test_the_default_policy_gets_nineteen_characters_of_over_103_bits(self) -> None:
        policy = PasswordPolicy()
        length = random_password_length(policy, 16)

        assert length == 19
        assert random_password_entropy_bits(policy, length) == pytest.approx(107.55, abs=0.01)
        assert round(BEFORE_BITS, 2) == 103.87


class TestPolicy:
    @pytest.mark.parametrize("policy", POLICIES)
    def test_generated_passwords_satisfy_the_policy(self, policy: PasswordPolicy) -> None:
        random = SecretsRandomSource()
        for _ in range(20):
            password = random_password(policy, random, 16)
            assert password_policy_violations(policy, password) == []

    def test_a_policy_shorter_than_the_target_caps_the_length(self) -> None:
        policy = PasswordPolicy(min_length=8, max_length=12)

        password = random_password(policy, SecretsRandomSource(), 16)

        assert len(password) == 12
        assert password_policy_violations(policy, password) == []
