from __future__ import annotations

import pytest

from tests.fakes import FakeServices, make_services


@pytest.fixture
def services() -> FakeServices:
    return make_services()
