"""Teams: at least one member remains; members must exist."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.model import RelationshipLevel
from domain.services.teams import (
    NewTeam,
    TeamChanges,
)
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import ROOT


def codes(error: DomainError) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(p.code, p.field) for p in error.problems]


class TestCreateTeam:
    async def test_members_are_stored_once_each(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        ben = await given.user(services, "ben", loc.id)

        team = await services.teams.create_team(
            ROOT,
            NewTeam(
                name="Ops",
                member_ids=[ben.id, anna.id, ben.id],
                relationship=RelationshipLevel.ASSISTANT,
            ),
        )

        stored = services.uow.data.teams[team.id]
        assert sorted(stored.member_ids) == [anna.id, ben.id]
        assert stored.relationship is RelationshipLevel.ASSISTANT

    async def test_team_needs_a_member(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as raised:
            await services.teams.create_team(ROOT, NewTeam(name="Empty", member_ids=[]))

        assert codes(raised.value) == [("TEAM_NEEDS_MEMBER", ("memberIds",))]

    async def test_unknown_members_are_named_by_index(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)

        with pytest.raises(DomainError) as raised:
            await services.teams.create_team(
                ROOT, NewTeam(name="Ops", member_ids=[anna.id, 40, 41])
            )

        assert codes(raised.value) == [
            ("USER_NOT_FOUND", ("memberIds", "1")),
            ("USER_NOT_FOUND", ("memberIds", "2")),
        ]
        assert services.uow.data.teams == {}


class TestUpdateTeam:
    async def test_removing_every_member_is_refused(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        team = await given.team(services, [anna.id])

        with pytest.raises(DomainError) as raised:
            await services.teams.update_team(ROOT, TeamChanges(id=team.id, member_ids=[]))

        assert codes(raised.value) == [("TEAM_NEEDS_MEMBER", ("memberIds",))]
        assert services.uow.data.teams[team.id].member_ids == [anna.id]

    async def test_replaces_members_and_level(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        ben = await given.user(services, "ben", loc.id)
        team = await given.team(services, [anna.id])

        await services.teams.update_team(
            ROOT,
            TeamChanges(id=team.id, member_ids=[ben.id], relationship=RelationshipLevel.FORWARDER),
        )

        stored = services.uow.data.teams[team.id]
        assert (stored.member_ids, stored.relationship) == ([ben.id], RelationshipLevel.FORWARDER)

    async def test_unknown_member_is_refused(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        team = await given.team(services, [anna.id])

        with pytest.raises(DomainError) as raised:
            await services.teams.update_team(ROOT, TeamChanges(id=team.id, member_ids=[anna.id, 9]))

        assert codes(raised.value) == [("USER_NOT_FOUND", ("memberIds", "1"))]

    async def test_unknown_team_is_not_found(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as raised:
            await services.teams.update_team(ROOT, TeamChanges(id=9, name="X"))

        assert codes(raised.value) == [("TEAM_NOT_FOUND", ("id",))]


class TestDeleteTeam:
    async def test_deletes_the_team_but_not_its_members(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        team = await given.team(services, [anna.id])

        await services.teams.delete_team(ROOT, team.id)

        assert services.uow.data.teams == {}
        assert anna.id in services.uow.data.users


class TestListTeams:
    async def test_lists_by_name(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        await given.team(services, [anna.id], name="Zulu")
        await given.team(services, [anna.id], name="Alpha")

        assert [t.name for t in await services.teams.list_teams(ROOT)] == ["Alpha", "Zulu"]


class TestInputLimits:
    async def test_an_overlong_description_is_refused_with_its_field(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        with pytest.raises(DomainError) as refused:
            await services.teams.create_team(
                ROOT, NewTeam(name="T", member_ids=[anna.id], description="x" * 2001)
            )
        assert [(p.code, p.field) for p in refused.value.problems] == [
            ("VALUE_TOO_LONG", ("description",))
        ]
