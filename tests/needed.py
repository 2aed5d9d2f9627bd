"""What a test needs from the machine: Chromium, Node.js, npm, the packages of
``npm ci``, PostgreSQL, the team's shared contract.

Without it a test skips and says why, on a user's machine. On CI (``CI=true``,
which .ci/run sets) it fails instead, with the same reason: CI installs all of
it, and a skip there would let the suite pass with those tests never run.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

CI_VALUES = ("1", "true", "yes")


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in CI_VALUES


def missing(reason: str) -> NoReturn:
    """The test cannot run here: a failure on CI, a skip elsewhere; both say ``reason``."""
    if on_ci():
        pytest.fail(f"{reason} (CI=true: on CI it must be there; see .ci/run)", pytrace=False)
    pytest.skip(reason)


def needs(present: bool, reason: str) -> pytest.MarkDecorator:
    """A mark for a test (or a module's ``pytestmark``) that needs what ``present``
    says is there; tests/conftest.py calls :func:`missing` before its fixtures run."""
    return pytest.mark.needs(present, reason)
