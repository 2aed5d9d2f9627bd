"""One failing branch of a query: the other branches, the answer and its errors.

The three reproducers of failing branches, over HTTP on both paths (compiled and
standard), each sent many times: a failing field never cancels another
field's loads (it was a text/plain 500 about half the time), the errors are
the same on every send and come in document order, and a selection that
collects to nothing is compiled without a crash.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import strawberry

from gql.execution import SettlingExecutor
from gql.ids import to_global_id
from gql.loaders import SharedLoader
from tests.api.twin import Organisation, Twin

SENDS = 20


async def _same_every_time(twin: Twin, query: str, token: str) -> dict[str, Any]:
    """The body, after checking that every send on both paths gives the same bytes."""
    first, _ = await twin.both(query, token=token)
    for _ in range(SENDS - 1):
        again, _ = await twin.both(query, token=token)
        assert again == first
    body: dict[str, Any] = json.loads(first)
    return body


def _paths(body: dict[str, Any]) -> list[list[str | int]]:
    return [error["path"] for error in body["errors"]]


@pytest.mark.usefixtures("no_compiled_failures")
async def test_a_failing_branch_does_not_cancel_the_loads_of_another(
    twin: Twin, organisation: Organisation
) -> None:
    # Both branches load the same locations; the first fails and nulls everything.
    query = (
        '{ locations { configurationGroups { users(after: "x") { totalCount } location { name } } }'
        " administrators { locations { name } } }"
    )
    body = await _same_every_time(twin, query, organisation.admin)
    assert body["data"] is None
    assert _paths(body) == [["locations", 0, "configurationGroups", 0, "users"]]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.usefixtures("no_compiled_failures")
async def test_the_error_of_a_nulled_branch_is_the_first_in_document_order(
    twin: Twin, organisation: Organisation
) -> None:
    # Every location's users fail; the first in document order is reported, every time.
    query = (
        "{ locations { users(first: 1) { edges { node { location {"
        ' users(after: "x") { totalCount } } } } } } }'
    )
    body = await _same_every_time(twin, query, organisation.admin)
    assert body["data"] is None
    assert _paths(body) == [["locations", 0, "users", "edges", 0, "node", "location", "users"]]


@pytest.mark.usefixtures("no_compiled_failures")
async def test_several_errors_come_in_document_order(
    twin: Twin, organisation: Organisation
) -> None:
    locations = await twin.both("{ locations { id } }", token=organisation.admin)
    berlin, munich = (loc["id"] for loc in json.loads(locations[0])["data"]["locations"])
    missing = to_global_id("Location", 999_999)
    # Nullable roots: each failure nulls only its own branch. Alias order is not
    # document order, nor is the order in which the branches fail.
    query = f"""{{
      z: node(id: "{munich}") {{ ... on Location {{ users(after: "x") {{ totalCount }} }} }}
      m: node(id: "{missing}") {{ id }}
      a: node(id: "{berlin}") {{
        ... on Location {{ name configurationGroups {{ users(after: "y") {{ totalCount }} }} }}
      }}
      b: node(id: "{berlin}") {{ ...Users }}
    }}
    fragment Users on Location {{ users(after: "z") {{ totalCount }} }}"""
    body = await _same_every_time(twin, query, organisation.admin)
    assert body["data"] == {"z": None, "m": None, "a": None, "b": None}
    assert _paths(body) == [
        ["z", "users"],
        ["a", "configurationGroups", 0, "users"],
        ["b", "users"],
    ]


@pytest.mark.usefixtures("no_compiled_failures")
async def test_a_selection_that_collects_to_nothing_is_compiled(
    twin: Twin, organisation: Organisation
) -> None:
    query = "{ locations { ... on Node { ... on User { id } } } }"
    body, compiled = await twin.both(query, token=organisation.admin)
    assert compiled
    assert json.loads(body)["data"] == {"locations": [{}, {}]}
    # Beside fields that do apply, too.
    query = "{ locations { name ... on Node { ... on User { id } } } }"
    body, compiled = await twin.both(query, token=organisation.admin)
    assert compiled
    assert json.loads(body)["data"] == {"locations": [{"name": "Berlin"}, {"name": "Munich"}]}


# --- the mechanisms, each on its own ---------------------------------------------------


async def test_cancelling_one_wait_for_a_loaded_value_leaves_the_others() -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def load(keys: list[int]) -> list[int]:
        started.set()
        await release.wait()
        return [k * 2 for k in keys]

    loader: SharedLoader[int, int] = SharedLoader(load)

    async def wait() -> int:
        return await loader.load(21)

    cancelled, waiting = asyncio.create_task(wait()), asyncio.create_task(wait())
    await asyncio.wait_for(started.wait(), 10)
    cancelled.cancel()
    release.set()
    assert await asyncio.wait_for(waiting, 10) == 42
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    # The cached value is still good for later callers.
    assert await loader.load(21) == 42


@strawberry.type
class Failing:
    @strawberry.field
    def early(self) -> str | None:
        raise ValueError("early")

    @strawberry.field
    async def late(self, info: strawberry.Info) -> str:
        await info.context["first_failed"].wait()
        raise ValueError("late")


@strawberry.type
class RacingQuery:
    @strawberry.field
    async def first(self, info: strawberry.Info) -> str:
        await info.context["second_failed"].wait()
        raise ValueError("first")

    @strawberry.field
    async def second(self, info: strawberry.Info) -> str:
        info.context["second_failed"].set()
        raise ValueError("second")

    @strawberry.field
    async def waits(self, info: strawberry.Info) -> str | None:
        result: str = await info.context["shared"]
        return result

    @strawberry.field
    def cancels(self, info: strawberry.Info) -> str:
        info.context["shared"].cancel()
        return "cancelled"

    @strawberry.field
    def failing(self, info: strawberry.Info) -> Failing | None:
        info.context["first_failed"].set()
        return Failing()


racing = strawberry.Schema(query=RacingQuery, execution_context_class=SettlingExecutor)


async def _execute(query: str) -> tuple[Any, list[str]]:
    context = {
        "second_failed": asyncio.Event(),
        "first_failed": asyncio.Event(),
        "shared": asyncio.get_running_loop().create_future(),
    }
    result = await asyncio.wait_for(racing.execute(query, context_value=context), 10)
    return result.data, [error.message for error in result.errors or []]


async def test_the_failure_first_in_document_order_nulls_the_parent() -> None:
    # ``second`` fails first; ``first`` is not cancelled, and its failure is the one.
    assert await _execute("{ first second }") == (None, ["first"])
    assert await _execute("{ second first }") == (None, ["second"])


async def test_errors_inside_a_nulled_position_are_left_out() -> None:
    # ``early`` failed (and was recorded) before ``late`` nulled their parent.
    assert await _execute("{ failing { early late } }") == ({"failing": None}, ["late"])


async def test_a_wait_cancelled_by_another_field_is_a_field_error() -> None:
    data, errors = await _execute("{ waits cancels }")
    assert data == {"waits": None, "cancels": "cancelled"}
    assert errors == ["a value this field awaited was cancelled"]
