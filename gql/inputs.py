"""Input types, each turned into its domain command in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry
from strawberry.scalars import JSON

from domain import model
from domain.services.administrators import NewAdministrator
from domain.services.groups import NewConfigurationGroup
from domain.services.locations import LocationChanges, NewLocation
from domain.services.me import NewContact
from domain.services.teams import NewTeam, TeamChanges
from domain.services.users import NewUser, UserChanges
from domain.unset import UNSET, Maybe
from gql.enums import RelationshipLevel, RelationshipPolicy
from gql.ids import maybe_pk_of, pk_of

T = TypeVar("T")
R = TypeVar("R")


def _given(value: object) -> Maybe[object]:
    """Strawberry's UNSET (argument omitted) as the domain's UNSET."""
    return UNSET if value is strawberry.UNSET else value


@strawberry.input
class PasswordPolicyInput:
    min_length: int
    max_length: int
    require_uppercase: bool
    require_lowercase: bool
    require_digit: bool
    require_symbol: bool

    def to_domain(self) -> model.PasswordPolicy:
        return model.PasswordPolicy(
            min_length=self.min_length,
            max_length=self.max_length,
            require_uppercase=self.require_uppercase,
            require_lowercase=self.require_lowercase,
            require_digit=self.require_digit,
            require_symbol=self.require_symbol,
        )


@strawberry.input
class SettingInput:
    key: str
    value: JSON


def _setting_items(settings: list[SettingInput]) -> list[tuple[str, object]]:
    return [(s.key, s.value) for s in settings]


def _items(settings: list[SettingInput] | None) -> list[tuple[str, object]] | None:
    return None if settings is None else _setting_items(settings)


def _kept_if_null(value: T | None, convert: Callable[[T], R]) -> Maybe[R]:
    """Omitted, or null for an attribute that cannot be null: left as it is."""
    if value is None or value is strawberry.UNSET:
        return UNSET
    return convert(value)


@strawberry.input
class CreateLocationInput:
    name: str
    description: str | None = None
    password_policy: PasswordPolicyInput | None = strawberry.field(
        default=None, description="Omitted: the server's default policy."
    )
    default_relationship: RelationshipLevel = model.RelationshipLevel.EMPLOYEE
    relationship_policy: RelationshipPolicy = model.RelationshipPolicy.EXTEND_AND_RESTRICT
    client_settings: list[SettingInput] | None = None
    presence_settings: list[SettingInput] | None = None

    def to_domain(self) -> NewLocation:
        return NewLocation(
            name=self.name,
            description=self.description,
            password_policy=self.password_policy.to_domain() if self.password_policy else None,
            default_relationship=self.default_relationship,
            relationship_policy=self.relationship_policy,
            client_settings=_items(self.client_settings),
            presence_settings=_items(self.presence_settings),
        )


@strawberry.input
class UpdateLocationInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    password_policy: PasswordPolicyInput | None = strawberry.UNSET
    default_relationship: RelationshipLevel | None = strawberry.UNSET
    relationship_policy: RelationshipPolicy | None = strawberry.UNSET
    client_settings: list[SettingInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the whole list."
    )
    presence_settings: list[SettingInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the whole list."
    )

    def to_domain(self) -> LocationChanges:
        return LocationChanges(
            id=pk_of(self.id, "Location", "id"),
            name=_kept_if_null(self.name, str),
            description=_given(self.description),  # type: ignore[arg-type]
            password_policy=_kept_if_null(self.password_policy, PasswordPolicyInput.to_domain),
            default_relationship=_kept_if_null(self.default_relationship, model.RelationshipLevel),
            relationship_policy=_kept_if_null(self.relationship_policy, model.RelationshipPolicy),
            client_settings=_kept_if_null(self.client_settings, _setting_items),
            presence_settings=_kept_if_null(self.presence_settings, _setting_items),
        )


@strawberry.input
class CreateConfigurationGroupInput:
    location_id: strawberry.ID
    name: str
    description: str | None = None
    default_relationship: RelationshipLevel | None = None
    client_settings: list[SettingInput] | None = None
    presence_settings: list[SettingInput] | None = None

    def to_domain(self) -> NewConfigurationGroup:
        return NewConfigurationGroup(
            location_id=pk_of(self.location_id, "Location", "locationId"),
            name=self.name,
            description=self.description,
            default_relationship=self.default_relationship,
            client_settings=_items(self.client_settings),
            presence_settings=_items(self.presence_settings),
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
        location = _kept_if_null(self.location_id, lambda i: pk_of(i, "Location", "locationId"))
        return UserChanges(
            id=pk_of(self.id, "User", "id"),
            first_name=_given(self.first_name),  # type: ignore[arg-type]
            last_name=_kept_if_null(self.last_name, str),
            email=_given(self.email),  # type: ignore[arg-type]
            work_phone=_given(self.work_phone),  # type: ignore[arg-type]
            mobile_phone=_given(self.mobile_phone),  # type: ignore[arg-type]
            location_id=location,
            configuration_group_id=group,
            is_vip=_kept_if_null(self.is_vip, bool),
            blocked=_kept_if_null(self.blocked, bool),
        )


@strawberry.input
class CreateTeamInput:
    name: str
    member_ids: list[strawberry.ID]
    description: str | None = None
    relationship: RelationshipLevel = model.RelationshipLevel.TEAM_COLLEAGUE

    def to_domain(self) -> NewTeam:
        return NewTeam(
            name=self.name,
            member_ids=[
                pk_of(m, "User", "memberIds", str(i)) for i, m in enumerate(self.member_ids)
            ],
            relationship=self.relationship,
            description=self.description,
        )


@strawberry.input
class UpdateTeamInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    relationship: RelationshipLevel | None = strawberry.UNSET
    member_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces the member list; at least one member must remain.",
    )

    def to_domain(self) -> TeamChanges:
        members: Maybe[list[int]] = UNSET
        if self.member_ids is not strawberry.UNSET and self.member_ids is not None:
            members = [pk_of(m, "User", "memberIds", str(i)) for i, m in enumerate(self.member_ids)]
        return TeamChanges(
            id=pk_of(self.id, "Team", "id"),
            name=_kept_if_null(self.name, str),
            description=_given(self.description),  # type: ignore[arg-type]
            relationship=_kept_if_null(self.relationship, model.RelationshipLevel),
            member_ids=members,
        )


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
        return NewAdministrator(
            login=self.login,
            password=self.password,
            last_name=self.last_name,
            first_name=self.first_name,
            email=self.email,
            location_ids=[
                pk_of(i, "Location", "locationIds", str(n)) for n, i in enumerate(self.location_ids)
            ],
        )


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
