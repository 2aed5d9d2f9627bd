"""Fields that only read their object are answered without graphql-core's per-field
machinery (gql/plain_fields.py); the answers and errors stay those of graphql-core.

Each query runs twice on the same types: as the server runs it, and with a schema
extension that hooks every field's resolution, which turns the shortcut off.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON

from gql.execution import SettlingExecutor


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Item(Named):
    size: int | None
    colour: Colour
    tags: list[str]
    data: JSON

    @strawberry.field
    def label(self) -> str:
        if self.name == "broken":
            raise ValueError("no label for a broken item")
        return f"{self.name}/{self.size}"


@strawberry.type
class Box:
    title: str
    items: list[Item]
    maybe_items: list[Item | None] | None
    first: Item | None


def item(name: Any = "a", size: Any = 1, colour: Any = Colour.RED, tags: Any = ("x",)) -> Item:
    return Item(name=name, size=size, colour=colour, tags=tags, data={"k": [1, "v"]})


def _boxes() -> dict[str, Box]:
    """Made anew for each query: a generator is read once."""
    return {
        "good": Box(
            title="good",
            items=[item(), item("b", None, Colour.GREEN, [])],
            maybe_items=None,
            first=item(),
        ),
        "null in non-null": Box(
            title="n", items=[item(), item(name=None)], maybe_items=[None, item()], first=None
        ),
        "refused scalar": Box(title="r", items=[item(size="many")], maybe_items=None, first=None),
        "not a member": Box(title="m", items=[item(colour="blue")], maybe_items=None, first=None),
        "raising method": Box(title="b", items=[item("broken")], maybe_items=None, first=None),
        "tuple and generator": Box(
            title="t",
            items=(item(),),  # type: ignore[arg-type]
            maybe_items=None,
            first=item(tags=(t for t in ("g1", "g2"))),
        ),
        "wrong type": Box(title="w", items=[], maybe_items=None, first="not an item"),  # type: ignore[arg-type]
        "null title": Box(title=None, items=[], maybe_items=None, first=None),  # type: ignore[arg-type]
    }


NAMES = list(_boxes())


@strawberry.type
class Query:
    @strawberry.field
    def box(self, name: str) -> Box:
        return _boxes()[name]

    @strawberry.field
    def boxes(self) -> list[Box]:
        return [_boxes()["good"], _boxes()["good"]]


class EveryField(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        return _next(root, info, *args, **kwargs)


def _schema(*extensions: Any) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query, execution_context_class=SettlingExecutor, extensions=list(extensions)
    )


SHORTCUT, GRAPHQL_CORE = _schema(), _schema(EveryField)

SELECTION = """
  title
  items { name size colour tags data label ... on Named { name } alias: size }
  maybeItems { name colour }
  first { name label tags colour }
"""


def _cases() -> Iterator[str]:
    for name in NAMES:
        yield f'{{ box(name: "{name}") {{ {SELECTION} }} }}'
    yield f"{{ boxes {{ {SELECTION} }} }}"
    yield '{ a: box(name: "good") { items { name } } b: box(name: "good") { items { size } } }'


async def _answer(schema: strawberry.Schema, query: str) -> tuple[Any, list[Any]]:
    result = await schema.execute(query)
    return result.data, [(e.message, e.path) for e in result.errors or []]


@pytest.mark.parametrize("query", list(_cases()))
async def test_the_shortcut_answers_as_graphql_core_does(query: str) -> None:
    assert await _answer(SHORTCUT, query) == await _answer(GRAPHQL_CORE, query)


async def test_a_good_box_is_answered_in_full() -> None:
    data, errors = await _answer(SHORTCUT, '{ box(name: "good") { title items { colour tags } } }')
    assert errors == []
    assert data == {"box": {"title": "good", "items": [
        {"colour": "RED", "tags": ["x"]}, {"colour": "GREEN", "tags": []}
    ]}}  # fmt: skip


async def test_a_null_deep_in_a_list_is_reported_at_its_path() -> None:
    data, errors = await _answer(SHORTCUT, '{ box(name: "null in non-null") { items { name } } }')
    assert data is None
    assert errors == [
        ("Cannot return null for non-nullable field Item.name.", ["box", "items", 1, "name"])
    ]
