"""The User type and what only a user has: its relationships and contacts, and the
users connection every users field returns.

A user reaches its location, configuration group and teams, whose areas reach
users in turn and so import this module: those types are named through
``strawberry.lazy`` here, and their classes are looked up the same way when a
field is resolved, never at import time.

Scalar fields are plain attributes filled by ``from_domain`` (the cheapest
way through Strawberry); fields that reach other entities go through the
request's DataLoaders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import strawberry
from strawberry.types.lazy_type import LazyType

from domain import model, visibility
from domain.rules import EffectiveRelationship, effective_settings, mail_language
from domain.services import users as user_service
from domain.services.paging import PageRequest
from domain.services.registry import Services
from gql.context import Context, Info
from gql.directory.types import DirectoryDataSource
from gql.enums import RelationshipLevel, RelationshipSource, VoicemailPinState
from gql.ids import pk_of, to_cursor, to_global_id
from gql.locations.values import Setting
from gql.relay import NOT_COUNTED, Connection, Edge, Node, Paging, page_info
from gql.users import descriptions
from gql.users.deliveries import MailDelivery
from gql.users.inputs import UserFilter

if TYPE_CHECKING:
    from gql.locations.types import ConfigurationGroup, Location
    from gql.teams.types import Team

LOCATIONS = "gql.locations.types"
TEAMS = "gql.teams.types"
# The two kinds of settings a location, a group and a user each have.
SettingsKind = Literal["client_settings", "presence_settings"]

TargetUserId = Annotated[
    strawberry.ID, strawberry.argument(description=descriptions.RELATIONSHIP_TARGET)
]


def _type_in(module: str, name: str) -> Any:
    """The class behind a ``strawberry.lazy`` reference, for a resolver to make one."""
    return LazyType(name, module).resolve_type()


@strawberry.type(description=descriptions.RELATIONSHIP)
class Relationship:
    target: User = strawberry.field(description="The user this relationship points at.")
    level: RelationshipLevel = strawberry.field(description=descriptions.RELATIONSHIP_LEVEL)
    source: RelationshipSource = strawberry.field(description=descriptions.RELATIONSHIP_SOURCE)

    @classmethod
    def from_domain(cls, rel: EffectiveRelationship, target: model.User) -> Relationship:
        return cls(target=User.from_domain(target), level=rel.level, source=rel.source)


@strawberry.type(description=descriptions.CONTACT)
class Contact:
    id: strawberry.ID = strawberry.field(description=descriptions.CONTACT_ID)
    display_name: str = strawberry.field(description=descriptions.CONTACT_DISPLAY_NAME)
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


@strawberry.type(description=descriptions.USER)
class User(Node):
    login: str = strawberry.field(description=descriptions.LOGIN)
    first_name: str | None = strawberry.field(description=descriptions.FIRST_NAME)
    last_name: str = strawberry.field(description=descriptions.LAST_NAME)
    display_name: str = strawberry.field(description=descriptions.DISPLAY_NAME)
    email: str | None = strawberry.field(description=descriptions.EMAIL)
    work_phone: str | None = strawberry.field(description=descriptions.WORK_PHONE)
    mobile_phone: str | None = strawberry.field(description=descriptions.MOBILE_PHONE)
    is_vip: bool = strawberry.field(description=descriptions.IS_VIP)
    blocked: bool = strawberry.field(description=descriptions.BLOCKED)
    password_change_required: bool = strawberry.field(
        description=descriptions.PASSWORD_CHANGE_REQUIRED
    )
    voicemail_pin_state: VoicemailPinState = strawberry.field(
        description=descriptions.VOICEMAIL_PIN_STATE
    )
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

    @strawberry.field(description=descriptions.LANGUAGE)
    def language(self) -> str | None:
        return self.entity.language

    @strawberry.field(description=descriptions.MAIL_LANGUAGE)
    async def mail_language(self, info: Info) -> str:
        location = await info.context.loaders.location_by_id.load(self.entity.location_id)
        default = info.context.services().config.default_language
        return mail_language(self.entity, location, default)

    def _private(self, info: Info) -> bool:
        """Whether the caller reads this user's private fields (the domain decides)."""
        return visibility.sees_private(info.context.principal, self.entity)

    async def _scope(self, info: Info) -> tuple[model.Location, model.ConfigurationGroup | None]:
        loaders = info.context.loaders
        location = await loaders.location_by_id.load(self.entity.location_id)
        assert location is not None
        group_id = self.entity.configuration_group_id
        group = None if group_id is None else await loaders.group_by_id.load(group_id)
        return location, group

    @strawberry.field(description=descriptions.LOCATION)
    async def location(self, info: Info) -> Annotated[Location, strawberry.lazy(LOCATIONS)]:
        location = await info.context.loaders.location_of_user.load(self.entity)
        location_type: type[Location] = _type_in(LOCATIONS, "Location")
        return location_type.from_domain(location)

    @strawberry.field(description=descriptions.CONFIGURATION_GROUP)
    async def configuration_group(
        self, info: Info
    ) -> Annotated[ConfigurationGroup, strawberry.lazy(LOCATIONS)] | None:
        group = await info.context.loaders.group_of_user.load(self.entity)
        group_type: type[ConfigurationGroup] = _type_in(LOCATIONS, "ConfigurationGroup")
        return None if group is None else group_type.from_domain(group)

    @strawberry.field(description=descriptions.TEAMS)
    async def teams(self, info: Info) -> list[Annotated[Team, strawberry.lazy(TEAMS)]]:
        teams = await info.context.loaders.teams_of_user.load(self.entity)
        team_type: type[Team] = _type_in(TEAMS, "Team")
        return [team_type.from_domain(t) for t in teams]

    @strawberry.field(description=descriptions.DEFAULT_RELATIONSHIP)
    async def default_relationship(self, info: Info) -> RelationshipLevel | None:
        return await info.context.loaders.default_relationship_of_user.load(self.entity)

    @strawberry.field(description=descriptions.RELATIONSHIPS)
    async def relationships(self, info: Info) -> list[Relationship]:
        if not self._private(info):
            return []
        found = await info.context.loaders.relationships_by_owner.load(self.entity)
        return [Relationship.from_domain(rel, target) for rel, target in found]

    @strawberry.field(description=descriptions.RELATIONSHIP_TO)
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

    async def _effective(self, info: Info, kind: SettingsKind) -> list[Setting]:
        """The settings of ``kind`` in effect: the location's, its group's, the user's own."""
        if not self._private(info):
            return []
        location, group = await self._scope(info)
        group_settings = getattr(group, kind) if group else None
        return Setting.list_of(
            effective_settings(getattr(location, kind), group_settings, getattr(self.entity, kind))
        )

    def _overrides(self, info: Info, kind: SettingsKind) -> list[Setting]:
        """The user's own settings of ``kind``, which override its group's and location's."""
        if not self._private(info):
            return []
        return Setting.list_of(getattr(self.entity, kind))

    @strawberry.field(description=descriptions.CLIENT_SETTINGS)
    async def client_settings(self, info: Info) -> list[Setting]:
        return await self._effective(info, "client_settings")

    @strawberry.field(description=descriptions.PRESENCE_SETTINGS)
    async def presence_settings(self, info: Info) -> list[Setting]:
        return await self._effective(info, "presence_settings")

    @strawberry.field(description=descriptions.CLIENT_SETTING_OVERRIDES)
    def client_setting_overrides(self, info: Info) -> list[Setting]:
        return self._overrides(info, "client_settings")

    @strawberry.field(description=descriptions.PRESENCE_SETTING_OVERRIDES)
    def presence_setting_overrides(self, info: Info) -> list[Setting]:
        return self._overrides(info, "presence_settings")

    @strawberry.field(description=descriptions.MAIL_DELIVERIES)
    async def mail_deliveries(self, info: Info) -> list[MailDelivery]:
        mails = await info.context.loaders.mails_to_user.load(self.entity)
        return [MailDelivery.from_domain(m) for m in mails]

    @strawberry.field(description=descriptions.CONTACTS)
    async def contacts(self, info: Info) -> list[Contact]:
        if not self._private(info):
            return []
        contacts = await info.context.loaders.contacts_by_owner_id.load(self.entity.id)
        return [Contact.from_domain(c) for c in contacts]


UserConnection = Connection[User]


def users_page_arguments(
    services: Services,
    paging: Paging,
    filter: UserFilter | None,
    *,
    location_id: int | None = None,
    group_id: int | None = None,
) -> tuple[PageRequest, user_service.UserFilter]:
    """A users field's arguments as the service takes them (INVALID_CURSOR,
    INVALID_PAGE_SIZE for what is not)."""
    request = paging.request(services)
    domain_filter = (filter or UserFilter()).to_domain(location_id=location_id, group_id=group_id)
    return request, domain_filter


async def users_connection(
    ctx: Context,
    services: Services,
    paging: Paging,
    filter: UserFilter | None,
    *,
    location_id: int | None = None,
    group_id: int | None = None,
    with_total: bool = True,
) -> UserConnection:
    request, domain_filter = users_page_arguments(
        services, paging, filter, location_id=location_id, group_id=group_id
    )
    page = await services.users.users_page(
        ctx.principal, request, domain_filter, with_total=with_total
    )
    pks = [u.id for u in page.items]
    return UserConnection(
        # Edge, not Edge[User]: calling the typing alias only records __orig_class__,
        # which nothing reads, and costs more than making the edge.
        edges=[Edge(cursor=to_cursor(u.id), node=User.from_domain(u)) for u in page.items],
        page_info=page_info(pks, page),
        total_count=NOT_COUNTED if page.total is None else page.total,
    )
