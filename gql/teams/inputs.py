"""The teams' inputs, each turned into its domain command in one place."""

from __future__ import annotations

import strawberry

from domain import model
from domain.services.teams import NewTeam, TeamChanges
from domain.unset import UNSET, Maybe
from gql.enums import RelationshipLevel
from gql.ids import pk_of
from gql.inputs import change_field, given, kept_if_null
from gql.teams import descriptions


@strawberry.input(description="A new team.")
class CreateTeamInput:
    name: str = strawberry.field(description=descriptions.NAME)
    member_ids: list[strawberry.ID] = strawberry.field(description=descriptions.MEMBER_IDS)
    description: str | None = strawberry.field(default=None, description=descriptions.DESCRIPTION)
    relationship: RelationshipLevel = strawberry.field(
        default=model.RelationshipLevel.TEAM_COLLEAGUE,
        description=descriptions.RELATIONSHIP + " TEAM_COLLEAGUE unless set.",
    )

    def to_domain(self) -> NewTeam:
        return NewTeam(
            name=self.name,
            member_ids=[
                pk_of(m, "User", "memberIds", str(i)) for i, m in enumerate(self.member_ids)
            ],
            relationship=self.relationship,
            description=self.description,
        )


@strawberry.input(
    description="Changes to a team. An omitted field stays as it is, and so does a null one, "
    "but for description, which null clears."
)
class UpdateTeamInput:
    id: strawberry.ID = strawberry.field(description="The team to change.")
    name: str | None = change_field(descriptions.NAME)
    description: str | None = change_field(descriptions.DESCRIPTION)
    relationship: RelationshipLevel | None = change_field(descriptions.RELATIONSHIP)
    member_ids: list[strawberry.ID] | None = change_field(
        "Replaces the member list; at least one member must remain. " + descriptions.MEMBER_IDS
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
