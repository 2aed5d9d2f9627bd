"""The administrators' input, turned into its domain command in one place."""

from __future__ import annotations

import dataclasses

import strawberry

from domain.services.administrators import NewAdministrator
from gql.ids import pk_of


@strawberry.input
class CreateAdministratorInput:
    login: str
    password: str
    last_name: str
    first_name: str | None = None
    email: str | None = None
    location_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description=(
            "Empty: a system administrator, who may act everywhere. Otherwise a "
            "sub-administrator limited to these locations."
        ),
    )

    def to_domain(self) -> NewAdministrator:
        location_ids = [
            pk_of(i, "Location", "locationIds", str(n)) for n, i in enumerate(self.location_ids)
        ]
        # The other fields are the command's, one by one.
        return NewAdministrator(**dataclasses.asdict(self) | {"location_ids": location_ids})
