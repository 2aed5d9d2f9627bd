"""``node(id)``: any object by its Relay ID, from whichever area it comes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry

from domain.errors import DomainError
from domain.principals import Principal
from domain.services.registry import Services
from gql.accounts.types import Administrator, ApiToken
from gql.audit.types import AuditEvent
from gql.context import Info
from gql.directory.types import DirectoryDataSource
from gql.ids import parse_global_id
from gql.locations.types import ConfigurationGroup, Location
from gql.relay import Node
from gql.teams.types import Team
from gql.users.types import User
from gql.webhooks.types import WebhookEndpoint

Getter = Callable[[Principal, int], Awaitable[Any]]

# Per type name: the service's getter (it checks the caller's rights: a DomainError or
# None for what the caller may not see) and the type. Every type that implements Node
# is here (tests/api/test_nodes_api.py tries each of the schema's).
NODE_FETCHERS: dict[str, tuple[Callable[[Services], Getter], Callable[[Any], Node]]] = {
    "Location": (lambda s: s.locations.get_location, Location.from_domain),
    "ConfigurationGroup": (lambda s: s.groups.get_group, ConfigurationGroup.from_domain),
    "User": (lambda s: s.users.get_user, User.from_domain),
    "Team": (lambda s: s.teams.get_team, Team.from_domain),
    "DirectoryDataSource": (
        lambda s: s.data_sources.get_data_source,
        DirectoryDataSource.from_domain,
    ),
    "Administrator": (lambda s: s.administrators.get_administrator, Administrator.from_domain),
    "ApiToken": (lambda s: s.auth.get_api_token, ApiToken.from_domain),
    "AuditEvent": (lambda s: s.audit.get_event, AuditEvent.from_domain),
    "WebhookEndpoint": (lambda s: s.webhooks.get_endpoint, WebhookEndpoint.from_domain),
}


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any object by its ID: a location, configuration group, user, team, "
        "directory data source, administrator, API token, audit event or webhook "
        "endpoint. Null for an ID that is none of ours, and for an object the caller may "
        "not see (never a hint that it exists)."
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The object's ID.")],
    ) -> Node | None:
        parsed = parse_global_id(id)
        found = NODE_FETCHERS.get(parsed[0]) if parsed else None
        if parsed is None or found is None:
            return None
        getter, to_node = found
        try:
            entity = await getter(info.context.services())(info.context.principal, parsed[1])
        except DomainError:
            return None
        return None if entity is None else to_node(entity)
