"""Teams and their members."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.model import RelationshipLevel, Team, TeamInfo
from persistence.unit_of_work import SqlAlchemyUnitOfWork

if TYPE_CHECKING:
    from tests.integration.conftest import Factory


async def test_team_round_trip(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow)
        u1, _u2, u3 = [await make.user(uow, location.id) for _ in range(3)]
        team = await uow.teams.add(
            Team(
                name="Support",
                member_ids=[u3.id, u1.id, u3.id],
                relationship=RelationshipLevel.ASSISTANT,
                description="1st level",
            )
        )
        await uow.commit()
    assert team.id > 0
    async with uow:
        loaded = await uow.teams.get(team.id)
        assert await uow.teams.get(team.id + 1) is None
    assert loaded == Team(
        id=team.id,
        name="Support",
        member_ids=[u1.id, u3.id],
        relationship=RelationshipLevel.ASSISTANT,
        description="1st level",
    )


async def test_team_bulk_readers_are_one_statement(
    uow: SqlAlchemyUnitOfWork, make: Factory, count_statements: Any
) -> None:
    async with uow:
        location = await make.location(uow)
        u1, u2, u3, loner = [await make.user(uow, location.id) for _ in range(4)]
        a = await make.team(uow, [u1.id, u2.id])
        b = await make.team(uow, [u2.id, u3.id])
        c = await make.team(uow, [u3.id])
        with count_statements() as counter:
            many = await uow.teams.get_many([a.id, c.id, 999_999])
            members = await uow.teams.for_members([u1.id, u2.id, loner.id])
            listed = await uow.teams.list()
        assert counter.count == 3
    assert many == {a.id: a, c.id: c}
    assert members == {u1.id: [a], u2.id: [a, b]}
    # Teams found through one member still carry all their members.
    assert members[u2.id][1].member_ids == [u2.id, u3.id]
    assert listed == [a, b, c]
    async with uow:
        assert await uow.teams.get_many([]) == {}
        assert await uow.teams.for_members([]) == {}


async def test_team_infos_read_only_the_given_users_memberships(
    uow: SqlAlchemyUnitOfWork, make: Factory, count_statements: Any
) -> None:
    async with uow:
        location = await make.location(uow)
        u1, u2, u3, loner = [await make.user(uow, location.id) for _ in range(4)]
        a = await make.team(uow, [u1.id, u2.id, u3.id], name="Alpha")
        b = await make.team(uow, [u2.id, u3.id], name="Beta")
        with count_statements() as counter:
            infos = await uow.teams.infos_for_members([u1.id, u2.id, loner.id])
            members = await uow.teams.member_ids([b.id, a.id, 999_999])
        assert counter.count == 2
    assert infos == {
        u1.id: [TeamInfo(id=a.id, name="Alpha", relationship=a.relationship)],
        u2.id: [
            TeamInfo(id=a.id, name="Alpha", relationship=a.relationship),
            TeamInfo(id=b.id, name="Beta", relationship=b.relationship),
        ],
    }
    assert members == {a.id: [u1.id, u2.id, u3.id], b.id: [u2.id, u3.id]}
    async with uow:
        assert await uow.teams.infos_for_members([]) == {}
        assert await uow.teams.member_ids([]) == {}


async def test_team_update_and_delete(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow)
        u1, u2, u3 = [await make.user(uow, location.id) for _ in range(3)]
        team = await make.team(uow, [u1.id, u2.id])
        team.name = "Renamed"
        team.relationship = RelationshipLevel.EXTERNAL
        team.member_ids = [u3.id, u2.id]
        await uow.teams.update(team)
        loaded = await uow.teams.get(team.id)
        assert loaded is not None
        assert loaded.name == "Renamed"
        assert loaded.relationship is RelationshipLevel.EXTERNAL
        assert loaded.member_ids == [u2.id, u3.id]
        await uow.teams.delete(team.id)
        assert await uow.teams.get(team.id) is None
        assert await uow.teams.for_members([u2.id]) == {}
        # The users stay.
        assert set(await uow.users.get_many([u1.id, u2.id, u3.id])) == {u1.id, u2.id, u3.id}
