"""The users' inputs, each turned into its domain command in one place."""

from __future__ import annotations

import strawberry

from domain.services import users as user_service
from domain.services.users import NewUser, UserChanges
from domain.unset import UNSET, Maybe
from gql.ids import maybe_pk_of, pk_of
from gql.inputs import given, kept_if_null


@strawberry.input
class UserFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Matches login, first, last and display name and e-mail, case-insensitively.",
    )
    location_id: strawberry.ID | None = None
    configuration_group_id: strawberry.ID | None = None
    team_id: strawberry.ID | None = None
    is_vip: bool | None = None

    def to_domain(
        self, *, location_id: int | None = None, group_id: int | None = None
    ) -> user_service.UserFilter:
        """The filter; a location's or group's users are of that location or group."""
        return user_service.UserFilter(
            search=self.search,
            location_id=location_id
            if location_id is not None
            else maybe_pk_of(self.location_id, "Location", "filter", "locationId"),
            configuration_group_id=group_id
            if group_id is not None
            else maybe_pk_of(
                self.configuration_group_id, "ConfigurationGroup", "filter", "configurationGroupId"
            ),
            team_id=maybe_pk_of(self.team_id, "Team", "filter", "teamId"),
            is_vip=self.is_vip,
        )


@strawberry.input
class CreateUserInput:
    login: str
    last_name: str
    location_id: strawberry.ID
    first_name: str | None = None
    email: str | None = None
    work_phone: str | None = None
    mobile_phone: str | None = None
    configuration_group_id: strawberry.ID | None = None
    is_vip: bool = False
    password: str | None = strawberry.field(
        default=None,
        description="Optional initial password, checked against the location's policy.",
    )

    def to_domain(self) -> NewUser:
        return NewUser(
            login=self.login,
            last_name=self.last_name,
            location_id=pk_of(self.location_id, "Location", "locationId"),
            first_name=self.first_name,
            email=self.email,
            work_phone=self.work_phone,
            mobile_phone=self.mobile_phone,
            configuration_group_id=maybe_pk_of(
                self.configuration_group_id, "ConfigurationGroup", "configurationGroupId"
            ),
            is_vip=self.is_vip,
            password=self.password,
        )


@strawberry.input
class UpdateUserInput:
    id: strawberry.ID
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    work_phone: str | None = strawberry.UNSET
    mobile_phone: str | None = strawberry.UNSET
    location_id: strawberry.ID | None = strawberry.UNSET
    configuration_group_id: strawberry.ID | None = strawberry.UNSET
    is_vip: bool | None = strawberry.UNSET
    blocked: bool | None = strawberry.UNSET

    def to_domain(self) -> UserChanges:
        group: Maybe[int | None] = UNSET
        if self.configuration_group_id is not strawberry.UNSET:
            group = maybe_pk_of(
                self.configuration_group_id, "ConfigurationGroup", "configurationGroupId"
            )
        location = kept_if_null(self.location_id, lambda i: pk_of(i, "Location", "locationId"))
        return UserChanges(
            id=pk_of(self.id, "User", "id"),
            first_name=given(self.first_name),  # type: ignore[arg-type]
            last_name=kept_if_null(self.last_name, str),
            email=given(self.email),  # type: ignore[arg-type]
            work_phone=given(self.work_phone),  # type: ignore[arg-type]
            mobile_phone=given(self.mobile_phone),  # type: ignore[arg-type]
            location_id=location,
            configuration_group_id=group,
            is_vip=kept_if_null(self.is_vip, bool),
            blocked=kept_if_null(self.blocked, bool),
        )
