"""The locations' own mail texts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, delete, select

from domain.model import MailKind, MailTemplate
from persistence.repositories._base import Executor, distinct_ids
from persistence.tables import mail_templates
from persistence.upsert import upsert_into

_ORDER = (mail_templates.c.location_id, mail_templates.c.kind, mail_templates.c.language)


def _template(row: Row[Any]) -> MailTemplate:
    return MailTemplate(
        location_id=row.location_id,
        kind=MailKind[row.kind],
        language=row.language,
        subject=row.subject,
        html=row.html,
        text=row.text,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _key(location_id: int, kind: MailKind, language: str) -> Any:
    return (
        (mail_templates.c.location_id == location_id)
        & (mail_templates.c.kind == kind.name)
        & (mail_templates.c.language == language)
    )


class SqlMailTemplateRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def for_location(self, location_id: int) -> list[MailTemplate]:
        return await self.for_locations([location_id])

    async def for_locations(self, location_ids: Iterable[int]) -> list[MailTemplate]:
        wanted = distinct_ids(location_ids)
        if not wanted:
            return []
        stmt = (
            select(mail_templates).where(mail_templates.c.location_id.in_(wanted)).order_by(*_ORDER)
        )
        return [_template(row) for row in await self._ex.execute(stmt)]

    async def get(self, location_id: int, kind: MailKind, language: str) -> MailTemplate | None:
        stmt = select(mail_templates).where(_key(location_id, kind, language))
        return await self._ex.first(stmt, _template)

    async def save(self, template: MailTemplate) -> None:
        values = {
            "location_id": template.location_id,
            "kind": template.kind.name,
            "language": template.language,
            "subject": template.subject,
            "html": template.html,
            "text": template.text,
            "updated_at": template.updated_at,
            "updated_by": template.updated_by,
        }
        insert_ = upsert_into(self._ex.dialect_name, mail_templates).values(values)
        changed = ("subject", "html", "text", "updated_at", "updated_by")
        await self._ex.execute(
            insert_.on_conflict_do_update(
                index_elements=[
                    mail_templates.c.location_id,
                    mail_templates.c.kind,
                    mail_templates.c.language,
                ],
                set_={name: insert_.excluded[name] for name in changed},
            )
        )

    async def delete(self, location_id: int, kind: MailKind, language: str) -> bool:
        result = await self._ex.execute(
            delete(mail_templates).where(_key(location_id, kind, language))
        )
        return bool(getattr(result, "rowcount", 0))
