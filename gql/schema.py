"""The schema: every area's operations merged into Query, Mutation and Subscription,
here and nowhere else."""

from __future__ import annotations

import functools
from typing import Any

import strawberry

from gql.accounts.operations import AccountsMutation, AccountsQuery
from gql.accounts.types import Administrator, ApiToken
from gql.audit.operations import AuditQuery
from gql.audit.types import AuditEvent
from gql.compiled import CompiledExecution
from gql.directory.operations import DirectoryMutation, DirectoryQuery
from gql.directory.types import DirectoryDataSource
from gql.errors import ErrorTranslation
from gql.execution import SettlingExecutor
from gql.limits import Limits, limit_extensions
from gql.locations.operations import LocationsMutation, LocationsQuery
from gql.locations.types import ConfigurationGroup, Location
from gql.mail_gateway.operations import MailGatewayMutation, MailGatewayQuery
from gql.mail_templates.operations import MailTemplatesMutation, MailTemplatesQuery
from gql.nodes import NodeQuery
from gql.observability import Observability
from gql.parsing import DocumentCache
from gql.permissions import AuthenticationGate
from gql.reset.jobs import ResetJobsMutation, ResetJobsQuery
from gql.reset.operations import ResetMutation
from gql.reset.progress import ResetProgressSubscription
from gql.reset.undo import UndoResetMutation
from gql.scalars import SCALAR_OVERRIDES
from gql.selfservice.operations import SelfServiceMutation, SelfServiceQuery
from gql.teams.operations import TeamsMutation, TeamsQuery
from gql.teams.types import Team
from gql.users.operations import UsersMutation, UsersQuery
from gql.users.types import User
from gql.voicemail.operations import VoicemailMutation
from gql.webhooks.operations import WebhooksMutation, WebhooksQuery
from gql.webhooks.types import WebhookEndpoint


# The order of the bases is the order of the fields in the exported schema.
@strawberry.type(
    description="What the caller may read. Without a token only introspection answers; "
    "anything else is UNAUTHENTICATED."
)
class Query(
    NodeQuery,
    LocationsQuery,
    UsersQuery,
    TeamsQuery,
    DirectoryQuery,
    AuditQuery,
    ResetJobsQuery,
    AccountsQuery,
    SelfServiceQuery,
    MailGatewayQuery,
    MailTemplatesQuery,
    WebhooksQuery,
):
    pass


@strawberry.type(
    description="What the caller may change. Without a token only adminSignIn and userSignIn "
    "answer. Expected failures come back in each payload's errors, with a stable code; a "
    "call beyond the caller's role is a FORBIDDEN error."
)
class Mutation(
    AccountsMutation,
    ResetMutation,
    UndoResetMutation,
    ResetJobsMutation,
    MailGatewayMutation,
    MailTemplatesMutation,
    LocationsMutation,
    UsersMutation,
    TeamsMutation,
    DirectoryMutation,
    SelfServiceMutation,
    VoicemailMutation,
    WebhooksMutation,
):
    pass


@strawberry.type(
    description="Streams over graphql-transport-ws at the same URL (ws(s)://.../graphql); "
    "refused over plain HTTP (SUBSCRIPTION_NEEDS_WEBSOCKET)."
)
class Subscription(ResetProgressSubscription):
    pass


class ConnectSchema(strawberry.Schema):
    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        """ErrorTranslation logs what is unexpected, with the request id; the rest is data."""


def build_schema(limits: Limits, *, compiled: bool = True) -> ConnectSchema:
    """The schema with the given query limits (one instance per distinct limits);
    ``compiled``: hot read queries skip graphql-core's executor (gql/compiled/)."""
    return _build_schema(limits, compiled)


@functools.lru_cache(maxsize=8)
def _build_schema(limits: Limits, compiled: bool) -> ConnectSchema:
    return ConnectSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Fields that fail give the same errors every time (gql/execution.py).
        execution_context_class=SettlingExecutor,
        scalar_overrides=SCALAR_OVERRIDES,
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
            WebhookEndpoint,
        ],
        extensions=[
            # Before ErrorTranslation: it then sees the translated errors' codes.
            Observability,
            AuthenticationGate,
            ErrorTranslation,
            # Parsing, cached (a failure becomes the result, with its code), then
            # validation, cached, with the limit rules first; replaces ValidationCache.
            lambda: DocumentCache(maxsize=256),
            *limit_extensions(limits),
            # After the gate: the hot read queries without graphql-core's per-field cost.
            *([CompiledExecution] if compiled else []),
        ],
    )
