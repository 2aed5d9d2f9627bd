"""The object types that reach each other: a user's location, group, teams and
contacts, and from each of them back to users.

Strawberry reads a type's annotations in the module that defines it, so types in
a cycle share one module: split by area, they would import each other. The
areas' other types (gql/<area>/) stand below or above this module.

Scalar fields are plain attributes filled by ``from_domain`` (the cheapest
way through Strawberry); fields that reach other entities go through the
request's DataLoaders.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain import model
from domain.rules import (
    EffectiveRelationship,
    effective_settings,
)
from domain.services import users as user_service
from domain.services.paging import PageRequest, page_request
from domain.services.registry import Services
from domain.services.users import sees_private
from gql.context import Context, Info
from gql.directory.types import DirectoryDataSource
from gql.enums import (
    RelationshipLevel,
    RelationshipPolicy,
    RelationshipSource,
    VoicemailPinState,
)
from gql.ids import parse_cursor, pk_of, to_cursor, to_global_id
from gql.locations import descriptions as LD
from gql.locations.values import PasswordPolicy, Setting, settings_or_none
from gql.relay import NOT_COUNTED, After, Connection, Edge, Node, PageSize, page_info
from gql.teams import descriptions as TD
from gql.users import descriptions as UD
from gql.users.inputs import Filter, UserFilter

TargetUserId = Annotated[strawberry.ID, strawberry.argument(description=UD.RELATIONSHIP_TARGET)]


@strawberry.type(description=LD.LOCATION)
class Location(Node):
    name: str = strawberry.field(description=LD.NAME)
    description: str | None = strawberry.field(description=LD.DESCRIPTION)
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

    @strawberry.field(description=LD.LOCATION_DEFAULT_RELATIONSHIP)
    def default_relationship(self) -> RelationshipLevel:
        return self.entity.default_relationship

    @strawberry.field(description=LD.RELATIONSHIP_POLICY)
    def relationship_policy(self) -> RelationshipPolicy:
        return self.entity.relationship_policy

    @strawberry.field(description=LD.LOCATION_CLIENT_SETTINGS)
    def client_settings(self) -> list[Setting]:
        return Setting.list_of(self.entity.client_settings)

    @strawberry.field(description=LD.LOCATION_PRESENCE_SETTINGS)
    def presence_settings(self) -> list[Setting]:
        return Setting.list_of(self.entity.presence_settings)

    @strawberry.field(description=LD.CONFIGURATION_GROUPS)
    async def configuration_groups(self, info: Info) -> list[ConfigurationGroup]:
        groups = await info.context.loaders.groups_in_location.load(self.entity)
        return [ConfigurationGroup.from_domain(g) for g in groups]

    @strawberry.field(description=LD.LOCATION_USERS)
    async def users(
        self, info: Info, first: PageSize = None, after: After = None, filter: Filter = None
    ) -> UserConnection:
        return await users_connection(
            info.context, info.context.services(), first, after, filter, location_id=self.pk
        )


@strawberry.type(description=LD.GROUP)
class ConfigurationGroup(Node):
    name: str = strawberry.field(description=LD.GROUP_NAME)
    description: str | None = strawberry.field(description=LD.DESCRIPTION)
    default_relationship: RelationshipLevel | None = strawberry.field(
        description=LD.GROUP_DEFAULT_RELATIONSHIP
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
    @strawberry.field(description=LD.GROUP_CLIENT_SETTINGS)
    def client_settings(self) -> list[Setting] | None:
        return settings_or_none(self.entity.client_settings)

    @strawberry.field(description=LD.GROUP_PRESENCE_SETTINGS)
    def presence_settings(self) -> list[Setting] | None:
        return settings_or_none(self.entity.presence_settings)

    @strawberry.field(description=LD.GROUP_LOCATION)
    async def location(self, info: Info) -> Location:
        return Location.from_domain(await info.context.loaders.location_of_group.load(self.entity))

    @strawberry.field(description=LD.GROUP_USERS)
    async def users(
        self, info: Info, first: PageSize = None, after: After = None, filter: Filter = None
    ) -> UserConnection:
        return await users_connection(
            info.context, info.context.services(), first, after, filter, group_id=self.pk
        )


@strawberry.type(description=TD.TEAM)
class Team(Node):
    name: str = strawberry.field(description=TD.NAME)
    description: str | None = strawberry.field(description=TD.DESCRIPTION)
    relationship: RelationshipLevel = strawberry.field(description=TD.RELATIONSHIP)
    pk: strawberry.Private[int]
    # None when the team came without its member list (a user's teams): then
    # the members are loaded only if asked for.
    member_pks: strawberry.Private[list[int] | None]

    @classmethod
    def from_domain(cls, team: model.Team | model.TeamInfo) -> Team:
        """A team; a TeamInfo comes without members, which are loaded only if asked for."""
        return cls(
            id=strawberry.ID(to_global_id("Team", team.id)),
            pk=team.id,
            name=team.name,
            description=team.description,
            relationship=team.relationship,
            member_pks=team.member_ids if isinstance(team, model.Team) else None,
        )

    @strawberry.field(description=TD.MEMBERS)
    async def members(self, info: Info) -> list[User]:
        loaders = info.context.loaders
        member_pks = self.member_pks
        if member_pks is None:
            member_pks = await loaders.member_ids_by_team_id.load(self.pk)
        users = await loaders.user_by_id.load_many(member_pks)
        return [User.from_domain(u) for u in users if u is not None]


@strawberry.type(description=UD.RELATIONSHIP)
class Relationship:
    target: User = strawberry.field(description="The user this relationship points at.")
    level: RelationshipLevel = strawberry.field(description=UD.RELATIONSHIP_LEVEL)
    source: RelationshipSource = strawberry.field(description=UD.RELATIONSHIP_SOURCE)

    @classmethod
    def from_domain(cls, rel: EffectiveRelationship, target: model.User) -> Relationship:
        return cls(target=User.from_domain(target), level=rel.level, source=rel.source)


@strawberry.type(description=UD.CONTACT)
class Contact:
    id: strawberry.ID = strawberry.field(description=UD.CONTACT_ID)
    display_name: str = strawberry.field(description=UD.CONTACT_DISPLAY_NAME)
    data_source_pk: strawberry.Private[int | None]
    user_pk: strawberry.Private[int | None]

    @classmethod
    def from_domain(cls, contact: model.Contact) -> Contact:
        return cls(
            id=strawberry.ID(to_global_id("Contact", contact.id)),
            display_name=contact.display_name,
            data_source_pk=contact.data_source_id,
            user_pk=contact.user_id,
        )

    @strawberry.field(description="Null for a contact that is another user of this server.")
    async def data_source(self, info: Info) -> DirectoryDataSource | None:
        if self.data_source_pk is None:
            return None
        source = await info.context.loaders.data_source_by_id.load(self.data_source_pk)
        return None if source is None else DirectoryDataSource.from_domain(source)

    @strawberry.field(description="Set for a contact that is another user of this server.")
    async def user(self, info: Info) -> User | None:
        if self.user_pk is None:
            return None
        user = await info.context.loaders.user_by_id.load(self.user_pk)
        return None if user is None else User.from_domain(user)


@strawberry.type(description=UD.USER)
class User(Node):
    login: str = strawberry.field(description=UD.LOGIN)
    first_name: str | None = strawberry.field(description=UD.FIRST_NAME)
    last_name: str = strawberry.field(description=UD.LAST_NAME)
    display_name: str = strawberry.field(description=UD.DISPLAY_NAME)
    email: str | None = strawberry.field(description=UD.EMAIL)
    work_phone: str | None = strawberry.field(description=UD.WORK_PHONE)
    mobile_phone: str | None = strawberry.field(description=UD.MOBILE_PHONE)
    is_vip: bool = strawberry.field(description=UD.IS_VIP)
    blocked: bool = strawberry.field(description=UD.BLOCKED)
    password_change_required: bool = strawberry.field(description=UD.PASSWORD_CHANGE_REQUIRED)
    voicemail_pin_state: VoicemailPinState = strawberry.field(description=UD.VOICEMAIL_PIN_STATE)
    entity: strawberry.Private[model.User]

    @classmethod
    def from_domain(cls, user: model.User) -> User:
        return cls(
            id=strawberry.ID(to_global_id("User", user.id)),
            entity=user,
            login=user.login,
            first_name=user.first_name,
            last_name=user.last_name,
            display_name=user.display_name,
            email=user.email,
            work_phone=user.work_phone,
            mobile_phone=user.mobile_phone,
            is_vip=user.is_vip,
            blocked=user.blocked,
            password_change_required=user.password_change_required,
            voicemail_pin_state=user.voicemail_pin_state,
        )

    def _private(self, info: Info) -> bool:
        """Whether the caller reads this user's private fields (the domain decides)."""
        return sees_private(info.context.principal, self.entity)

    async def _scope(self, info: Info) -> tuple[model.Location, model.ConfigurationGroup | None]:
        loaders = info.context.loaders
        location = await loaders.location_by_id.load(self.entity.location_id)
        assert location is not None
        group_id = self.entity.configuration_group_id
        group = None if group_id is None else await loaders.group_by_id.load(group_id)
        return location, group

    @strawberry.field(description=UD.LOCATION)
    async def location(self, info: Info) -> Location:
        return Location.from_domain(await info.context.loaders.location_of_user.load(self.entity))

    @strawberry.field(description=UD.CONFIGURATION_GROUP)
    async def configuration_group(self, info: Info) -> ConfigurationGroup | None:
        group = await info.context.loaders.group_of_user.load(self.entity)
        return None if group is None else ConfigurationGroup.from_domain(group)

    @strawberry.field(description=UD.TEAMS)
    async def teams(self, info: Info) -> list[Team]:
        teams = await info.context.loaders.teams_of_user.load(self.entity)
        return [Team.from_domain(t) for t in teams]

    @strawberry.field(description=UD.DEFAULT_RELATIONSHIP)
    async def default_relationship(self, info: Info) -> RelationshipLevel | None:
        return await info.context.loaders.default_relationship_of_user.load(self.entity)

    @strawberry.field(description=UD.RELATIONSHIPS)
    async def relationships(self, info: Info) -> list[Relationship]:
        if not self._private(info):
            return []
        found = await info.context.loaders.relationships_by_owner.load(self.entity)
        return [Relationship.from_domain(rel, target) for rel, target in found]

    @strawberry.field(description=UD.RELATIONSHIP_TO)
    async def relationship_to(self, info: Info, user_id: TargetUserId) -> Relationship | None:
        if not self._private(info):
            return None
        try:
            target_pk = pk_of(user_id, "User")
        except Exception:
            return None
        found = await info.context.services().relationships.relationship_to(
            info.context.principal, self.entity, target_pk
        )
        return None if found is None else Relationship.from_domain(*found)

    @strawberry.field(description=UD.CLIENT_SETTINGS)
    async def client_settings(self, info: Info) -> list[Setting]:
        if not self._private(info):
            return []
        location, group = await self._scope(info)
        return Setting.list_of(
            effective_settings(
                location.client_settings,
                group.client_settings if group else None,
                self.entity.client_settings,
            )
        )

    @strawberry.field(description=UD.PRESENCE_SETTINGS)
    async def presence_settings(self, info: Info) -> list[Setting]:
        if not self._private(info):
            return []
        location, group = await self._scope(info)
        return Setting.list_of(
            effective_settings(
                location.presence_settings,
                group.presence_settings if group else None,
                self.entity.presence_settings,
            )
        )

    @strawberry.field(description=UD.CLIENT_SETTING_OVERRIDES)
    def client_setting_overrides(self, info: Info) -> list[Setting]:
        if not self._private(info):
            return []
        return Setting.list_of(self.entity.client_settings)

    @strawberry.field(description=UD.PRESENCE_SETTING_OVERRIDES)
    def presence_setting_overrides(self, info: Info) -> list[Setting]:
        if not self._private(info):
            return []
        return Setting.list_of(self.entity.presence_settings)

    @strawberry.field(description=UD.CONTACTS)
    async def contacts(self, info: Info) -> list[Contact]:
        if not self._private(info):
            return []
        contacts = await info.context.loaders.contacts_by_owner_id.load(self.entity.id)
        return [Contact.from_domain(c) for c in contacts]


UserConnection = Connection[User]


def users_page_arguments(
    services: Services,
    first: int | None,
    after: str | None,
    filter: UserFilter | None,
    *,
    location_id: int | None = None,
    group_id: int | None = None,
) -> tuple[PageRequest, user_service.UserFilter]:
    """A users field's arguments as the service takes them (INVALID_CURSOR,
    INVALID_PAGE_SIZE for what is not)."""
    request = page_request(services.config, first, parse_cursor(after))
    domain_filter = (filter or UserFilter()).to_domain(location_id=location_id, group_id=group_id)
    return request, domain_filter


async def users_connection(
    ctx: Context,
    services: Services,
    first: int | None,
    after: str | None,
    filter: UserFilter | None,
    *,
    location_id: int | None = None,
    group_id: int | None = None,
    with_total: bool = True,
) -> UserConnection:
    request, domain_filter = users_page_arguments(
        services, first, after, filter, location_id=location_id, group_id=group_id
    )
    after_pk = request.after_id
    page = await services.users.users_page(
        ctx.principal, request, domain_filter, with_total=with_total
    )
    pks = [u.id for u in page.items]
    return UserConnection(
        # Edge, not Edge[User]: calling the typing alias only records __orig_class__,
        # which nothing reads, and costs more than making the edge.
        edges=[Edge(cursor=to_cursor(u.id), node=User.from_domain(u)) for u in page.items],
        page_info=page_info(pks, page, after_pk),
        total_count=NOT_COUNTED if page.total is None else page.total,
    )
