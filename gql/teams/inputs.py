"""The teams' inputs, each turned into its domain command in one place."""

from __future__ import annotations

import strawberry

from domain import model
from domain.services.teams import NewTeam, TeamChanges
from domain.unset import UNSET, Maybe
from gql.enums import RelationshipLevel
from gql.ids import pk_of
from gql.inputs import given, kept_if_null


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
            name=kept_if_null(self.name, str),
            description=given(self.description),  # type: ignore[arg-type]
            relationship=kept_if_null(self.relationship, model.RelationshipLevel),
            member_ids=members,
        )
