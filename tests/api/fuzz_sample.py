"""How many random requests the random differential test sends, and from which seed.

A user's run sends the same ``REQUESTS`` every time (fixed seeds); ``--long``
sends ``LONG_REQUESTS``. On CI (``CI=true``) each run sends ``CI_REQUESTS`` from
a fresh seed, so that successive runs explore different requests. The seed is
chosen once per session (by the xdist controller, before its workers start, so
they all share it), shown in the report's header and in every failure message.
A failure is replayed with the environment variables the message names:
``CONNECT_TEST_FUZZ_SEED`` (and ``CONNECT_TEST_FUZZ_REQUESTS``, to send as many).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

import pytest

from tests.needed import on_ci

SEED_ENV = "CONNECT_TEST_FUZZ_SEED"
REQUESTS_ENV = "CONNECT_TEST_FUZZ_REQUESTS"
# The fixed seed of a user's run; PostgreSQL's is the next one (more distinct requests).
FIXED_SEED = 20260416
REQUESTS = 100
CI_REQUESTS = 1000
LONG_REQUESTS = 3000
BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Sample:
    seed: int
    requests: int
    fresh: bool

    def seed_for(self, backend: str) -> int:
        return self.seed + BACKENDS.index(backend)

    def replay(self) -> str:
        return (
            f"{SEED_ENV}={self.seed} {REQUESTS_ENV}={self.requests} "
            ".venv/bin/pytest tests/api/test_random_differential_api.py"
        )

    def header(self) -> str:
        how = "a fresh seed" if self.fresh else "a fixed seed"
        return (
            f"random differential: {self.requests} requests per backend from {how}, "
            f"seed {self.seed} (sqlite) / {self.seed + 1} (postgresql); replay: {self.replay()}"
        )


def choose_seed(config: pytest.Config) -> None:
    """On CI, a fresh seed for the session unless one is given; in the environment, where
    xdist's workers (started after this) find it. A worker chooses nothing."""
    if hasattr(config, "workerinput") or os.environ.get(SEED_ENV) or not on_ci():
        return
    os.environ[SEED_ENV] = str(secrets.randbelow(2**31))


def sample(config: pytest.Config) -> Sample:
    given = os.environ.get(SEED_ENV)
    if config.getoption("--long"):
        requests = LONG_REQUESTS
    elif on_ci():
        requests = CI_REQUESTS
    else:
        requests = REQUESTS
    requests = int(os.environ.get(REQUESTS_ENV) or requests)
    if given:
        return Sample(int(given), requests, fresh=on_ci())
    return Sample(FIXED_SEED, requests, fresh=False)
