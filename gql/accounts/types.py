"""Administrators and the API tokens that carry their rights."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import model
from gql.context import Info
from gql.ids import to_global_id
from gql.locations.types import Location
from gql.relay import Node


@strawberry.type(
    description="A Web Administration account: a system administrator (no locations), who "
    "may act everywhere, or a sub-administrator limited to its locations."
)
class Administrator(Node):
    login: str = strawberry.field(description="The sign-in name, unique among administrators.")
    last_name: str = strawberry.field(description="Last name.")
    first_name: str | None = strawberry.field(description="First name, if given.")
    email: str | None = strawberry.field(description="E-mail address, if given.")
    blocked: bool = strawberry.field(
        description="Blocked: it cannot sign in, and its sessions and API tokens have ended."
    )
    password_change_required: bool = strawberry.field(
        description="Its password is a temporary one that another administrator chose: "
        "it must be changed at the next sign-in before anything else."
    )
    location_pks: strawberry.Private[list[int]]

    @classmethod
    def from_domain(cls, admin: model.Administrator) -> Administrator:
        return cls(
            id=strawberry.ID(to_global_id("Administrator", admin.id)),
            login=admin.login,
            last_name=admin.last_name,
            first_name=admin.first_name,
            email=admin.email,
            blocked=admin.blocked,
            password_change_required=admin.password_change_required,
            location_pks=sorted(admin.location_ids),
        )

    @strawberry.field(description="Empty for a system administrator.")
    async def locations(self, info: Info) -> list[Location]:
        found = await info.context.loaders.location_by_id.load_many(self.location_pks)
        return [Location.from_domain(loc) for loc in found if loc is not None]


@strawberry.type(
    description="A token for a partner integration or the voicemail server "
    "(Authorization: Bearer cat_...): it carries its owner's rights, but manages no "
    "administrators and no API tokens. Only its SHA-256 is stored."
)
class ApiToken(Node):
    name: str = strawberry.field(description="Its owner's name for it.")
    created_at: datetime = strawberry.field(description="When it was made (UTC).")
    last_used_at: datetime | None = strawberry.field(
        description="When it last authenticated a request (to the minute); null if never."
    )
    revoked_at: datetime | None = strawberry.field(
        description="When the token was revoked; null while it works."
    )
    owner_pk: strawberry.Private[int]

    @classmethod
    def from_domain(cls, token: model.ApiToken) -> ApiToken:
        return cls(
            id=strawberry.ID(to_global_id("ApiToken", token.id)),
            name=token.name,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
            owner_pk=token.owner_id,
        )

    @strawberry.field(description="The administrator whose rights the token carries.")
    async def owner(self, info: Info) -> Administrator:
        admin = await info.context.loaders.administrator_by_id.load(self.owner_pk)
        assert admin is not None
        return Administrator.from_domain(admin)


@strawberry.type(
    description="Who is calling: the administrator signed in, or the owner of the API token "
    "in use. The Web Administration's first question after the sign-in."
)
class Viewer:
    administrator: Administrator = strawberry.field(
        description="The administrator's account: login, names, e-mail and locations."
    )
    is_system_administrator: bool = strawberry.field(
        description="A system administrator (no locations: everywhere); false for a "
        "sub-administrator, limited to administrator.locations."
    )
    via_api_token: bool = strawberry.field(
        description="The request came with an API token, not a sign-in session: it manages "
        "no administrators and no API tokens."
    )
