from __future__ import annotations

import pytest

from tests.fakes import FakeDeps, make_deps


@pytest.fixture
def deps() -> FakeDeps:
    return make_deps()
