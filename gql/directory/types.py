"""Directory data sources: the external directories whose entries users add as contacts."""

from __future__ import annotations

import strawberry

from domain import model
from gql.ids import to_global_id
from gql.relay import Node


@strawberry.type(
    description="An XPhone Connect Directory data source: an external directory whose "
    "entries users add to their contact lists. It serves every location."
)
class DirectoryDataSource(Node):
    name: str = strawberry.field(description="Unique among the data sources.")
    active: bool = strawberry.field(
        description="False: deactivated. Its entries can no longer be added, and a reset with "
        "repairContactList removes those already in contact lists."
    )

    @classmethod
    def from_domain(cls, source: model.DirectoryDataSource) -> DirectoryDataSource:
        return cls(
            id=strawberry.ID(to_global_id("DirectoryDataSource", source.id)),
            name=source.name,
            active=source.active,
        )
