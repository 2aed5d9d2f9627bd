"""The per-request context: who calls, the services' dependencies, the DataLoaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import strawberry

from domain.principals import Principal
from domain.services.deps import Deps
from gql.loaders import Loaders
from gql.observability import RequestRecord
from gql.progress_broker import ProgressBroker

if TYPE_CHECKING:
    from gql.cost import CostBudget


@dataclass
class Context:
    principal: Principal
    # A fresh Deps (its own unit of work) per call: resolvers run concurrently.
    deps_factory: Callable[[], Deps]
    request_id: str
    # The facts for the request's access-log line (gql/observability.py).
    record: RequestRecord = field(default_factory=RequestRecord)
    # Progress of long operations, shared by the app's requests (gql/progress_broker.py);
    # a context of its own gets a private broker nobody else can watch.
    progress: ProgressBroker = field(default_factory=ProgressBroker)
    # A websocket's connection_init payload (graphql-transport-ws); None over HTTP.
    connection_params: dict[str, object] | None = None
    # Subscriptions need the websocket; over HTTP they are refused before they run.
    over_websocket: bool = False
    # The caller's bearer token, for checking it again on a long-lived websocket;
    # never logged.
    bearer_token: str | None = field(default=None, repr=False)
    # The callers' query cost budgets (gql/cost.py); None: operations cost no budget.
    cost_budget: CostBudget | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self)

    def deps(self) -> Deps:
        return self.deps_factory()


Info = strawberry.Info[Context, None]
