"""The argon2id password hasher and the other security adapters."""

from __future__ import annotations

import asyncio
import os
import re
import threading
from datetime import UTC

import pytest

from adapters.clock import SystemClock
from adapters.hashing import BULK_NICENESS, Argon2PasswordHasher
from adapters.randomness import SecretsRandomSource


@pytest.fixture(scope="module")
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher()


class TestArgon2PasswordHasher:
    async def test_hashes_with_argon2id_at_least_at_owasp_minimum(
        self, hasher: Argon2PasswordHasher
    ) -> None:
        hashed = await hasher.hash("Correct horse 1")
        assert hashed.startswith("$argon2id$")
        match = re.search(r"\$m=(\d+),t=(\d+),p=(\d+)\$", hashed)
        assert match is not None
        memory, time, parallelism = (int(g) for g in match.groups())
        assert memory >= 19456
        assert time >= 2
        assert parallelism >= 1

    async def test_salts_each_hash(self, hasher: Argon2PasswordHasher) -> None:
        assert await hasher.hash("same") != await hasher.hash("same")

    async def test_verifies_the_right_password(self, hasher: Argon2PasswordHasher) -> None:
        assert await hasher.verify(await hasher.hash("Correct horse 1"), "Correct horse 1")

    async def test_refuses_a_wrong_password(self, hasher: Argon2PasswordHasher) -> None:
        assert not await hasher.verify(await hasher.hash("Correct horse 1"), "correct horse 1")

    async def test_hashes_in_turn_as_it_hashes(self, hasher: Argon2PasswordHasher) -> None:
        secrets = [f"Correct horse {i}" for i in range(5)]
        hashes = await asyncio.gather(*(hasher.hash_in_turn(s) for s in secrets))
        assert all(h.startswith("$argon2id$") for h in hashes)
        assert len(set(hashes)) == len(hashes)
        for secret, hashed in zip(secrets, hashes, strict=True):
            assert await hasher.verify(hashed, secret)

    @pytest.mark.skipif(not hasattr(os, "setpriority"), reason="threads have no priority here")
    async def test_bulk_hashing_threads_give_way_to_requests(
        self, hasher: Argon2PasswordHasher
    ) -> None:
        def priority() -> int:
            return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

        mine = priority()
        # The pool's own thread: what hash_in_turn runs in.
        theirs = await asyncio.wrap_future(hasher._turns.submit(priority))
        assert theirs == min(mine + BULK_NICENESS, 19)
        assert priority() == mine  # the event loop's thread keeps its share

    async def test_refuses_when_there_is_no_hash(self, hasher: Argon2PasswordHasher) -> None:
        assert not await hasher.verify(None, "anything")
        assert not await hasher.verify(None, "anything")

    async def test_refuses_a_malformed_hash(self, hasher: Argon2PasswordHasher) -> None:
        assert not await hasher.verify("not a hash", "anything")
        assert not await hasher.verify("", "anything")

    async def test_parameters_are_configurable(self) -> None:
        stronger = Argon2PasswordHasher(memory_cost_kib=32768, time_cost=3, parallelism=2)
        hashed = await stronger.hash("x")
        assert "$m=32768,t=3,p=2$" in hashed
        assert await stronger.verify(hashed, "x")


def test_clock_is_timezone_aware_utc() -> None:
    assert SystemClock().now().tzinfo is UTC


def test_random_tokens_are_long_and_distinct() -> None:
    source = SecretsRandomSource()
    tokens = {source.token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", t) for t in tokens)
