"""What an operation costs, counted before it runs, and the caller's budget it is paid from.

**Cost.** One point for every value the answer can hold: each field of the
operation with fragments expanded and every alias counted, multiplied by the
items of the lists around it. A connection counts its ``first`` (variables
resolved; without it the default page size, above the page limit the limit),
``resetUsers`` the number of its ``ids``; other lists count a size that their
data can reach (``LIST_SIZES``, introspection's from the schema itself), the
page limit when nothing smaller is known. A root mutation field counts
``MUTATION_COST`` more, ``resetUsers`` one more per id. A list counts at least
one item. Fragments on several types of an interface add up. It is an upper
estimate of the answer, known before anything runs, not a measurement.
Counting a fragment once and reusing its points keeps the count as cheap as
the document is short, and it stops as soon as a part is over the ceiling: a
fragment bomb is refused without being expanded.

**Budget.** Each sign-in session and API token pays the cost of its
operations from a budget that refills over time (a token bucket, kept by the
server for the whole deployment, see :class:`CostBudget`). Over budget, the
operation is refused before it runs (``RATE_LIMITED``, with when to try
again). Callers without a token (sign-in, introspection) have no budget: the
ceiling holds for them, and sign-in has its own lockouts.

The ceiling is checked by the query limits (gql/limits.py) after the limit
rules and before the rest of validation; the budget by :class:`CostBudgetGate`,
before the compiled executor and graphql-core.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_list_type,
    value_from_ast_untyped,
)
from graphql.type.introspection import (
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from domain.principals import Anonymous
from domain.services.reset import MAX_USERS_PER_RESET

# Where the cost report goes in the response's ``extensions``.
EXTENSIONS_KEY = "cost"
TOO_COSTLY = "QUERY_TOO_COSTLY"
RATE_LIMITED = "RATE_LIMITED"

# A write costs more than a read of the same size.
MUTATION_COST = 10
# Lists whose size their data bounds, by field ("Type.field") or by item type.
LIST_SIZES: Mapping[str, int] = {
    "User.teams": 10,
    "Location.configurationGroups": 20,
    "Administrator.locations": 20,
    # One result per action the reset ran: at most every option.
    "UserResetResult.actions": 6,
}
ITEM_SIZES: Mapping[str, int] = {
    # Errors and warnings of a payload: usually none, one per problem.
    "UserError": 1,
    "Setting": 20,
}
# Lists as long as the page (the ``first`` or ``ids`` of the field above them).
PAGED_LISTS = frozenset({"ResetUsersPayload.results"})
# Fields whose page is the length of a list argument, at most a maximum.
LIST_ARGUMENT_PAGES: Mapping[str, tuple[str, int]] = {
    "Mutation.resetUsers": ("ids", MAX_USERS_PER_RESET),
}
# ... and which cost one point more per item.
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
    # Set when this is a fragment's body: its points are remembered under this key.
    remember: tuple[str, int | None] | None = None
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
    sizes = _Sizes(schema, operation, variables, page_size, max_page_size)
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    known: dict[tuple[str, int | None], int] = {}

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
                        selection.selection_set.selections, kind, task.page, task.expanding
                    )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                key = (name, task.page)
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
                            remember=key,
                        )
            if inner is not None:
                stack.append(inner)
    except _OverLimit as over:
        return Cost(over.points, over_limit=True)


def _count_field(
    schema: GraphQLSchema,
    sizes: _Sizes,
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
    task.times = 1
    if is_list_type(get_nullable_type(definition.type)):
        task.times = max(1, sizes.list_size(parent, name, item, task.page))
    return _Task(node.selection_set.selections, item, field_page, task.expanding)


def _field(schema: GraphQLSchema, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    if name == "__typename":
        return TypeNameMetaFieldDef
    if parent is schema.query_type and name in ("__schema", "__type"):
        return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None


class _Sizes:
    """Page and list sizes, with the request's variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any] | None,
        page_size: int,
        max_page_size: int,
    ) -> None:
        self.variables = dict(variables) if isinstance(variables, Mapping) else {}
        self.defaults = {
            definition.variable.name.value: definition.default_value
            for definition in operation.variable_definitions or ()
            if definition.default_value is not None
        }
        self.page_size = min(page_size, max_page_size)
        self.max_page_size = max_page_size
        self.introspection = introspection_list_sizes(schema)

    def page_of(self, key: str, node: FieldNode, definition: GraphQLField | None) -> int | None:
        """How many items the lists below this field hold, when an argument says."""
        if key in LIST_ARGUMENT_PAGES:
            argument, most = LIST_ARGUMENT_PAGES[key]
            value = self._argument(node, argument)
            items = len(value) if isinstance(value, list) else int(value is not None)
            return min(items, most)
        if definition is None or "first" not in definition.args:
            return None
        first = self._argument(node, "first")
        if first is None:
            return self.page_size
        if isinstance(first, float) and first.is_integer():
            first = int(first)  # JSON's 100.0: execution coerces it to 100
        if isinstance(first, int) and not isinstance(first, bool):
            return min(max(first, 0), self.max_page_size)
        # Anything else execution either refuses or coerces: count the most it may be.
        return self.max_page_size

    def list_size(
        self, parent: GraphQLNamedType, name: str, item: GraphQLNamedType, page: int | None
    ) -> int:
        key = f"{parent.name}.{name}"
        if page is not None and (
            key in PAGED_LISTS or (name == "edges" and parent.name.endswith("Connection"))
        ):
            return page
        for sizes, lookup in (
            (self.introspection, key),
            (LIST_SIZES, key),
            (ITEM_SIZES, item.name),
        ):
            if lookup in sizes:
                return sizes[lookup]
        return self.max_page_size

    def _argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return self._value(argument.value)
        return None

    def _value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            name = node.name.value
            if name in self.variables:
                return self.variables[name]
            default = self.defaults.get(name)
            return None if default is None else value_from_ast_untyped(default)
        return value_from_ast_untyped(node, self.variables)


@functools.lru_cache(maxsize=8)
def introspection_list_sizes(schema: GraphQLSchema) -> dict[str, int]:
    """Introspection's lists, sized by this schema: all its types and directives; the
    lists of one type or field, the average over all types or fields (so that listing
    them for every type counts what the schema holds)."""
    types = list(schema.type_map.values())
    fields = [
        f
        for t in types
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
        for f in t.fields.values()
    ]

    def average(counts: list[int]) -> int:
        return math.ceil(sum(counts) / len(counts)) if counts else 1

    def each_type(attribute: str) -> int:
        return average([len(getattr(t, attribute, None) or ()) for t in types])

    abstract = [t for t in types if isinstance(t, GraphQLInterfaceType | GraphQLUnionType)]
    return {
        "__Schema.types": len(types),
        "__Schema.directives": len(schema.directives),
        "__Type.fields": each_type("fields"),
        "__Type.inputFields": each_type("fields"),
        "__Type.interfaces": each_type("interfaces"),
        "__Type.enumValues": each_type("values"),
        "__Type.possibleTypes": average(
            [len(schema.get_possible_types(t)) for t in abstract]
            + [0] * (len(types) - len(abstract))
        ),
        "__Field.args": average([len(f.args) for f in fields]),
        "__Directive.args": average([len(d.args) for d in schema.directives]),
    }


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


# --- the budget ------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """The caller's budget after an operation asked for ``cost`` points."""

    granted: bool
    cost: int
    # Whole points left (after paying, when granted).
    remaining: int
    capacity: int
    refill_per_second: float
    # When the budget is full again.
    full_at: datetime
    # Granted: 0. Otherwise the seconds until the budget holds ``cost`` again.
    retry_after: int

    def report(self) -> dict[str, Any]:
        return {
            "remaining": self.remaining,
            "capacity": self.capacity,
            "refillPerSecond": self.refill_per_second,
            "resetAt": self.full_at.astimezone(UTC).isoformat(timespec="seconds"),
        }


class CostBudget(Protocol):
    """The budgets of all callers, shared by every process of the deployment."""

    async def spend(self, caller: str, cost: int) -> Grant:
        """Takes ``cost`` points from the caller's budget if it holds them; in one
        atomic step, so that concurrent requests cannot both spend the last points."""
        ...


def budget_key(principal: object, bearer_token: str | None) -> str | None:
    """Whose budget pays: a hash of the session's or API token's bearer token (one
    budget per credential; the token itself is never stored). None: no budget."""
    if bearer_token is None or isinstance(principal, Anonymous):
        return None
    return hashlib.sha256(b"connect-admin cost budget\0" + bearer_token.encode()).hexdigest()


def rate_limited(grant: Grant) -> GraphQLError:
    return GraphQLError(
        f"The operation costs {grant.cost} points and your budget holds {grant.remaining} "
        f"of {grant.capacity}; it refills by {grant.refill_per_second:g} points a second. "
        f"Try again in {grant.retry_after} seconds.",
        extensions={
            "code": RATE_LIMITED,
            "cost": grant.cost,
            "remaining": grant.remaining,
            "capacity": grant.capacity,
            "retryAfter": grant.retry_after,
        },
    )


class CostBudgetGate(SchemaExtension):
    """Pays the operation's cost from the caller's budget before anything runs.

    List it after AuthenticationGate (an operation refused there pays nothing) and
    before CompiledExecution. Over HTTP a refusal is the operation's result (HTTP
    429, server/graphql_view.py); a subscription, whose executor ignores a result
    set here, is refused by raising.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        report = execution.extensions_results.get(EXTENSIONS_KEY)
        budget: CostBudget | None = getattr(context, "cost_budget", None)
        caller = budget_key(
            getattr(context, "principal", None), getattr(context, "bearer_token", None)
        )
        if execution.result is None and report is not None and budget is not None and caller:
            grant = await budget.spend(caller, report["requested"])
            report["budget"] = grant.report()
            if not grant.granted:
                error = rate_limited(grant)
                if execution.operation_type is OperationType.SUBSCRIPTION:
                    raise error
                execution.result = ExecutionResult(data=None, errors=[error])
        yield
