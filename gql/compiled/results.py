"""Writing the answer: each field of a plan completed for all objects of its level
at once, into plain dicts; anything unusual raises Fallback."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from gql.compiled.bulk import Reads
from gql.compiled.leaves import Fallback
from gql.compiled.plan import FieldPlan, ObjectPlan


async def complete(reads: Reads, plan: FieldPlan, values: list[Any]) -> list[Any]:
    """The field's answers for one value per parent."""
    object_plan = plan.object_plan
    if object_plan is None:
        serialize = plan.serialize
        assert serialize is not None
        if not plan.is_list:
            if not plan.nullable and None in values:
                raise Fallback
            return [None if v is None else serialize(v) for v in values]
        return [
            None
            if v is None and plan.nullable
            else [_leaf(serialize, item, plan.item_nullable) for item in _items(v)]
            for v in values
        ]
    if not plan.is_list:
        present = [v for v in values if v is not None]
        if len(present) != len(values) and not plan.nullable:
            raise Fallback
        done = iter(await _objects(reads, object_plan, present))
        return [None if v is None else next(done) for v in values]
    lists: list[list[Any] | None] = []
    flat: list[Any] = []
    for v in values:
        if v is None:
            if not plan.nullable:
                raise Fallback
            lists.append(None)
            continue
        items = _items(v)
        lists.append(items)
        for item in items:
            if item is None:
                if not plan.item_nullable:
                    raise Fallback
            else:
                flat.append(item)
    done = iter(await _objects(reads, object_plan, flat))
    return [
        None if items is None else [None if item is None else next(done) for item in items]
        for items in lists
    ]


async def _objects(reads: Reads, plan: ObjectPlan, objects: list[Any]) -> list[dict[str, Any]]:
    """Each object's selected fields, one field at a time for all objects."""
    if not objects:
        return []
    if not plan.fields:
        # Nothing applies to this type (``... on Node { ... on User { id } }`` on a
        # Location): each object is an empty map, as graphql-core answers.
        return [{} for _ in objects]
    columns: list[list[Any]] = []
    for field_plan in plan.fields:
        if field_plan.getter is not None:
            values = list(map(field_plan.getter, objects))
        elif field_plan.bulk is not None:
            values = list(await field_plan.bulk(reads, objects))
            if len(values) != len(objects):
                raise Fallback
        else:
            values = [field_plan.constant] * len(objects)
        columns.append(await complete(reads, field_plan, values))
    # Column by column above, row by row here: both loops run in C.
    keys = plan.keys
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def _leaf(serialize: Callable[[Any], Any], value: Any, nullable: bool) -> Any:
    if value is None:
        if not nullable:
            raise Fallback
        return None
    return serialize(value)


def _items(value: Any) -> list[Any]:
    if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        raise Fallback
    return list(value)
