"""What the access log needs to know about a GraphQL request, recorded during execution.

The server's access-log middleware writes one line per request (server/http/logs.py);
the facts only the execution knows (the operation, the caller, the error codes)
are recorded here on the request's :class:`RequestRecord`. Nothing the client
sent as a value (variables, the query text, headers) is recorded: no password,
no token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension

from domain.principals import AdminPrincipal, Anonymous, Principal, UserPrincipal

MAX_OPERATION_NAME = 100
UNCODED_ERROR = "GRAPHQL_ERROR"


@dataclass
class RequestRecord:
    """One request's facts for its access-log line; filled in as the request goes."""

    request_id: str | None = None
    principal: str = "anonymous"
    principal_kind: str = "anonymous"
    operation_name: str | None = None
    operation_type: str | None = None
    # extensions.code of each GraphQL error, in order.
    error_codes: list[str] = field(default_factory=list)
    # code of each UserError in the root fields' payloads (``errors { code }``, when selected).
    payload_error_codes: list[str] = field(default_factory=list)
    # Whether the compiled executor answered (gql/compiled/).
    compiled: bool = False
    # Whether graphql-core's executor ran the operation (gql/execution.py); neither this
    # nor ``compiled``: it was refused before it ran.
    executed: bool = False
    # The operation's first root field, when the schema has it (a bounded metrics label).
    root_field: str | None = None
    # (action, carried out) of each action of a reset that was not a dry run.
    reset_actions: list[tuple[str, bool]] = field(default_factory=list)
    # Over a websocket, whose one record serves each operation of the connection in
    # turn: told of each operation as it ends (the metrics count it then).
    operation_done: Callable[[RequestRecord], None] | None = None

    def record_principal(self, principal: Principal) -> None:
        """The caller's login, never its credentials."""
        if isinstance(principal, Anonymous):
            self.principal, self.principal_kind = "anonymous", "anonymous"
        elif isinstance(principal, AdminPrincipal):
            self.principal = principal.login
            self.principal_kind = "api_token" if principal.via_api_token else "admin"
        elif isinstance(principal, UserPrincipal):
            self.principal, self.principal_kind = principal.login, "user"


class Observability(SchemaExtension):
    """Records the operation and the error codes on ``context.record``.

    List it before ErrorTranslation: extensions leave ``on_operation`` in reverse
    order, so this one then sees the translated errors and their codes.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        record: RequestRecord | None = getattr(execution.context, "record", None)
        if record is None:
            return
        operation: OperationDefinitionNode | None = None
        if execution.graphql_document is not None:
            operation = get_operation_ast(execution.graphql_document, execution.operation_name)
            if operation is not None:
                # A name from the document: a GraphQL Name, never a value the client sent.
                if operation.name is not None:
                    record.operation_name = operation.name.value[:MAX_OPERATION_NAME]
                record.operation_type = operation.operation.value
                fragments = {
                    d.name.value: d
                    for d in execution.graphql_document.definitions
                    if isinstance(d, FragmentDefinitionNode)
                }
                record.root_field = _root_field(execution.schema, operation, fragments)
        result = execution.result
        errors: list[GraphQLError] = list(getattr(result, "errors", None) or [])
        record.error_codes = [_code(error) for error in errors]
        data = getattr(result, "data", None)
        record.payload_error_codes = (
            _payload_codes(data, operation)
            if isinstance(data, dict) and operation is not None
            else []
        )
        if record.operation_done is not None:
            record.operation_done(record)


# The fields every root type has without naming them (introspection, __typename).
META_FIELDS = frozenset({"__typename", "__schema", "__type"})


def _root_field(
    schema: Any, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> str | None:
    """The first root field, through fragments: a name of the schema's, or a meta field."""
    root = schema._schema.get_root_type(operation.operation)
    seen: set[str] = set()

    def first(selection_set: SelectionSetNode) -> str | None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                known = name in META_FIELDS or (root is not None and name in root.fields)
                return name if known else None
            inner: SelectionSetNode | None = None
            if isinstance(selection, InlineFragmentNode):
                inner = selection.selection_set
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                inner = fragment.selection_set if fragment is not None else None
            found = first(inner) if inner is not None else None
            if found is not None:
                return found
        return None

    return first(operation.selection_set)


def _code(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else UNCODED_ERROR


def _payload_codes(data: dict[str, Any], operation: OperationDefinitionNode) -> list[str]:
    """The ``code`` of each UserError in the payloads of a mutation's root fields.

    Found by the fields' names in the operation, not by the answer's keys: those are
    the client's aliases, and any field aliased ``errors { code: … }`` would otherwise
    put the client's data into the log line and the metrics' labels.
    """
    if operation.operation is not OperationType.MUTATION:
        return []
    codes: list[str] = []
    for root in _fields(operation.selection_set):
        payload = data.get(_key(root))
        if not isinstance(payload, dict) or root.selection_set is None:
            continue
        for errors in _fields(root.selection_set, "errors"):
            code_keys = [_key(code) for code in _fields(errors.selection_set, "code")]
            for error in payload.get(_key(errors)) or ():
                if isinstance(error, dict):
                    codes.extend(error[key] for key in code_keys if isinstance(error.get(key), str))
    return codes


def _fields(selection_set: SelectionSetNode | None, name: str | None = None) -> list[FieldNode]:
    if selection_set is None:
        return []
    return [
        selection
        for selection in selection_set.selections
        if isinstance(selection, FieldNode) and (name is None or selection.name.value == name)
    ]


def _key(field: FieldNode) -> str:
    return field.alias.value if field.alias is not None else field.name.value
