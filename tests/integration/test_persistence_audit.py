"""Audit events: newest first, scoped by the target user's location."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from domain.model import AuditEvent
from domain.ports import AuditQuery
from persistence.unit_of_work import SqlAlchemyUnitOfWork

if TYPE_CHECKING:
    from tests.integration.conftest import Factory

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def test_audit_round_trip(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow)
        user = await make.user(uow, location.id)
        event = await uow.audit.add(
            AuditEvent(
                at=NOW,
                actor="admin:root",
                action="USER_RESET",
                details={"options": ["setRandomPassword"], "dryRun": False},
                target_user_id=user.id,
            )
        )
        await uow.commit()
    assert event.id > 0
    async with uow:
        page = await uow.audit.page(AuditQuery(), None, 10)
    assert page.items == [event]
    assert page.items[0].at.tzinfo is UTC


async def test_audit_page_scoped_by_the_recorded_location_too(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        berlin, munich = await make.location(uow), await make.location(uow)
        anna = await make.user(uow, berlin.id)
        gone = await make.user(uow, berlin.id)
        moved = await make.user(uow, munich.id)
        for action, target, location in (
            ("USER_DELETED", None, berlin.id),
            ("ABOUT_ANNA", anna.id, None),
            ("MOVED", moved.id, berlin.id),
            ("TEAM", None, None),
            ("ABOUT_GONE", gone.id, berlin.id),
        ):
            await uow.audit.add(
                AuditEvent(
                    at=NOW, actor="a", action=action, target_user_id=target, location_id=location
                )
            )
        await uow.users.delete(gone.id)
        await uow.commit()
    async with uow:
        berlin_page = await uow.audit.page(
            AuditQuery(location_ids=frozenset({berlin.id})), None, 10
        )
        munich_page = await uow.audit.page(
            AuditQuery(location_ids=frozenset({munich.id})), None, 10
        )
    assert [(e.action, e.location_id) for e in berlin_page.items] == [
        ("ABOUT_GONE", berlin.id),
        ("MOVED", berlin.id),
        ("ABOUT_ANNA", None),
        ("USER_DELETED", berlin.id),
    ]
    assert berlin_page.total == 4
    assert berlin_page.items[0].target_user_id is None
    assert [e.action for e in munich_page.items] == ["MOVED"]


async def test_deleting_a_location_keeps_its_events(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        location = await make.location(uow)
        event = await uow.audit.add(
            AuditEvent(at=NOW, actor="a", action="LOCATION_UPDATED", location_id=location.id)
        )
        await uow.locations.delete(location.id)
        page = await uow.audit.page(AuditQuery(), None, 10)
    assert [(e.id, e.location_id) for e in page.items] == [(event.id, None)]


async def test_audit_page_newest_first_filtered_and_scoped(
    uow: SqlAlchemyUnitOfWork, make: Factory, count_statements: Any
) -> None:
    async with uow:
        berlin, munich = await make.location(uow), await make.location(uow)
        anna = await make.user(uow, berlin.id)
        carl = await make.user(uow, munich.id)
        events = []
        for n, target in enumerate([anna, carl, None, anna, carl, anna]):
            events.append(
                await uow.audit.add(
                    AuditEvent(
                        at=NOW + timedelta(seconds=n),
                        actor="a",
                        action=f"E{n}",
                        target_user_id=None if target is None else target.id,
                    )
                )
            )
        audit = uow.audit

        async def actions(
            query: AuditQuery, after: int | None = None, first: int = 10
        ) -> list[str]:
            return [e.action for e in (await audit.page(query, after, first)).items]

        assert await actions(AuditQuery()) == ["E5", "E4", "E3", "E2", "E1", "E0"]
        assert await actions(AuditQuery(target_user_id=anna.id)) == ["E5", "E3", "E0"]
        assert await actions(AuditQuery(location_ids=frozenset({munich.id}))) == ["E4", "E1"]
        assert await actions(AuditQuery(location_ids=frozenset({berlin.id, munich.id}))) == [
            "E5",
            "E4",
            "E3",
            "E1",
            "E0",
        ]
        assert await actions(AuditQuery(location_ids=frozenset())) == []
        assert (
            await actions(AuditQuery(target_user_id=anna.id, location_ids=frozenset({munich.id})))
            == []
        )

        with count_statements() as counter:
            first = await audit.page(AuditQuery(), None, 4)
        assert counter.count <= 2
        assert ([e.action for e in first.items], first.has_next, first.total) == (
            ["E5", "E4", "E3", "E2"],
            True,
            6,
        )
        second = await audit.page(AuditQuery(), first.items[-1].id, 4)
        assert ([e.action for e in second.items], second.has_next, second.total) == (
            ["E1", "E0"],
            False,
            6,
        )
        with pytest.raises(ValueError, match="negative"):
            await audit.page(AuditQuery(), None, -1)
