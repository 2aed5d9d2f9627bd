"""The per-request context: who calls, the services' dependencies, the DataLoaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import strawberry

from connect_admin.domain.principals import Principal
from connect_admin.domain.services.deps import Deps

if TYPE_CHECKING:
    from connect_admin.gql.loaders import Loaders


@dataclass
class Context:
    principal: Principal
    # A fresh Deps (its own unit of work) per call: resolvers run concurrently.
    deps_factory: Callable[[], Deps]
    request_id: str
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        from connect_admin.gql.loaders import Loaders

        self.loaders = Loaders(self)

    def deps(self) -> Deps:
        return self.deps_factory()


Info = strawberry.Info[Context, None]
