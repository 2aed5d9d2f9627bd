"""What the request's DataLoaders need of it (gql/loaders.py): who calls, and a
fresh Deps per batch. gql/context.py's Context is one."""

from __future__ import annotations

from typing import Protocol

from domain.principals import Principal
from domain.services.deps import Deps


class Caller(Protocol):
    principal: Principal

    def deps(self) -> Deps: ...
