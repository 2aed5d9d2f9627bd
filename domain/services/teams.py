"""Teams: workgroups whose members grant each other the team's level.

A sub-administrator sees a team when one of its members lives in the
sub-administrator's locations, sees only those members, and changes or
deletes only teams that lie wholly within its locations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import not_found
from domain.model import RelationshipLevel, Team
from domain.ports import UnitOfWork
from domain.principals import AdminPrincipal, Principal, require_admin
from domain.services.audit import AuditTrail
from domain.services.locations import changed_fields
from domain.services.validation import Problems
from domain.unset import UNSET, Maybe, is_set


@dataclass(frozen=True)
class NewTeam:
    name: str
    member_ids: list[int]
    relationship: RelationshipLevel = RelationshipLevel.TEAM_COLLEAGUE
    description: str | None = None


@dataclass(frozen=True)
class TeamChanges:
    id: int
    name: Maybe[str] = UNSET
    description: Maybe[str | None] = UNSET
    relationship: Maybe[RelationshipLevel] = UNSET
    member_ids: Maybe[list[int]] = UNSET


async def _members(
    uow: UnitOfWork, admin: AdminPrincipal, problems: Problems, member_ids: Iterable[int]
) -> list[int]:
    """The distinct member ids in order, each an existing user the admin may see."""
    ids = list(dict.fromkeys(member_ids))
    if not ids:
        problems.add(ErrorCode.TEAM_NEEDS_MEMBER, "A team keeps at least one member.", "memberIds")
        return ids
    users = await uow.users.get_many(ids)
    for index, user_id in enumerate(ids):
        user = users.get(user_id)
        if user is None or not visibility.sees_location(admin, user.location_id):
            problems.add(ErrorCode.USER_NOT_FOUND, "No such user.", "memberIds", str(index))
    return ids


async def _wholly_visible(uow: UnitOfWork, admin: AdminPrincipal, team: Team) -> bool:
    # A system administrator sees every member without reading them.
    members = {} if admin.is_system else await uow.users.get_many(team.member_ids)
    return visibility.sees_whole_team(admin, members.values())


@dataclass(frozen=True)
class Teams:
    """Teams."""

    uow: UnitOfWork
    audit: AuditTrail

    async def list_teams(self, actor: Principal) -> list[Team]:
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            teams = await uow.teams.list()
            if admin.is_system:
                return teams
            users = await uow.users.get_many({m for t in teams for m in t.member_ids})
        return [t for t in teams if visibility.sees_team(admin, t, users)]

    async def get_team(self, actor: Principal, team_id: int) -> Team:
        admin = require_admin(actor)
        async with self.uow.reading() as uow:
            team = await uow.teams.get(team_id)
            if team is None:
                raise not_found(ErrorCode.TEAM_NOT_FOUND)
            members = {} if admin.is_system else await uow.users.get_many(team.member_ids)
            if not visibility.sees_team(admin, team, members):
                raise not_found(ErrorCode.TEAM_NOT_FOUND)
        return team

    async def create_team(self, actor: Principal, new: NewTeam) -> Team:
        admin = require_admin(actor)
        problems = Problems()
        name = problems.required_name(new.name, "name")
        description = problems.optional_text(new.description, "description")
        async with self.uow as uow:
            member_ids = await _members(uow, admin, problems, new.member_ids)
            problems.raise_if_any()
            team = await uow.teams.add(
                Team(
                    name=name,
                    member_ids=member_ids,
                    relationship=new.relationship,
                    description=description,
                )
            )
            await self.audit.record_and_commit(
                uow, actor, "TEAM_CREATED", team_id=team.id, name=name, member_ids=member_ids
            )
        return team

    async def update_team(self, actor: Principal, changes: TeamChanges) -> Team:
        admin = require_admin(actor)
        problems = Problems()
        async with self.uow as uow:
            team = await uow.teams.get(changes.id)
            if team is None or not await _wholly_visible(uow, admin, team):
                raise not_found(ErrorCode.TEAM_NOT_FOUND, "id")
            updated = team
            if is_set(changes.name):
                updated = replace(updated, name=problems.required_name(changes.name, "name"))
            if is_set(changes.description):
                updated = replace(
                    updated, description=problems.optional_text(changes.description, "description")
                )
            if is_set(changes.relationship):
                updated = replace(updated, relationship=changes.relationship)
            if is_set(changes.member_ids):
                updated = replace(
                    updated, member_ids=await _members(uow, admin, problems, changes.member_ids)
                )
            problems.raise_if_any()
            await uow.teams.update(updated)
            await self.audit.record_and_commit(
                uow, actor, "TEAM_UPDATED", team_id=team.id, fields=changed_fields(changes)
            )
        return updated

    async def delete_team(self, actor: Principal, team_id: int) -> None:
        admin = require_admin(actor)
        async with self.uow as uow:
            team = await uow.teams.get(team_id)
            if team is None or not await _wholly_visible(uow, admin, team):
                raise not_found(ErrorCode.TEAM_NOT_FOUND, "id")
            await uow.teams.delete(team_id)
            await self.audit.record_and_commit(
                uow, actor, "TEAM_DELETED", team_id=team_id, name=team.name
            )
