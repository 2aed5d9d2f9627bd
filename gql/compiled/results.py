"""Writing the answer: each field of a plan completed for all objects of its level
at once, into plain dicts; anything unusual raises Fallback."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any

from gql.compiled.bulk import Reads
from gql.compiled.leaves import Fallback
from gql.compiled.plan import FieldPlan, ObjectPlan


async def complete(reads: Reads, plan: FieldPlan, values: list[Any]) -> list[Any]:
    """The field's answers for one value per parent."""
    object_plan = plan.object_plan
    if object_plan is None:
        if not plan.is_list and plan.serialize_column is not None:
            return plan.serialize_column(values)
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
        if not _has_none(values):
            return await _objects(reads, object_plan, values)
        if not plan.nullable:
            raise Fallback
        present = [v for v in values if v is not None]
        one_each = iter(await _objects(reads, object_plan, present))
        return [None if v is None else next(one_each) for v in values]
    if not plan.nullable and _has_none(values):
        raise Fallback
    lists = [None if v is None else _items(v) for v in values]
    flat = [item for items in lists if items is not None for item in items]
    if not _has_none(flat):
        # The usual case, without a null anywhere: each parent's answers are a slice.
        done = await _objects(reads, object_plan, flat)
        answers: list[Any] = []
        start = 0
        for items in lists:
            if items is None:
                answers.append(None)
            else:
                answers.append(done[start : start + len(items)])
                start += len(items)
        return answers
    if not plan.item_nullable:
        raise Fallback
    done_iter = iter(await _objects(reads, object_plan, [i for i in flat if i is not None]))
    return [
        None if items is None else [None if item is None else next(done_iter) for item in items]
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
    # Every column has one value per object (checked above): zip need not check.
    keys = plan.keys
    return [dict(zip(keys, row)) for row in zip(*columns)]  # noqa: B905


def _has_none(values: list[Any]) -> bool:
    # Not ``None in values``: that calls each object's __eq__ (a dataclass's is Python).
    return any(map(operator.is_, values, repeat(None)))


def _leaf(serialize: Callable[[Any], Any], value: Any, nullable: bool) -> Any:
    if value is None:
        if not nullable:
            raise Fallback
        return None
    return serialize(value)


def _items(value: Any) -> list[Any]:
    if type(value) is list:
        return value
    if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        raise Fallback
    return list(value)
