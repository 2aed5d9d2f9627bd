"""The locations' and groups' inputs, each turned into its domain command in one place."""

from __future__ import annotations

import strawberry

from domain import model
from domain.services.groups import NewConfigurationGroup
from domain.services.locations import LocationChanges, NewLocation
from gql.enums import RelationshipLevel, RelationshipPolicy
from gql.ids import pk_of
from gql.inputs import given, kept_if_null
from gql.locations import descriptions as D
from gql.locations.values import (
    PasswordPolicyInput,
    SettingInput,
    setting_items,
    setting_items_or_none,
)


@strawberry.input(description="A new location.")
class CreateLocationInput:
    name: str = strawberry.field(description=D.NAME)
    description: str | None = strawberry.field(default=None, description=D.DESCRIPTION)
    password_policy: PasswordPolicyInput | None = strawberry.field(
        default=None,
        description="Omitted: the server's default policy (12 to 128 characters with an "
        "uppercase and a lowercase letter and a digit).",
    )
    default_relationship: RelationshipLevel = strawberry.field(
        default=model.RelationshipLevel.EMPLOYEE, description=D.LOCATION_DEFAULT_RELATIONSHIP
    )
    relationship_policy: RelationshipPolicy = strawberry.field(
        default=model.RelationshipPolicy.EXTEND_AND_RESTRICT, description=D.RELATIONSHIP_POLICY
    )
    client_settings: list[SettingInput] | None = strawberry.field(
        default=None, description=D.LOCATION_CLIENT_SETTINGS + " Omitted: none."
    )
    presence_settings: list[SettingInput] | None = strawberry.field(
        default=None, description=D.LOCATION_PRESENCE_SETTINGS + " Omitted: none."
    )

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


@strawberry.input(
    description="Changes to a location. An omitted field stays as it is, and so does a null "
    "one, but for description, which null clears."
)
class UpdateLocationInput:
    id: strawberry.ID = strawberry.field(description="The location to change.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description=D.NAME)
    description: str | None = strawberry.field(default=strawberry.UNSET, description=D.DESCRIPTION)
    password_policy: PasswordPolicyInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="The new policy, all rules at once; it applies to passwords set from now on.",
    )
    default_relationship: RelationshipLevel | None = strawberry.field(
        default=strawberry.UNSET, description=D.LOCATION_DEFAULT_RELATIONSHIP
    )
    relationship_policy: RelationshipPolicy | None = strawberry.field(
        default=strawberry.UNSET, description=D.RELATIONSHIP_POLICY
    )
    client_settings: list[SettingInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces the whole list of Connect Client defaults; [] empties it.",
    )
    presence_settings: list[SettingInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces the whole list of presence defaults; [] empties it.",
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


@strawberry.input(description="A new configuration group.")
class CreateConfigurationGroupInput:
    location_id: strawberry.ID = strawberry.field(description="The location it belongs to.")
    name: str = strawberry.field(description=D.GROUP_NAME)
    description: str | None = strawberry.field(default=None, description=D.DESCRIPTION)
    default_relationship: RelationshipLevel | None = strawberry.field(
        default=None, description=D.GROUP_DEFAULT_RELATIONSHIP
    )
    client_settings: list[SettingInput] | None = strawberry.field(
        default=None, description=D.GROUP_CLIENT_SETTINGS
    )
    presence_settings: list[SettingInput] | None = strawberry.field(
        default=None, description=D.GROUP_PRESENCE_SETTINGS
    )

    def to_domain(self) -> NewConfigurationGroup:
        return NewConfigurationGroup(
            location_id=pk_of(self.location_id, "Location", "locationId"),
            name=self.name,
            description=self.description,
            default_relationship=self.default_relationship,
            client_settings=setting_items_or_none(self.client_settings),
            presence_settings=setting_items_or_none(self.presence_settings),
        )
