"""The Location and ConfigurationGroup types: a location's groups and a group's
location, the settings they give their users, and the users in each.

Scalar fields are plain attributes filled by ``from_domain``; fields that reach
other entities go through the request's DataLoaders.
"""

from __future__ import annotations

import strawberry

from domain import model
from gql.context import Info
from gql.enums import RelationshipLevel, RelationshipPolicy
from gql.ids import to_global_id
from gql.locations import descriptions
from gql.locations.values import PasswordPolicy, Setting, settings_or_none
from gql.relay import After, Before, LastSize, Node, PageSize, Paging
from gql.users.inputs import Filter
from gql.users.types import UserConnection, users_connection


@strawberry.type(description=descriptions.LOCATION)
class Location(Node):
    name: str = strawberry.field(description=descriptions.NAME)
    description: str | None = strawberry.field(description=descriptions.DESCRIPTION)
    pk: strawberry.Private[int]
    entity: strawberry.Private[model.Location]

    @classmethod
    def from_domain(cls, location: model.Location) -> Location:
        return cls(
            id=strawberry.ID(to_global_id("Location", location.id)),
            pk=location.id,
            entity=location,
            name=location.name,
            description=location.description,
        )

    # Made only when selected: a users page holds a location per user and shows
    # its name. Plain methods (no info): compiled execution calls them directly.
    @strawberry.field(description="The rules its users' passwords must meet.")
    def password_policy(self) -> PasswordPolicy:
        return PasswordPolicy.from_domain(self.entity.password_policy)

    @strawberry.field(description=descriptions.LOCATION_DEFAULT_RELATIONSHIP)
    def default_relationship(self) -> RelationshipLevel:
        return self.entity.default_relationship

    @strawberry.field(description=descriptions.RELATIONSHIP_POLICY)
    def relationship_policy(self) -> RelationshipPolicy:
        return self.entity.relationship_policy

    @strawberry.field(description=descriptions.LOCATION_CLIENT_SETTINGS)
    def client_settings(self) -> list[Setting]:
        return Setting.list_of(self.entity.client_settings)

    @strawberry.field(description=descriptions.LOCATION_PRESENCE_SETTINGS)
    def presence_settings(self) -> list[Setting]:
        return Setting.list_of(self.entity.presence_settings)

    @strawberry.field(description=descriptions.LOCATION_LANGUAGE)
    def language(self) -> str | None:
        return self.entity.language

    @strawberry.field(description=descriptions.SIGN_IN_HINT)
    def sign_in_hint(self) -> str | None:
        return self.entity.sign_in_hint

    @strawberry.field(description=descriptions.PASSWORD_LINK)
    def password_link(self) -> bool | None:
        return self.entity.password_link

    @strawberry.field(description=descriptions.FORGOT_PASSWORD)
    def forgot_password(self) -> bool | None:
        return self.entity.forgot_password

    @strawberry.field(description=descriptions.CONFIGURATION_GROUPS)
    async def configuration_groups(self, info: Info) -> list[ConfigurationGroup]:
        groups = await info.context.loaders.groups_in_location.load(self.entity)
        return [ConfigurationGroup.from_domain(g) for g in groups]

    @strawberry.field(description=descriptions.LOCATION_USERS)
    async def users(
        self,
        info: Info,
        first: PageSize = None,
        after: After = None,
        filter: Filter = None,
        last: LastSize = None,
        before: Before = None,
    ) -> UserConnection:
        return await users_connection(
            info.context,
            info.context.services(),
            Paging(first, after, last, before),
            filter,
            location_id=self.pk,
        )


@strawberry.type(description=descriptions.GROUP)
class ConfigurationGroup(Node):
    name: str = strawberry.field(description=descriptions.GROUP_NAME)
    description: str | None = strawberry.field(description=descriptions.DESCRIPTION)
    default_relationship: RelationshipLevel | None = strawberry.field(
        description=descriptions.GROUP_DEFAULT_RELATIONSHIP
    )
    pk: strawberry.Private[int]
    location_pk: strawberry.Private[int]
    entity: strawberry.Private[model.ConfigurationGroup]

    @classmethod
    def from_domain(cls, group: model.ConfigurationGroup) -> ConfigurationGroup:
        return cls(
            id=strawberry.ID(to_global_id("ConfigurationGroup", group.id)),
            pk=group.id,
            location_pk=group.location_id,
            entity=group,
            name=group.name,
            description=group.description,
            default_relationship=group.default_relationship,
        )

    # Made only when selected (see Location).
    @strawberry.field(description=descriptions.GROUP_CLIENT_SETTINGS)
    def client_settings(self) -> list[Setting] | None:
        return settings_or_none(self.entity.client_settings)

    @strawberry.field(description=descriptions.GROUP_PRESENCE_SETTINGS)
    def presence_settings(self) -> list[Setting] | None:
        return settings_or_none(self.entity.presence_settings)

    @strawberry.field(description=descriptions.GROUP_LOCATION)
    async def location(self, info: Info) -> Location:
        return Location.from_domain(await info.context.loaders.location_of_group.load(self.entity))

    @strawberry.field(description=descriptions.GROUP_USERS)
    async def users(
        self,
        info: Info,
        first: PageSize = None,
        after: After = None,
        filter: Filter = None,
        last: LastSize = None,
        before: Before = None,
    ) -> UserConnection:
        return await users_connection(
            info.context,
            info.context.services(),
            Paging(first, after, last, before),
            filter,
            group_id=self.pk,
        )
