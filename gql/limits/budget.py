"""The caller's budget that an operation's cost is paid from.

Each principal (an administrator, a Connect Client user, an API token) pays the
cost of its operations from one budget that refills over time (a token bucket,
kept by the server for the whole deployment, see :class:`CostBudget`), whichever
of its sessions the operation came with: a new sign-in starts where the last
left off. Over budget, the operation is refused
before it runs (``RATE_LIMITED``, with when to try again). Callers without a
token (sign-in, introspection) have no budget: the ceiling holds for them, and
sign-in has its own lockouts.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from domain.error_codes import ErrorCode
from domain.errors import ServiceUnavailable
from domain.principals import AdminPrincipal, Anonymous, UserPrincipal
from gql.errors import masked, unavailable
from gql.limits.cost import EXTENSIONS_KEY

RATE_LIMITED = ErrorCode.RATE_LIMITED


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
    """Whose budget pays: the principal's, not the session's, so that signing in again
    gives no fresh budget. An administrator's sessions share one budget, a user's
    sessions another; each API token has its own (a hash of it: the token itself is
    never stored). None: no budget."""
    if bearer_token is None or isinstance(principal, Anonymous):
        return None
    if isinstance(principal, AdminPrincipal) and not principal.via_api_token:
        return f"administrator:{principal.admin_id}"
    if isinstance(principal, UserPrincipal):
        return f"user:{principal.user_id}"
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
    429, server/http/graphql_view.py); a subscription, whose executor ignores a result
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
            error: GraphQLError | None = None
            try:
                grant = await budget.spend(caller, report["requested"])
            except ServiceUnavailable as fault:
                request_id = getattr(context, "request_id", None)
                error = unavailable(fault, "the cost budget", request_id)
            except Exception as fault:
                # Raised here, it would reach the client unmasked, past ErrorTranslation.
                error = masked(fault, "the cost budget", getattr(context, "request_id", None))
            else:
                report["budget"] = grant.report()
                if not grant.granted:
                    error = rate_limited(grant)
            if error is not None:
                if execution.operation_type is OperationType.SUBSCRIPTION:
                    raise error
                execution.result = ExecutionResult(data=None, errors=[error])
        yield
