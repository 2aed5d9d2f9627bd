"""The users' inputs, each turned into its domain command in one place."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.services import users as user_service
from domain.services.users import NewUser, UserChanges
from domain.unset import UNSET, Maybe
from gql.ids import maybe_pk_of, pk_of
from gql.inputs import change_field, given, kept_if_null
from gql.users import descriptions


@strawberry.input(description="Narrows a list of users; every condition given must hold.")
class UserFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Matches login, first, last and display name and e-mail, case-insensitively.",
    )
    location_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the users of this location."
    )
    configuration_group_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the users of this configuration group."
    )
    team_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the members of this team."
    )
    is_vip: bool | None = strawberry.field(
        default=None, description="Only VIPs (true) or only the others (false)."
    )

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


Filter = Annotated[
    UserFilter | None,
    strawberry.argument(description="Narrows the list; every condition given must hold."),
]


@strawberry.input(description="A new user.")
class CreateUserInput:
    login: str = strawberry.field(description=descriptions.LOGIN + " (LOGIN_TAKEN)")
    last_name: str = strawberry.field(description=descriptions.LAST_NAME)
    location_id: strawberry.ID = strawberry.field(description="The user's location.")
    first_name: str | None = strawberry.field(default=None, description=descriptions.FIRST_NAME)
    email: str | None = strawberry.field(default=None, description=descriptions.EMAIL)
    work_phone: str | None = strawberry.field(default=None, description=descriptions.WORK_PHONE)
    mobile_phone: str | None = strawberry.field(default=None, description=descriptions.MOBILE_PHONE)
    configuration_group_id: strawberry.ID | None = strawberry.field(
        default=None, description="A configuration group of the user's location; null: none."
    )
    is_vip: bool = strawberry.field(
        default=False, description=descriptions.IS_VIP + " Default false."
    )
    password: str | None = strawberry.field(
        default=None,
        description="Optional initial password, checked against the location's policy "
        "(PASSWORD_POLICY; never the login). It is temporary, as with setUserPassword: the "
        "user must change it at the first sign-in (passwordChangeRequired). Null: the user "
        "cannot sign in until a password is set (setUserPassword or a reset).",
    )
    language: str | None = strawberry.field(default=None, description=descriptions.LANGUAGE)

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
            language=self.language,
        )


@strawberry.input(
    description="Changes to a user. An omitted field stays as it is; null clears firstName, "
    "email, the phones, configurationGroupId and language, and keeps lastName, locationId, "
    "isVip and blocked as they are."
)
class UpdateUserInput:
    id: strawberry.ID = strawberry.field(description="The user to change.")
    first_name: str | None = change_field(descriptions.FIRST_NAME)
    last_name: str | None = change_field(descriptions.LAST_NAME)
    email: str | None = change_field(descriptions.EMAIL)
    work_phone: str | None = change_field(descriptions.WORK_PHONE)
    mobile_phone: str | None = change_field(descriptions.MOBILE_PHONE)
    location_id: strawberry.ID | None = change_field(
        "Moves the user; its configuration group is dropped unless "
        "configurationGroupId names one of the new location."
    )
    configuration_group_id: strawberry.ID | None = change_field(
        "A configuration group of the user's location."
    )
    is_vip: bool | None = change_field(descriptions.IS_VIP)
    blocked: bool | None = change_field(descriptions.BLOCKED)
    language: str | None = change_field(descriptions.LANGUAGE)

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
            language=given(self.language),  # type: ignore[arg-type]
        )
