"""Teams with their members."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, String, cast, delete, func, select, update

from domain.model import RelationshipLevel, Team, TeamInfo
from persistence.repositories._base import ByIds, Executor, distinct_ids, grouped, row_values
from persistence.tables import team_members, teams


def _select_teams(*where: ColumnElement[bool]) -> Select[Any]:
    """Teams with their members (one row per member), by name."""
    return (
        select(teams, team_members.c.user_id.label("member_id"))
        .select_from(teams.outerjoin(team_members, team_members.c.team_id == teams.c.id))
        .where(*where)
        .order_by(teams.c.name, teams.c.id, team_members.c.user_id)
    )


def _teams_from(rows: Iterable[Row[Any]]) -> list[Team]:
    found: dict[int, Team] = {}
    for row in rows:
        team = found.get(row.id)
        if team is None:
            team = found[row.id] = Team(
                id=row.id,
                name=row.name,
                description=row.description,
                relationship=RelationshipLevel[row.relationship],
                member_ids=[],
            )
        if row.member_id is not None:
            team.member_ids.append(row.member_id)
    return list(found.values())


def _team_values(team: Team) -> dict[str, Any]:
    return row_values(team, teams, relationship=team.relationship.name)


_LEVELS = dict(RelationshipLevel.__members__)

# A page of users reads its members' teams with every request: each team once (a
# few hundred), with those of the given users who are its members, comma-separated
# (string_agg on PostgreSQL, group_concat on SQLite), rather than one row per
# membership repeating the team.
_TEAMS_OF_MEMBERS = ByIds.of(
    team_members.c.user_id,
    lambda where: (
        select(
            teams.c.id,
            teams.c.name,
            teams.c.description,
            teams.c.relationship,
            func.aggregate_strings(cast(team_members.c.user_id, String), ","),
        )
        .select_from(team_members.join(teams, teams.c.id == team_members.c.team_id))
        .where(where)
        .group_by(teams.c.id, teams.c.name, teams.c.description, teams.c.relationship)
        .order_by(teams.c.name, teams.c.id)
    ),
)


class SqlTeamRepository:
    """Teams carry all their ``member_ids`` (ascending); every reader is one statement."""

    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def _teams(self, *where: ColumnElement[bool]) -> list[Team]:
        return _teams_from(await self._ex.execute(_select_teams(*where)))

    async def get(self, team_id: int) -> Team | None:
        found = await self._teams(teams.c.id == team_id)
        return found[0] if found else None

    async def get_many(self, ids: Iterable[int]) -> dict[int, Team]:
        wanted = distinct_ids(ids)
        if not wanted:
            return {}
        return {team.id: team for team in await self._teams(teams.c.id.in_(wanted))}

    async def list(self) -> list[Team]:
        return await self._teams()

    async def for_members(self, user_ids: Iterable[int]) -> dict[int, builtins.list[Team]]:
        """The teams of each given user, by name (users without a team are absent)."""
        wanted = distinct_ids(user_ids)
        if not wanted:
            return {}
        their_teams = select(team_members.c.team_id).where(team_members.c.user_id.in_(wanted))
        found: dict[int, builtins.list[Team]] = {}
        requested = set(wanted)
        for team in await self._teams(teams.c.id.in_(their_teams)):
            for member in team.member_ids:
                if member in requested:
                    found.setdefault(member, []).append(team)
        return found

    async def infos_for_members(
        self, user_ids: Iterable[int]
    ) -> dict[int, builtins.list[TeamInfo]]:
        wanted = distinct_ids(user_ids)
        if not wanted:
            return {}
        rows = (await self._ex.execute_ids(_TEAMS_OF_MEMBERS, wanted)).all()
        found: dict[int, builtins.list[TeamInfo]] = {}
        for team_id, name, description, level, members in rows:
            info = TeamInfo(
                id=team_id, name=name, description=description, relationship=_LEVELS[level]
            )
            for user_id in map(int, members.split(",")):
                found.setdefault(user_id, []).append(info)
        return found

    async def member_ids(self, team_ids: Iterable[int]) -> dict[int, builtins.list[int]]:
        wanted = distinct_ids(team_ids)
        if not wanted:
            return {}
        stmt = (
            select(team_members.c.team_id, team_members.c.user_id)
            .where(team_members.c.team_id.in_(wanted))
            .order_by(team_members.c.team_id, team_members.c.user_id)
        )
        return grouped((row.team_id, row.user_id) for row in await self._ex.execute(stmt))

    async def add(self, team: Team) -> Team:
        team.id = await self._ex.insert_id(teams, _team_values(team))
        await self._insert_members(team.id, distinct_ids(team.member_ids))
        return team

    async def update(self, team: Team) -> None:
        """Stores the fields and makes the stored members equal ``member_ids``."""
        await self._ex.execute(
            update(teams).where(teams.c.id == team.id).values(_team_values(team))
        )
        members = distinct_ids(team.member_ids)
        await self._ex.execute(
            delete(team_members).where(
                team_members.c.team_id == team.id, team_members.c.user_id.not_in(members)
            )
        )
        stored = await self._ex.execute(
            select(team_members.c.user_id).where(team_members.c.team_id == team.id)
        )
        present = set(stored.scalars())
        await self._insert_members(team.id, [m for m in members if m not in present])

    async def delete(self, team_id: int) -> None:
        await self._ex.execute(delete(teams).where(teams.c.id == team_id))

    async def _insert_members(self, team_id: int, member_ids: builtins.list[int]) -> None:
        await self._ex.insert_many(
            team_members, [{"team_id": team_id, "user_id": member} for member in member_ids]
        )
