"""The administrators' input, turned into its domain command in one place."""

from __future__ import annotations

import dataclasses

import strawberry

from domain.services.administrators import NewAdministrator
from gql.ids import pk_of


@strawberry.input(description="A new administrator.")
class CreateAdministratorInput:
    login: str = strawberry.field(
        description="1 to 64 characters: letters, digits and . _ @ - (INVALID_LOGIN); unique "
        "among administrators (LOGIN_TAKEN)."
    )
    password: str = strawberry.field(
        description="Must meet the server's default password policy: 12 to 128 characters "
        "with an uppercase and a lowercase letter and a digit, and not be or contain the "
        "login (PASSWORD_POLICY). Temporary: the new administrator changes it at the first "
        "sign-in."
    )
    last_name: str = strawberry.field(description="1 to 200 characters (REQUIRED).")
    first_name: str | None = strawberry.field(default=None, description="At most 200 characters.")
    email: str | None = strawberry.field(
        default=None,
        description="An e-mail address, at most 254 characters: ASCII before the @, an "
        "international domain kept in its ASCII form, xn--... (INVALID_EMAIL).",
    )
    location_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description=(
            "Empty: a system administrator, who may act everywhere. Otherwise a "
            "sub-administrator limited to these locations (LOCATION_NOT_FOUND)."
        ),
    )

    def to_domain(self) -> NewAdministrator:
        location_ids = [
            pk_of(i, "Location", "locationIds", str(n)) for n, i in enumerate(self.location_ids)
        ]
        # The other fields are the command's, one by one.
        return NewAdministrator(**dataclasses.asdict(self) | {"location_ids": location_ids})
