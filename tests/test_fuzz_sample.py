"""The random differential test's sample: fixed on a user's machine, fresh and larger
on CI, and replayable from what its failure message says (tests/api/fuzz_sample.py)."""

from __future__ import annotations

import pytest

from tests.api.fuzz_sample import (
    CI_REQUESTS,
    FIXED_SEED,
    REQUESTS,
    REQUESTS_ENV,
    SEED_ENV,
    Sample,
    sample,
)


@pytest.fixture(autouse=True)
def no_sample_given(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CI", SEED_ENV, REQUESTS_ENV):
        monkeypatch.delenv(name, raising=False)


def test_a_users_run_sends_the_same_requests_every_time(pytestconfig: pytest.Config) -> None:
    assert sample(pytestconfig) == Sample(FIXED_SEED, REQUESTS, fresh=False)


def test_ci_sends_more_from_the_seed_chosen_for_the_session(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv(SEED_ENV, "1234")
    found = sample(pytestconfig)
    assert found == Sample(1234, CI_REQUESTS, fresh=True)
    assert (found.seed_for("sqlite"), found.seed_for("postgresql")) == (1234, 1235)
    assert found.header().startswith(
        f"random differential: {CI_REQUESTS} requests per backend from a fresh seed, "
        "seed 1234 (sqlite) / 1235 (postgresql)"
    )


def test_a_failure_is_replayed_with_what_it_names(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv(SEED_ENV, "98765")
    replay = sample(pytestconfig).replay()
    assert replay.startswith(f"{SEED_ENV}=98765 {REQUESTS_ENV}={CI_REQUESTS} ")
    monkeypatch.delenv("CI")
    for assignment in replay.split()[:2]:
        name, value = assignment.split("=")
        monkeypatch.setenv(name, value)
    assert sample(pytestconfig) == Sample(98765, CI_REQUESTS, fresh=False)
