"""The gate before execution: without a valid token only sign-in and introspection run.

The services check every caller again (scopes live in the domain); the gate
makes sure an anonymous caller learns nothing, not even that an ID is bad.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, FieldNode, GraphQLError, get_operation_ast
from strawberry.extensions import SchemaExtension

from connect_admin.domain.principals import Anonymous

PUBLIC_ROOT_FIELDS = frozenset({"adminSignIn", "userSignIn", "__schema", "__type", "__typename"})


class AuthenticationGate(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        if isinstance(execution.context.principal, Anonymous) and not self._only_public():
            execution.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "Sign in first: no valid bearer token.",
                        extensions={"code": "UNAUTHENTICATED"},
                    )
                ],
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
