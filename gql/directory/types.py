"""Directory data sources: the external directories whose entries users add as contacts."""

from __future__ import annotations

import strawberry

from domain import model
from gql.ids import to_global_id
from gql.relay import Node


@strawberry.type
class DirectoryDataSource(Node):
    name: str
    active: bool

    @classmethod
    def from_domain(cls, source: model.DirectoryDataSource) -> DirectoryDataSource:
        return cls(
            id=strawberry.ID(to_global_id("DirectoryDataSource", source.id)),
            name=source.name,
            active=source.active,
        )
