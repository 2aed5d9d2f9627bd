"""The schema: every area's operations combined by inheritance."""

from __future__ import annotations

import functools
from typing import Any

import strawberry
from strawberry.extensions import ParserCache

from gql.accounts import AccountsMutation
from gql.admin import AdministrationMutation
from gql.compiled import CompiledExecution
from gql.errors import ErrorTranslation
from gql.execution import SettlingExecutor
from gql.limits import Limits, limit_extensions
from gql.mail import MailMutation, MailQuery
from gql.observability import Observability
from gql.permissions import AuthenticationGate
from gql.progress import Subscription
from gql.query import Query as BaseQuery
from gql.reset import ResetMutation
from gql.selfservice import SelfServiceMutation
from gql.types import (
    Administrator,
    ApiToken,
    AuditEvent,
    ConfigurationGroup,
    DirectoryDataSource,
    Location,
    Team,
    User,
)
from gql.voicemail import VoicemailMutation


@strawberry.type
class Query(BaseQuery, MailQuery):
    pass


@strawberry.type
class Mutation(
    AccountsMutation,
    ResetMutation,
    MailMutation,
    AdministrationMutation,
    SelfServiceMutation,
    VoicemailMutation,
):
    pass


class ConnectSchema(strawberry.Schema):
    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        """ErrorTranslation logs what is unexpected, with the request id; the rest is data."""


def build_schema(limits: Limits, *, compiled: bool = True) -> ConnectSchema:
    """The schema with the given query limits (one instance per distinct limits);
    ``compiled``: hot read queries skip graphql-core's executor (gql/compiled.py)."""
    return _build_schema(limits, compiled)


@functools.lru_cache(maxsize=8)
def _build_schema(limits: Limits, compiled: bool) -> ConnectSchema:
    return ConnectSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Fields that fail give the same errors every time (gql/execution.py).
        execution_context_class=SettlingExecutor,
        # Node implementations that no field names directly must still be in the schema.
        types=[
            Location,
            ConfigurationGroup,
            User,
            Team,
            DirectoryDataSource,
            Administrator,
            ApiToken,
            AuditEvent,
        ],
        extensions=[
            # Before ErrorTranslation: it then sees the translated errors' codes.
            Observability,
            AuthenticationGate,
            ErrorTranslation,
            lambda: ParserCache(maxsize=256),
            # Validation, cached, with the limit rules first; replaces ValidationCache.
            *limit_extensions(limits),
            # After the gate: the hot read queries without graphql-core's per-field cost.
            *([CompiledExecution] if compiled else []),
        ],
    )


# The default limits: for export-schema and the tests.
schema = build_schema(Limits())
