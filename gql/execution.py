"""graphql-core's executor, made to answer the same way every time.

graphql-core runs the fields of an object (and the items of a list) as
concurrent tasks. When one of them fails and the failure nulls their parent
(a non-null field or item), it cancels the others at once and reports the
failure that came first in time. So the same query on the same data gave a
different error from run to run, and a cancelled field cancelled the loader
future that another field still awaited (gql/loaders.py shields those too).

``SettlingExecutor`` changes three things, nothing else:

- Siblings are never cancelled: the parent waits until every field (item) has
  settled, then passes on the failure of the first one in document order
  (fields in the order of the selection, items by index).
- A nulled position reports exactly one error, the one that nulled it: errors
  recorded inside it before it was nulled are dropped (graphql-core does this
  for errors recorded after).
- A field whose wait was cancelled by someone else (not the request itself
  being cancelled) fails as a field error (masked, logged) instead of letting
  ``CancelledError`` escape into the web server as a 500.

Root fields of a mutation still run one after another and stop at the first
failure that nulls the response, as the spec says.

Apart from that, leaves that only read their object are answered without
graphql-core's per-field machinery (gql/plain_fields.py), unless a schema
extension hooks every field's resolution.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterable
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    OperationType,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import CollectedErrors, Executor
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gql import plain_fields


class SharedWaitCancelled(Exception):
    """A value the field awaited was cancelled, though this request was not."""


class _Failure:
    """A sibling's failure, held until all siblings have settled."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def _first_failure(values: Iterable[Any]) -> None:
    for value in values:
        if type(value) is _Failure:
            raise value.error


def _in_order(
    plan: plain_fields.Plan, values: dict[str, Any], others: dict[str, Any]
) -> dict[str, Any]:
    """Both parts' answers in the selection's order (a field graphql-core found no
    definition for has no key, as before)."""
    return {
        entry.name: values[entry.name] if entry.name in values else others[entry.name]
        for entry in plan
        if entry.name in values or entry.name in others
    }


def _cancelled_by_others() -> bool:
    task = asyncio.current_task()
    return task is not None and not task.cancelling()


class _Errors(CollectedErrors):
    """Errors with the position each one nulled; ``errors`` leaves out those inside a
    position that was nulled after them."""

    __slots__ = ("_recorded",)

    def __init__(self) -> None:
        super().__init__()
        self._recorded: list[tuple[GraphQLError, Path | None]] = []

    def add(self, error: GraphQLError, path: Path | None) -> None:
        if self.has_nulled_position(path):
            return
        super().add(error, path)
        self._recorded.append((error, path))

    @property
    def errors(self) -> list[GraphQLError]:
        return [
            error
            for error, path in self._recorded
            if path is None or not self.has_nulled_position(path.prev)
        ]


class SettlingExecutor(StrawberryGraphQLCoreExecutionContext):
    """See the module's doc."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built only for an operation that runs: what /metrics counts as executed.
        record = getattr(self.context_value, "record", None)
        if record is not None:
            record.executed = True
        self.collected_errors = _Errors()
        self._serial_roots = self.operation.operation is OperationType.MUTATION
        # Whether anything failed yet: until then no result needs looking through.
        self._failed = False
        # A schema extension that hooks every field's resolution must see the leaves.
        middleware = self.middleware_manager
        self._plans = (
            plain_fields.Plans(self.schema, self.collect_subfields)
            if middleware is None or not middleware.middlewares
            else None
        )

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        executor = super().build_per_event_executor(payload)
        executor.collected_errors = _Errors()
        if isinstance(executor, SettlingExecutor):
            executor._failed = False
        return executor

    def _failure(self, error: Exception) -> _Failure:
        self._failed = True
        return _Failure(error)

    # --- the fields of an object ----------------------------------------------------

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        if self._serial_roots and path.prev is None:
            # Serial root fields: a failure stops the ones after it.
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        try:
            result = super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        except Exception as error:
            return self._failure(error)
        if result is not Undefined and self.is_awaitable(result):
            return self._settled_field(result, parent_type, field_details_list, path)
        return result

    async def _settled_field(
        self,
        result: Awaitable[Any],
        parent_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await result
        except Exception as error:
            return self._failure(error)
        except asyncio.CancelledError:
            if not _cancelled_by_others():
                raise
            field = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
            assert field is not None
            try:
                self.handle_field_error(
                    SharedWaitCancelled("a value this field awaited was cancelled"),
                    field.type,
                    field_details_list,
                    path,
                )
            except Exception as error:
                return self._failure(error)
            return None

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = None if self._plans is None else self._plans.plan(parent_type, grouped_field_set)
        if plan is not None:
            return self._planned_fields(parent_type, source_value, path, plan, position_context)
        results = super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )
        if isinstance(results, dict):
            if self._failed:
                _first_failure(results.values())
            return results
        return self._checked_fields(results)

    def _planned_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        plan: plain_fields.Plan,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """The plain fields' values here, the other fields graphql-core's way; the
        answer's keys in the selection's order."""
        values: dict[str, Any] = {}
        rest: GroupedFieldSet = {}
        for entry in plan:
            found = plain_fields.NOT_PLAIN
            if entry.field is not None:
                found = plain_fields.value(entry, source_value, self.is_awaitable)
            if found is plain_fields.NOT_PLAIN:
                rest[entry.name] = entry.details
            else:
                values[entry.name] = found
        if not rest:
            return values
        others = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if isinstance(others, dict):
            if self._failed:
                _first_failure(others.values())
            return _in_order(plan, values, others)
        return self._checked_planned(plan, values, others)

    async def _checked_planned(
        self, plan: plain_fields.Plan, values: dict[str, Any], others: Awaitable[dict[str, Any]]
    ) -> dict[str, Any]:
        return _in_order(plan, values, await self._checked_fields(others))

    async def _checked_fields(self, results: Awaitable[dict[str, Any]]) -> dict[str, Any]:
        settled = await results
        if self._failed:
            _first_failure(settled.values())
        return settled

    # --- the items of a list ----------------------------------------------------------

    def complete_list_item_value(
        self,
        item: Any,
        complete_results: list[Any],
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        item_path: Path,
        position_context: Any,
    ) -> bool:
        try:
            is_awaitable = super().complete_list_item_value(
                item,
                complete_results,
                item_type,
                field_details_list,
                info,
                item_path,
                position_context,
            )
        except Exception as error:
            complete_results.append(self._failure(error))
            return False
        if is_awaitable:
            complete_results[-1] = self._settled_item(complete_results[-1])
        return is_awaitable

    async def complete_awaitable_list_item_value(
        self,
        item: Any,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        item_path: Path,
        position_context: Any,
    ) -> Any:
        return await self._settled_item(
            super().complete_awaitable_list_item_value(
                item, item_type, field_details_list, info, item_path, position_context
            )
        )

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        plain = self._plain_items(item_type, field_details_list, items)
        if plain is not plain_fields.NOT_PLAIN:
            return plain  # type: ignore[no-any-return]
        completed = super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )
        if isinstance(completed, list):
            if self._failed:
                _first_failure(completed)
            return completed
        return self._checked_items(completed)

    def _plain_items(
        self, item_type: GraphQLOutputType, field_details_list: FieldDetailsList, items: Any
    ) -> Any:
        """The list completed the plain way (gql/plain_fields.py), or NOT_PLAIN."""
        if self._plans is None or (type(items) is not list and type(items) is not tuple):
            return plain_fields.NOT_PLAIN
        entry = self._plans.items(item_type, field_details_list)
        if entry is None:
            return plain_fields.NOT_PLAIN
        return plain_fields.value(entry, items, self.is_awaitable)

    async def complete_async_iterator_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        async_iterator: AsyncIterator[Any],
        position_context: Any,
    ) -> list[Any]:
        completed = await super().complete_async_iterator_value(
            item_type, field_details_list, info, path, async_iterator, position_context
        )
        if self._failed:
            _first_failure(completed)
        return completed

    async def _settled_item(self, awaitable: Awaitable[Any]) -> Any:
        try:
            return await awaitable
        except Exception as error:
            return self._failure(error)

    async def _checked_items(self, completed: Awaitable[list[Any]]) -> list[Any]:
        settled = await completed
        if self._failed:
            _first_failure(settled)
        return settled
