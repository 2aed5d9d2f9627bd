"""The schema extension that answers compilable queries before graphql-core runs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from graphql import ExecutionResult
from strawberry.extensions import SchemaExtension

from domain.errors import DomainError, Forbidden, NotAuthenticated
from gql.compiled.compiler import compiler_of
from gql.compiled.leaves import Fallback

logger = logging.getLogger("connect_admin.gql.compiled")

# Raised by services for the client's own mistakes: the standard executor reports them.
EXPECTED_ERRORS = (DomainError, Forbidden, NotAuthenticated)


class CompiledExecution(SchemaExtension):
    """Answers compilable queries before graphql-core runs (see the doc of gql/compiled/).

    List it after AuthenticationGate: a refused operation already has its result.
    A schema with an extension that has a ``resolve`` hook is never compiled.
    Only for async execution (``on_execute`` is asynchronous).
    """

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        document, query = execution.graphql_document, execution.query
        compiler = compiler_of(execution.schema)
        if execution.result is None and document is not None and query and compiler:
            try:
                plan = compiler.plan(query, document, execution.operation_name)
                data = (
                    None
                    if plan is None
                    else await compiler.execute(plan, execution.context, execution.variables)
                )
            except (Fallback, *EXPECTED_ERRORS):
                compiler.fallbacks += 1
            except Exception:
                compiler.fallbacks += 1
                request_id = getattr(execution.context, "request_id", None)
                logger.warning(
                    "compiled execution failed; the standard executor answers (request %s)",
                    request_id,
                    exc_info=True,
                    extra={"request_id": request_id},
                )
            else:
                if data is not None:
                    compiler.compiled += 1
                    execution.result = ExecutionResult(data=data, errors=None)
                    record = getattr(execution.context, "record", None)
                    if record is not None:
                        record.compiled = True
        yield
