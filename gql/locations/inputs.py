"""The locations' and groups' inputs, each turned into its domain command in one place."""

from __future__ import annotations

import strawberry

from domain import model
from domain.services.groups import NewConfigurationGroup
from domain.services.locations import LocationChanges, NewLocation
from gql.enums import RelationshipLevel, RelationshipPolicy
from gql.ids import pk_of
from gql.inputs import given, kept_if_null
from gql.locations.values import (
    PasswordPolicyInput,
    SettingInput,
    setting_items,
    setting_items_or_none,
)


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
            client_settings=setting_items_or_none(self.client_settings),
            presence_settings=setting_items_or_none(self.presence_settings),
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
            name=kept_if_null(self.name, str),
            description=given(self.description),  # type: ignore[arg-type]
            password_policy=kept_if_null(self.password_policy, PasswordPolicyInput.to_domain),
            default_relationship=kept_if_null(self.default_relationship, model.RelationshipLevel),
            relationship_policy=kept_if_null(self.relationship_policy, model.RelationshipPolicy),
            client_settings=kept_if_null(self.client_settings, setting_items),
            presence_settings=kept_if_null(self.presence_settings, setting_items),
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
            client_settings=setting_items_or_none(self.client_settings),
            presence_settings=setting_items_or_none(self.presence_settings),
        )
