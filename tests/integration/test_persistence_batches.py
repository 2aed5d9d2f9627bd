"""The repositories' set-based writes and reads: one statement for many rows (resets)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from domain.model import (
    AuditEvent,
    Contact,
    DirectoryDataSource,
    MailKind,
    OutgoingMail,
    RelationshipLevel,
    SessionSubject,
    SignInSession,
    VoicemailPinState,
)
from domain.ports import AuditQuery
from persistence.unit_of_work import SqlAlchemyUnitOfWork

if TYPE_CHECKING:
    from tests.integration.conftest import Factory

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def test_users_are_locked_read_and_updated_together(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        loc = await make.location(uow)
        anna = await make.user(uow, loc.id, client_settings={"k": 1})
        ben = await make.user(uow, loc.id, presence_settings={"p": 2})
        carl = await make.user(uow, loc.id)
        await uow.commit()
    async with uow:
        found = await uow.users.get_many([ben.id, anna.id, 4242], for_update=True)
        assert sorted(found) == sorted([anna.id, ben.id])
        await uow.users.update_many(
            [
                replace(found[anna.id], client_settings={}, email="anna@example.com"),
                replace(found[ben.id], voicemail_pin_state=VoicemailPinState.PENDING_DELIVERY),
            ]
        )
        await uow.users.update_many([])
        await uow.commit()
    async with uow.reading() as reading:
        stored = await reading.users.get_many([anna.id, ben.id, carl.id])
    assert (stored[anna.id].client_settings, stored[anna.id].email) == ({}, "anna@example.com")
    assert stored[ben.id].voicemail_pin_state is VoicemailPinState.PENDING_DELIVERY
    assert stored[ben.id].presence_settings == {"p": 2}
    assert stored[carl.id] == carl


async def test_relationships_contacts_and_sessions_of_several_owners(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        loc = await make.location(uow)
        a, b, c = [await make.user(uow, loc.id) for _ in range(3)]
        source = await uow.data_sources.add(DirectoryDataSource(name="CRM", active=False))
        for owner in (a, b, c):
            await uow.relationships.set(owner.id, a.id if owner is not a else b.id,
                                        RelationshipLevel.ASSISTANT)  # fmt: skip
            await uow.contacts.add(
                Contact(owner_id=owner.id, display_name="Old", data_source_id=source.id,
                        external_id=str(owner.id))
            )  # fmt: skip
            await uow.sessions.add(
                SignInSession(token_hash=f"h{owner.id}", subject=SessionSubject.USER,
                              subject_id=owner.id, created_at=NOW,
                              expires_at=NOW + timedelta(hours=1))
            )  # fmt: skip
        await uow.commit()
    async with uow:
        stale = await uow.contacts.from_inactive_sources_of([b.id, a.id])
        assert sorted(x.owner_id for x in stale) == sorted([a.id, b.id])
        assert await uow.relationships.remove_all_of([a.id, b.id, a.id]) == 2
        assert await uow.sessions.delete_for_all(SessionSubject.USER, [a.id, b.id]) == 2
        assert await uow.relationships.remove_all_of([]) == 0
        assert await uow.sessions.delete_for_all(SessionSubject.USER, []) == 0
        await uow.commit()
    async with uow.reading() as reading:
        assert set(await reading.relationships.own_for([a.id, b.id, c.id])) == {c.id}
        assert await reading.sessions.get_by_hash(f"h{c.id}") is not None
        assert await reading.sessions.get_by_hash(f"h{a.id}") is None


async def test_audit_events_and_mails_are_added_together(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        loc = await make.location(uow)
        user = await make.user(uow, loc.id, email="u@example.com")
        await uow.audit.add_many(
            [
                AuditEvent(at=NOW, actor="root", action="USER_RESET", target_user_id=user.id,
                           location_id=loc.id, details={"n": n})
                for n in range(3)
            ]
        )  # fmt: skip
        await uow.outbox.add_many(
            [
                OutgoingMail(kind=MailKind.PASSWORD, recipient="u@example.com",
                             message_id=f"<{n}@example.com>", created_at=NOW,
                             next_attempt_at=NOW, target_user_id=user.id)
                for n in range(2)
            ]
        )  # fmt: skip
        await uow.audit.add_many([])
        await uow.outbox.add_many([])
        await uow.commit()
    async with uow:
        page = await uow.audit.page(AuditQuery(target_user_id=user.id), None, 10)
        claimed = await uow.outbox.claim_due(NOW, NOW + timedelta(minutes=1), 10, token="test")
    assert sorted(e.details["n"] for e in page.items) == [0, 1, 2]  # type: ignore[type-var]
    assert sorted(m.message_id for m in claimed) == ["<0@example.com>", "<1@example.com>"]
