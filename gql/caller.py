"""What the request's DataLoaders need of it (gql/loaders.py): who calls, and a
fresh Services per batch. gql/context.py's Context is one."""

from __future__ import annotations

from typing import Protocol

from domain.principals import Principal
from domain.services.registry import Services


class Caller(Protocol):
    @property
    def principal(self) -> Principal: ...

    def services(self) -> Services: ...
