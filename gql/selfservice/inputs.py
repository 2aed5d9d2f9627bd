"""The signed-in user's input, turned into its domain command in one place."""

from __future__ import annotations

import strawberry

from domain.services.me import NewContact
from gql.ids import maybe_pk_of


@strawberry.input(
    description="A contact for the caller's contact list: either another user of this server "
    "(userId alone), or an entry of a directory data source (dataSourceId, externalId and "
    "displayName). Both or neither: INVALID_CONTACT."
)
class AddMyContactInput:
    data_source_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The directory data source of the entry; it must be active "
        "(DATA_SOURCE_INACTIVE, DIRECTORY_DATA_SOURCE_NOT_FOUND).",
    )
    external_id: str | None = strawberry.field(
        default=None,
        description="The entry's key in its data source: 1 to 200 characters (REQUIRED, "
        "VALUE_TOO_LONG).",
    )
    display_name: str | None = strawberry.field(
        default=None, description="The name the list shows for the entry: 1 to 200 characters."
    )
    user_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Another user of this server (USER_NOT_FOUND; the caller itself: "
        "INVALID_CONTACT); the list shows the user's display name.",
    )

    def to_domain(self) -> NewContact:
        return NewContact(
            data_source_id=maybe_pk_of(self.data_source_id, "DirectoryDataSource", "dataSourceId"),
            external_id=self.external_id,
            display_name=self.display_name,
            user_id=maybe_pk_of(self.user_id, "User", "userId"),
        )
