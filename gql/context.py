"""The per-request context: who calls, the services' dependencies, the DataLoaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import strawberry

from domain.principals import Principal
from domain.services.progress import ProgressBroker
from domain.services.registry import Services
from gql.loaders import Loaders
from gql.observability import RequestRecord

if TYPE_CHECKING:
    from gql.limits import CostBudget


@dataclass
class Context:
    principal: Principal
    # A fresh Services (its own unit of work) per call: resolvers run concurrently.
    services_factory: Callable[[], Services]
    request_id: str
    # Progress of long operations, shared by the app's requests (domain/services/progress.py).
    progress: ProgressBroker
    # The facts for the request's access-log line (gql/observability.py).
    record: RequestRecord = field(default_factory=RequestRecord)
    # A websocket's connection_init payload (graphql-transport-ws); None over HTTP.
    connection_params: dict[str, object] | None = None
    # Subscriptions need the websocket; over HTTP they are refused before they run.
    over_websocket: bool = False
    # The caller's bearer token, for checking it again on a long-lived websocket;
    # never logged.
    bearer_token: str | None = field(default=None, repr=False)
    # The callers' query cost budgets (gql/limits/budget.py); None: operations cost no budget.
    cost_budget: CostBudget | None = None
    # The client's address (behind a trusted proxy, the one it forwarded): sign-in
    # lockouts count per login and address.
    client: str = ""
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self)

    def services(self) -> Services:
        return self.services_factory()


Info = strawberry.Info[Context, None]
