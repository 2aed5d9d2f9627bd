"""A test that needs a missing tool skips on a user's machine and fails on CI,
saying why either way (tests/needed.py)."""

from __future__ import annotations

import pytest

from tests.needed import missing, on_ci


def test_on_a_users_machine_a_missing_tool_skips_saying_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert not on_ci()
    with pytest.raises(pytest.skip.Exception, match=r"^node is not installed$"):
        missing("node is not installed")


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes"])
def test_on_ci_a_missing_tool_fails_saying_why(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert on_ci()
    with pytest.raises(pytest.fail.Exception, match=r"^node is not installed \(CI=true: on CI it"):
        missing("node is not installed")


def test_ci_false_is_a_users_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        missing("no npm")
