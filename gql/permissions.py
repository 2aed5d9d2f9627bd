"""The gate before execution.

Without a valid token only sign-in, requestPasswordLink and introspection run: the services check
every caller again (scopes live in the domain), but the gate makes sure an
anonymous caller learns nothing, not even that an ID is bad. Subscriptions
run over the websocket only; over HTTP they would execute as a query.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, FieldNode, GraphQLError, get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from domain.error_codes import ErrorCode
from domain.principals import Anonymous


def _refusal(message: str, code: ErrorCode) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


PUBLIC_ROOT_FIELDS = frozenset(
    {"adminSignIn", "userSignIn", "requestPasswordLink", "__schema", "__type", "__typename"}
)


class AuthenticationGate(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        if isinstance(context.principal, Anonymous) and not self._only_public():
            execution.result = _refusal(
                "Sign in first: no valid bearer token.", ErrorCode.UNAUTHENTICATED
            )
        elif execution.operation_type is OperationType.SUBSCRIPTION and not context.over_websocket:
            execution.result = _refusal(
                "Subscriptions run over a websocket (graphql-transport-ws) at /graphql.",
                ErrorCode.SUBSCRIPTION_NEEDS_WEBSOCKET,
            )
        elif context.over_websocket and execution.operation_type is not OperationType.SUBSCRIPTION:
            # A socket's caller is fixed when it connects; queries and mutations go
            # over HTTP, where every request is authenticated anew.
            execution.result = _refusal(
                "Queries and mutations run over HTTP (POST /graphql).",
                ErrorCode.OPERATION_NEEDS_HTTP,
            )
        yield

    def _only_public(self) -> bool:
        document = self.execution_context.graphql_document
        if document is None:
            return False
        operation = get_operation_ast(document, self.execution_context.operation_name)
        if operation is None:
            return False
        return all(
            isinstance(selection, FieldNode) and selection.name.value in PUBLIC_ROOT_FIELDS
            for selection in operation.selection_set.selections
        )
