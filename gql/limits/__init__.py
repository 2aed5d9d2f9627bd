"""Limits on what one GraphQL document may ask for and what it may cost, checked
before anything runs: ``Limits`` and :func:`limit_extensions`, the schema
extensions that enforce them (extensions.py); the limit rules that Strawberry's
own limiters do not replace (rules.py); the cost analysis (cost.py, sizes.py)
and the caller's budget it is paid from (budget.py)."""

from gql.limits.budget import RATE_LIMITED, CostBudget, Grant, budget_key
from gql.limits.cost import EXTENSIONS_KEY
from gql.limits.extensions import Limits, limit_extensions
from gql.limits.rules import operation_depths

__all__ = [
    "EXTENSIONS_KEY",
    "RATE_LIMITED",
    "CostBudget",
    "Grant",
    "Limits",
    "budget_key",
    "limit_extensions",
    "operation_depths",
]
