"""Effective relationships and settings, resolved in bulk for pages of users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain import visibility
from domain.model import Settings, User
from domain.ports import UnitOfWork
from domain.principals import Principal
from domain.rules import (
    EffectiveRelationship,
    ScopeDefault,
    default_relationship,
    effective_relationship,
    effective_settings,
    listed_relationships,
    scope_default,
    team_levels,
)


async def scope_defaults(uow: UnitOfWork, users: Sequence[User]) -> dict[int, ScopeDefault | None]:
    locations = await uow.locations.get_many({u.location_id for u in users})
    groups = await uow.groups.get_many(
        {u.configuration_group_id for u in users if u.configuration_group_id is not None}
    )
    return {
        u.id: scope_default(
            u,
            locations[u.location_id],
            groups.get(u.configuration_group_id) if u.configuration_group_id else None,
        )
        for u in users
    }


async def default_towards(
    uow: UnitOfWork, owner: User, target: User
) -> EffectiveRelationship | None:
    """What applies to the pair when the owner sets nothing (for EXTEND_ONLY)."""
    default = (await scope_defaults(uow, [owner]))[owner.id]
    teams = (await uow.teams.for_members([owner.id])).get(owner.id, [])
    return default_relationship(owner, target, default, team_levels(owner, teams).get(target.id))


@dataclass(frozen=True)
class Relationships:
    """Relationships as a caller reads them."""

    uow: UnitOfWork

    async def default_relationships(self, users: Sequence[User]) -> dict[int, ScopeDefault | None]:
        async with self.uow.reading() as uow:
            return await scope_defaults(uow, users)

    async def relationships_of(
        self, actor: Principal, owners: Sequence[User]
    ) -> dict[int, list[tuple[EffectiveRelationship, User]]]:
        """For each owner, the relationships the GraphQL field ``User.relationships`` lists
        (see :func:`listed_relationships`), with their targets.

        A sub-administrator does not see targets outside its locations; a Connect Client
        user sees a colleague's directory entry.
        """
        owner_ids = [o.id for o in owners]
        async with self.uow.reading() as uow:
            defaults = await scope_defaults(uow, owners)
            own = await uow.relationships.own_for(owner_ids)
            teams = await uow.teams.for_members(owner_ids)
            target_ids = {t for rels in own.values() for t in rels} | {
                m for ts in teams.values() for team in ts for m in team.member_ids
            }
            targets = await uow.users.get_many(target_ids)
        result: dict[int, list[tuple[EffectiveRelationship, User]]] = {}
        for owner in owners:
            listed = listed_relationships(
                owner,
                default=defaults[owner.id],
                own=own.get(owner.id, {}),
                teams=teams.get(owner.id, []),
                target_location_ids={i: u.location_id for i, u in targets.items()},
            )
            result[owner.id] = [
                (rel, visibility.as_read_by(actor, targets[rel.target_id]))
                for rel in listed
                if rel.target_id in targets and visibility.sees_user(actor, targets[rel.target_id])
            ]
        return result

    async def relationship_to(
        self, actor: Principal, owner: User, target_id: int
    ) -> tuple[EffectiveRelationship, User] | None:
        async with self.uow.reading() as uow:
            target = await uow.users.get(target_id)
            if target is None or not visibility.sees_user(actor, target):
                return None
            default = (await scope_defaults(uow, [owner]))[owner.id]
            own = (await uow.relationships.own_for([owner.id])).get(owner.id, {})
            teams = (await uow.teams.for_members([owner.id])).get(owner.id, [])
        rel = effective_relationship(owner, target, default=default, own=own, teams=teams)
        return None if rel is None else (rel, visibility.as_read_by(actor, target))

    async def effective_settings_of(
        self, users: Sequence[User]
    ) -> dict[int, tuple[Settings, Settings]]:
        """(client, presence) effective settings per user."""
        async with self.uow.reading() as uow:
            locations = await uow.locations.get_many({u.location_id for u in users})
            groups = await uow.groups.get_many(
                {u.configuration_group_id for u in users if u.configuration_group_id is not None}
            )
        result: dict[int, tuple[Settings, Settings]] = {}
        for u in users:
            location = locations[u.location_id]
            group = groups.get(u.configuration_group_id) if u.configuration_group_id else None
            result[u.id] = (
                effective_settings(
                    location.client_settings,
                    group.client_settings if group else None,
                    u.client_settings,
                ),
                effective_settings(
                    location.presence_settings,
                    group.presence_settings if group else None,
                    u.presence_settings,
                ),
            )
        return result
