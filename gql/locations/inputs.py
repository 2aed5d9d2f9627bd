"""The locations' and groups' inputs, each turned into its domain command in one place."""

from __future__ import annotations

import strawberry

from domain import model
from domain.services.groups import GroupChanges, NewConfigurationGroup
from domain.services.locations import LocationChanges, NewLocation
from domain.unset import UNSET, Maybe
from gql.enums import RelationshipLevel, RelationshipPolicy
from gql.ids import pk_of
from gql.inputs import change_field, given, kept_if_null
from gql.locations import descriptions
from gql.locations.values import (
    PasswordPolicyInput,
    SettingInput,
    setting_items,
    setting_items_or_none,
)


@strawberry.input(description="A new location.")
class CreateLocationInput:
    name: str = strawberry.field(description=descriptions.NAME)
    description: str | None = strawberry.field(default=None, description=descriptions.DESCRIPTION)
    password_policy: PasswordPolicyInput | None = strawberry.field(
        default=None,
        description="Omitted: the server's default policy (12 to 128 characters with an "
        "uppercase and a lowercase letter and a digit).",
    )
    default_relationship: RelationshipLevel = strawberry.field(
        default=model.RelationshipLevel.EMPLOYEE,
        description=descriptions.LOCATION_DEFAULT_RELATIONSHIP,
    )
    relationship_policy: RelationshipPolicy = strawberry.field(
        default=model.RelationshipPolicy.EXTEND_AND_RESTRICT,
        description=descriptions.RELATIONSHIP_POLICY,
    )
    client_settings: list[SettingInput] | None = strawberry.field(
        default=None, description=descriptions.LOCATION_CLIENT_SETTINGS + " Omitted: none."
    )
    presence_settings: list[SettingInput] | None = strawberry.field(
        default=None, description=descriptions.LOCATION_PRESENCE_SETTINGS + " Omitted: none."
    )
    language: str | None = strawberry.field(
        default=None, description=descriptions.LOCATION_LANGUAGE
    )
    sign_in_hint: str | None = strawberry.field(default=None, description=descriptions.SIGN_IN_HINT)

    def to_domain(self) -> NewLocation:
        return NewLocation(
            name=self.name,
            description=self.description,
            password_policy=self.password_policy.to_domain() if self.password_policy else None,
            default_relationship=self.default_relationship,
            relationship_policy=self.relationship_policy,
            client_settings=setting_items_or_none(self.client_settings),
            presence_settings=setting_items_or_none(self.presence_settings),
            language=self.language,
            sign_in_hint=self.sign_in_hint,
        )


@strawberry.input(
    description="Changes to a location. An omitted field stays as it is, and so does a null "
    "one, but for description, language and signInHint, which null clears."
)
class UpdateLocationInput:
    id: strawberry.ID = strawberry.field(description="The location to change.")
    name: str | None = change_field(descriptions.NAME)
    description: str | None = change_field(descriptions.DESCRIPTION)
    password_policy: PasswordPolicyInput | None = change_field(
        "The new policy, all rules at once; it applies to passwords set from now on."
    )
    default_relationship: RelationshipLevel | None = change_field(
        descriptions.LOCATION_DEFAULT_RELATIONSHIP
    )
    relationship_policy: RelationshipPolicy | None = change_field(descriptions.RELATIONSHIP_POLICY)
    client_settings: list[SettingInput] | None = change_field(
        "Replaces the whole list of Connect Client defaults; [] empties it."
    )
    presence_settings: list[SettingInput] | None = change_field(
        "Replaces the whole list of presence defaults; [] empties it."
    )
    language: str | None = change_field(descriptions.LOCATION_LANGUAGE)
    sign_in_hint: str | None = change_field(descriptions.SIGN_IN_HINT)
    password_link: bool | None = change_field(descriptions.PASSWORD_LINK)
    forgot_password: bool | None = change_field(descriptions.FORGOT_PASSWORD)

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
            language=given(self.language),  # type: ignore[arg-type]
            sign_in_hint=given(self.sign_in_hint),  # type: ignore[arg-type]
            password_link=given(self.password_link),  # type: ignore[arg-type]
            forgot_password=given(self.forgot_password),  # type: ignore[arg-type]
        )


@strawberry.input(description="A new configuration group.")
class CreateConfigurationGroupInput:
    location_id: strawberry.ID = strawberry.field(description="The location it belongs to.")
    name: str = strawberry.field(description=descriptions.GROUP_NAME)
    description: str | None = strawberry.field(default=None, description=descriptions.DESCRIPTION)
    default_relationship: RelationshipLevel | None = strawberry.field(
        default=None, description=descriptions.GROUP_DEFAULT_RELATIONSHIP
    )
    client_settings: list[SettingInput] | None = strawberry.field(
        default=None, description=descriptions.GROUP_CLIENT_SETTINGS
    )
    presence_settings: list[SettingInput] | None = strawberry.field(
        default=None, description=descriptions.GROUP_PRESENCE_SETTINGS
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


@strawberry.input(
    description="Changes to a configuration group: only the fields given change. Null for the "
    "relationship level or a settings list: Default (the location's applies); a value: "
    "Individual."
)
class UpdateConfigurationGroupInput:
    id: strawberry.ID = strawberry.field(description="The group to change.")
    name: str | None = change_field(descriptions.NAME)
    description: str | None = change_field(descriptions.DESCRIPTION)
    default_relationship: RelationshipLevel | None = change_field(
        descriptions.GROUP_DEFAULT_RELATIONSHIP
    )
    client_settings: list[SettingInput] | None = change_field(descriptions.GROUP_CLIENT_SETTINGS)
    presence_settings: list[SettingInput] | None = change_field(
        descriptions.GROUP_PRESENCE_SETTINGS
    )

    def to_domain(self) -> GroupChanges:
        level = self.default_relationship
        return GroupChanges(
            id=pk_of(self.id, "ConfigurationGroup", "id"),
            name=kept_if_null(self.name, str),
            description=given(self.description),  # type: ignore[arg-type]
            default_relationship=UNSET
            if level is strawberry.UNSET
            else None
            if level is None
            else model.RelationshipLevel(level),
            client_settings=_default_or_individual(self.client_settings),
            presence_settings=_default_or_individual(self.presence_settings),
        )


def _default_or_individual(
    settings: list[SettingInput] | None,
) -> Maybe[list[tuple[str, object]] | None]:
    """Omitted: unchanged; null: Default (the location's); a list: Individual."""
    if settings is strawberry.UNSET:
        return UNSET
    return setting_items_or_none(settings)
