"""The Team type: a team and its members."""

from __future__ import annotations

import strawberry

from domain import model
from gql.context import Info
from gql.enums import RelationshipLevel
from gql.ids import to_global_id
from gql.relay import Node
from gql.teams import descriptions
from gql.users.types import User


@strawberry.type(description=descriptions.TEAM)
class Team(Node):
    name: str = strawberry.field(description=descriptions.NAME)
    description: str | None = strawberry.field(description=descriptions.DESCRIPTION)
    relationship: RelationshipLevel = strawberry.field(description=descriptions.RELATIONSHIP)
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

    @strawberry.field(description=descriptions.MEMBERS)
    async def members(self, info: Info) -> list[User]:
        loaders = info.context.loaders
        member_pks = self.member_pks
        if member_pks is None:
            member_pks = await loaders.member_ids_by_team_id.load(self.pk)
        users = await loaders.user_by_id.load_many(member_pks)
        return [User.from_domain(u) for u in users if u is not None]
