"""What an operation costs, counted before it runs.

One point for every value the answer can hold: each field of the operation
with fragments expanded and every alias counted, multiplied by the items of the
lists around it (gql/limits/sizes.py). A root mutation field counts
``MUTATION_COST`` more, ``resetUsers`` one more per id. A list counts at least
one item. Fragments on several types of an interface add up. It is an upper
estimate of the answer, known before anything runs, not a measurement.
Counting a fragment once and reusing its points keeps the count as cheap as
the document is short, and it stops as soon as a part is over the ceiling: a
fragment bomb is refused without being expanded.

The ceiling is checked by the query limits (gql/limits/extensions.py) after the
limit rules and before the rest of validation; the budget then pays it
(gql/limits/budget.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_list_type,
)
from graphql.type.introspection import (
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
)

from domain.error_codes import ErrorCode
from gql.limits import introspection
from gql.limits.introspection import Subject
from gql.limits.sizes import Sizes

# Where the cost report goes in the response's ``extensions``.
EXTENSIONS_KEY = "cost"
TOO_COSTLY = ErrorCode.QUERY_TOO_COSTLY

# A write costs more than a read of the same size.
MUTATION_COST = 10
# Fields that cost one point more per item of their page (gql/limits/sizes.py).
PER_ITEM_COST = frozenset({"Mutation.resetUsers"})


@dataclass(frozen=True)
class Cost:
    """``points``: the cost; when ``over_limit``, a part of it that alone is over the
    limit (a lower bound: the operation costs at least that much)."""

    points: int
    over_limit: bool = False


class _OverLimit(Exception):
    def __init__(self, points: int) -> None:
        self.points = points


@dataclass(slots=True)
class _Task:
    """One selection set being counted: the points of one occurrence of it."""

    selections: Sequence[SelectionNode]
    parent: GraphQLNamedType
    # The page of the field above it (None: not paged).
    page: int | None
    # Fragments being expanded around it: a spread of one of them is a cycle.
    expanding: frozenset[str]
    # What an introspection object stands for (gql/limits/introspection.py).
    subject: Subject | None = None
    # Set when this is a fragment's body: its points are remembered under this key.
    remember: tuple[str, int | None, Subject | None] | None = None
    points: int = 0
    next: int = 0
    # How often the selection set now being counted occurs in one of this one.
    times: int = 1


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    *,
    limit: int,
    page_size: int = 20,
    max_page_size: int = 100,
) -> Cost:
    """The cost of the operation that would run; counting stops above ``limit``.

    Each fragment is counted once per page it is spread under and then reused, so
    the work is bounded by the document's size, however often fragments spread one
    another; and every part is at most its whole, so counting stops as soon as a
    part is over the limit. Safe on documents that do not validate (unknown fields
    count one point, fragment cycles are not followed): it runs before the full
    validation. Iterative: no nesting exhausts the stack.
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return Cost(0)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return Cost(0)
    sizes = Sizes(schema, operation, variables, page_size, max_page_size)
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    known: dict[tuple[str, int | None, Subject | None], int] = {}

    def check(points: int) -> int:
        if points > limit:
            raise _OverLimit(points)
        return points

    stack = [_Task(operation.selection_set.selections, root, None, frozenset())]
    try:
        while True:
            task = stack[-1]
            if task.next == len(task.selections):
                stack.pop()
                if task.remember is not None:
                    known[task.remember] = task.points
                if not stack:
                    return Cost(task.points)
                outer = stack[-1]
                outer.points = check(outer.points + outer.times * task.points)
                continue
            selection = task.selections[task.next]
            task.next += 1
            inner: _Task | None = None
            if isinstance(selection, FieldNode):
                inner = _count_field(schema, sizes, selection, task, check)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                kind = schema.get_type(condition.name.value) if condition else task.parent
                if kind is not None:
                    task.times = 1
                    inner = _Task(
                        selection.selection_set.selections,
                        kind,
                        task.page,
                        task.expanding,
                        subject=task.subject,
                    )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                key = (name, task.page, task.subject)
                if key in known:
                    task.points = check(task.points + known[key])
                elif fragment is not None and name not in task.expanding:
                    # (Unknown fragments and cycles are not counted: validation refuses both.)
                    kind = schema.get_type(fragment.type_condition.name.value)
                    if kind is not None:
                        task.times = 1
                        inner = _Task(
                            fragment.selection_set.selections,
                            kind,
                            task.page,
                            task.expanding | {name},
                            subject=task.subject,
                            remember=key,
                        )
            if inner is not None:
                stack.append(inner)
    except _OverLimit as over:
        return Cost(over.points, over_limit=True)


def _count_field(
    schema: GraphQLSchema,
    sizes: Sizes,
    node: FieldNode,
    task: _Task,
    check: Callable[[int], int],
) -> _Task | None:
    """Counts the field itself; the task for its selection set, if it has one."""
    parent, name = task.parent, node.name.value
    key = f"{parent.name}.{name}"
    definition = _field(schema, parent, name)
    own = 1 + (MUTATION_COST if parent is schema.mutation_type else 0)
    field_page = sizes.page_of(key, node, definition)
    if key in PER_ITEM_COST and field_page is not None:
        own += field_page
    task.points = check(task.points + own)
    if definition is None or node.selection_set is None:
        return None
    item = get_named_type(definition.type)
    size, subject = None, None
    if introspection.is_introspection(parent, name):
        type_name = sizes.argument(node, "name") if name == "__type" else None
        size, subject = introspection.child(schema, parent, name, task.subject, type_name)
        if subject is introspection.NULL:
            return None  # null in the answer: what it selects costs nothing    task.times = 1
    if is_list_type(get_nullable_type(definition.type)):
        task.times = max(
            1, size if size is not None else sizes.list_size(parent, name, item, task.page)
        )
    return _Task(node.selection_set.selections, item, field_page, task.expanding, subject=subject)


def _field(schema: GraphQLSchema, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    if name == "__typename":
        return TypeNameMetaFieldDef
    if parent is schema.query_type and name in ("__schema", "__type"):
        return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None


def too_costly(cost: Cost, limit: int) -> GraphQLError:
    amount = f"at least {cost.points}" if cost.over_limit else str(cost.points)
    return GraphQLError(
        f"The operation costs {amount} points; at most {limit} are allowed. Each field "
        "of the answer counts, lists as often as they can hold items: ask for smaller "
        "pages (first), fewer fields or fewer aliases.",
        extensions={"code": TOO_COSTLY, "cost": cost.points, "limit": limit},
    )


def cost_report(cost: Cost, limit: int) -> dict[str, Any]:
    """What ``extensions.cost`` of the response says; the budget adds ``budget``."""
    return {"requested": cost.points, "limit": limit}


def variables_key(variables: Mapping[str, Any] | None) -> frozenset[tuple[str, Any]]:
    """What of the variables the cost can depend on, to key a cached cost by.

    The count reads a variable only as a page size (a number; any other value counts
    the page limit) or as a list of ids (only its length, or whether it is given):
    a list is its length, a number itself, anything else its type. True is not 1."""
    if not isinstance(variables, Mapping):
        return frozenset()
    return frozenset((name, _shape(value)) for name, value in variables.items())


def _shape(value: Any) -> Any:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    if isinstance(value, list):
        return (list, len(value))
    return type(value)
