"""The signed-in user's input, turned into its domain command in one place."""

from __future__ import annotations

import strawberry

from domain.services.me import NewContact
from gql.ids import maybe_pk_of


@strawberry.input
class AddMyContactInput:
    data_source_id: strawberry.ID | None = None
    external_id: str | None = None
    display_name: str | None = None
    user_id: strawberry.ID | None = None

    def to_domain(self) -> NewContact:
        return NewContact(
            data_source_id=maybe_pk_of(self.data_source_id, "DirectoryDataSource", "dataSourceId"),
            external_id=self.external_id,
            display_name=self.display_name,
            user_id=maybe_pk_of(self.user_id, "User", "userId"),
        )
