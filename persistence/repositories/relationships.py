"""The relationships users set themselves, towards other users."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    delete,
    select,
)

from domain.model import (
    RelationshipLevel,
)
from persistence.repositories._base import (
    ByIds,
    Executor,
    distinct_ids,
)
from persistence.tables import (
    user_relationships,
)
from persistence.upsert import upsert_into

_OWN_LEVELS = ByIds.of(
    user_relationships.c.owner_id,
    lambda owners: (
        select(
            user_relationships.c.owner_id,
            user_relationships.c.target_id,
            user_relationships.c.level,
        )
        .where(owners)
        .order_by(user_relationships.c.owner_id, user_relationships.c.target_id)
    ),
)


class SqlRelationshipRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def own_for(self, owner_ids: Iterable[int]) -> dict[int, dict[int, RelationshipLevel]]:
        """Each owner's own levels by target; owners that set none are absent."""
        wanted = distinct_ids(owner_ids)
        if not wanted:
            return {}
        found: dict[int, dict[int, RelationshipLevel]] = {}
        for row in await self._ex.execute_ids(_OWN_LEVELS, wanted):
            found.setdefault(row.owner_id, {})[row.target_id] = RelationshipLevel[row.level]
        return found

    async def set(self, owner_id: int, target_id: int, level: RelationshipLevel) -> None:
        values = {"owner_id": owner_id, "target_id": target_id, "level": level.name}
        insert_ = upsert_into(self._ex.dialect_name, user_relationships).values(values)
        await self._ex.execute(
            insert_.on_conflict_do_update(
                index_elements=[user_relationships.c.owner_id, user_relationships.c.target_id],
                set_={"level": insert_.excluded.level},
            )
        )

    async def remove_all(self, owner_id: int) -> int:
        return await self.remove_all_of([owner_id])

    async def remove_all_of(self, owner_ids: Iterable[int]) -> int:
        wanted = distinct_ids(owner_ids)
        if not wanted:
            return 0
        result = await self._ex.execute(
            delete(user_relationships).where(user_relationships.c.owner_id.in_(wanted))
        )
        return result.rowcount
