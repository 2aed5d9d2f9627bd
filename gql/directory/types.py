"""Directory data sources: the external directories whose entries users add as contacts."""

from __future__ import annotations

import strawberry

from domain import model
from gql.context import Info
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
    pk: strawberry.Private[int]

    @strawberry.field(
        description="How many contacts in users' contact lists come from this source: those "
        "a reset with repairContactList removes once the source is deactivated. Counted in "
        "the contact lists the caller reads whole: a system administrator every user's, a "
        "sub-administrator those of the users of its locations, a Connect Client user its "
        "own. Read for a list of sources, one grouped count for all of them."
    )
    async def contact_count(self, info: Info) -> int:
        return await info.context.loaders.contact_count_by_data_source_id.load(self.pk)

    @classmethod
    def from_domain(cls, source: model.DirectoryDataSource) -> DirectoryDataSource:
        return cls(
            id=strawberry.ID(to_global_id("DirectoryDataSource", source.id)),
            name=source.name,
            active=source.active,
            pk=source.id,
        )
