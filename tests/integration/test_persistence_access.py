"""Directory data sources, administrators, API tokens, sessions, failed sign-ins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.exc import IntegrityError

from domain.model import (
    Administrator,
    ApiToken,
    DirectoryDataSource,
    SessionSubject,
    SignInFailure,
    SignInLockout,
    SignInSession,
)
from persistence.unit_of_work import SqlAlchemyUnitOfWork

if TYPE_CHECKING:
    from tests.integration.conftest import Factory

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def test_data_sources(uow: SqlAlchemyUnitOfWork, count_statements: Any) -> None:
    async with uow:
        b = await uow.data_sources.add(DirectoryDataSource(name="B", active=False))
        a = await uow.data_sources.add(DirectoryDataSource(name="A"))
        assert 0 < b.id < a.id
        assert await uow.data_sources.get(b.id) == b
        assert await uow.data_sources.get(a.id + 100) is None
        with count_statements() as counter:
            assert await uow.data_sources.get_many([a.id, b.id, a.id]) == {a.id: a, b.id: b}
        assert counter.count == 1
        assert await uow.data_sources.get_many([]) == {}
        assert await uow.data_sources.list() == [a, b]
        b.active = True
        b.name = "C"
        await uow.data_sources.update(b)
        assert await uow.data_sources.get(b.id) == b
        assert await uow.data_sources.name_taken("A")
        assert not await uow.data_sources.name_taken("B")
        with pytest.raises(IntegrityError):
            await uow.data_sources.add(DirectoryDataSource(name="A"))


async def test_administrators(
    uow: SqlAlchemyUnitOfWork, make: Factory, count_statements: Any
) -> None:
    async with uow:
        l1, l2 = await make.location(uow), await make.location(uow)
        system = await uow.administrators.add(
            Administrator(
                login="root", last_name="Root", password_hash="h", first_name="R", email="r@x"
            )
        )
        sub = await uow.administrators.add(
            Administrator(
                login="sub",
                last_name="Sub",
                password_hash="h2",
                location_ids=frozenset({l1.id, l2.id}),
                blocked=True,
            )
        )
        await uow.commit()
    async with uow:
        loaded_system = await uow.administrators.get(system.id)
        assert loaded_system == system
        assert loaded_system is not None
        assert loaded_system.is_system
        assert await uow.administrators.get_by_login("sub") == sub
        assert await uow.administrators.get_by_login("nobody") is None
        assert await uow.administrators.get(sub.id + 100) is None
        with count_statements() as counter:
            many = await uow.administrators.get_many([sub.id, system.id, 999])
        assert counter.count == 1
        assert many == {sub.id: sub, system.id: system}
        assert many[sub.id].location_ids == frozenset({l1.id, l2.id})
        assert await uow.administrators.get_many([]) == {}
        assert await uow.administrators.list() == [system, sub]
        assert await uow.administrators.login_taken("root")
        assert not await uow.administrators.login_taken("other")
        with pytest.raises(IntegrityError):
            await uow.administrators.add(
                Administrator(login="root", last_name="X", password_hash="h")
            )


async def test_api_tokens(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        admin = await make.admin(uow)
        token = await uow.api_tokens.add(
            ApiToken(name="Voicemail", owner_id=admin.id, token_hash="hash1", created_at=NOW)
        )
        assert token.id > 0
        assert await uow.api_tokens.get(token.id) == token
        assert await uow.api_tokens.get(token.id + 1) is None
        assert await uow.api_tokens.get_by_hash("hash1") == token
        assert await uow.api_tokens.get_by_hash("nope") is None
        token.last_used_at = NOW + timedelta(minutes=5)
        token.revoked_at = NOW + timedelta(days=1)
        await uow.api_tokens.update(token)
        loaded = await uow.api_tokens.get(token.id)
        assert loaded == token
        assert loaded is not None
        assert loaded.revoked_at is not None
        assert loaded.revoked_at.tzinfo is UTC
        with pytest.raises(IntegrityError):
            await uow.api_tokens.add(
                ApiToken(name="Dup", owner_id=admin.id, token_hash="hash1", created_at=NOW)
            )


def _session(
    token_hash: str, subject: SessionSubject, subject_id: int, hours: float
) -> SignInSession:
    return SignInSession(
        token_hash=token_hash,
        subject=subject,
        subject_id=subject_id,
        created_at=NOW,
        expires_at=NOW + timedelta(hours=hours),
    )


async def test_sessions(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow)
        user = await make.user(uow, location.id)
        admin = await make.admin(uow)
        sessions = uow.sessions
        u1 = await sessions.add(_session("u1", SessionSubject.USER, user.id, 1))
        await sessions.add(_session("u2", SessionSubject.USER, user.id, -1))
        a1 = await sessions.add(_session("a1", SessionSubject.ADMINISTRATOR, admin.id, 2))
        await sessions.add(_session("a2", SessionSubject.ADMINISTRATOR, admin.id, 3))
        assert u1.id > 0
        assert await sessions.get_by_hash("u1") == u1
        assert await sessions.get_by_hash("a1") == a1
        assert await sessions.get_by_hash("x") is None
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with uow:
            await uow.sessions.add(_session("u1", SessionSubject.USER, user.id, 1))
    async with uow:
        assert await uow.sessions.delete_expired(NOW) == 1
        assert await uow.sessions.get_by_hash("u2") is None
        assert await uow.sessions.delete_for(SessionSubject.ADMINISTRATOR, admin.id + 1000) == 0
        assert await uow.sessions.delete_for(SessionSubject.USER, user.id) == 1
        assert await uow.sessions.get_by_hash("u1") is None
        assert await uow.sessions.get_by_hash("a1") is not None
        assert await uow.sessions.delete_expired(NOW + timedelta(hours=2)) == 1
        assert await uow.sessions.get_by_hash("a2") is not None
        assert await uow.sessions.delete_for(SessionSubject.ADMINISTRATOR, admin.id) == 1


async def test_session_with_subject_reads_the_account_behind_it(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        one, two = await make.location(uow), await make.location(uow)
        user = await make.user(uow, one.id, email="u@example.com", is_vip=True)
        system = await make.admin(uow)
        scoped = await make.admin(uow, frozenset({one.id, two.id}), email="a@example.com")
        sessions = uow.sessions
        u = await sessions.add(_session("u", SessionSubject.USER, user.id, 1))
        s = await sessions.add(_session("s", SessionSubject.ADMINISTRATOR, system.id, 1))
        a = await sessions.add(_session("a", SessionSubject.ADMINISTRATOR, scoped.id, 1))
        await uow.commit()
    async with uow:
        assert await uow.sessions.get_with_subject("u") == (u, await uow.users.get(user.id))
        assert await uow.sessions.get_with_subject("s") == (s, system)
        found = await uow.sessions.get_with_subject("a")
        assert found == (a, await uow.administrators.get(scoped.id))
        assert found is not None
        assert found[1] is not None
        assert found[1].location_ids == {one.id, two.id}
        assert await uow.sessions.get_with_subject("nope") is None


async def test_session_of_unknown_subject_fails(uow: SqlAlchemyUnitOfWork) -> None:
    async with uow:
        with pytest.raises(IntegrityError):
            await uow.sessions.add(_session("x", SessionSubject.ADMINISTRATOR, 4242, 1))


async def test_deleting_an_administrator_ends_its_sessions_and_tokens(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        location = await make.location(uow)
        admin = await make.admin(uow, frozenset({location.id}))
        await uow.sessions.add(_session("a", SessionSubject.ADMINISTRATOR, admin.id, 1))
        await uow.api_tokens.add(
            ApiToken(name="t", owner_id=admin.id, token_hash="t", created_at=NOW)
        )
        await uow.administrators.delete(admin.id)
        assert await uow.administrators.get(admin.id) is None
        assert await uow.sessions.get_by_hash("a") is None
        assert await uow.api_tokens.get_by_hash("t") is None
        assert not await uow.locations.is_in_use(location.id)


async def test_sign_in_failures(uow: SqlAlchemyUnitOfWork) -> None:
    async with uow:
        attempts = uow.sign_in_attempts
        for minutes in (30, 10, 0, 20):
            at = NOW - timedelta(minutes=minutes)
            await attempts.record_failure("admin:root", "10.0.0.1", at)
        await attempts.record_failure("admin:root", "10.0.0.2", NOW)
        await attempts.record_failure("user:x", "10.0.0.1", NOW)
        since = await attempts.failures_since("admin:root", NOW - timedelta(minutes=20))
        assert [(f.at, f.client) for f in since] == [
            (NOW - timedelta(minutes=20), "10.0.0.1"),
            (NOW - timedelta(minutes=10), "10.0.0.1"),
            (NOW, "10.0.0.1"),
            (NOW, "10.0.0.2"),
        ]
        assert all(f.at.tzinfo is UTC for f in since)
        assert await attempts.failures_since("admin:root", NOW + timedelta(seconds=1)) == []
        await attempts.clear("admin:root", "10.0.0.1")
        assert await attempts.failures_since("admin:root", NOW - timedelta(days=1)) == [
            SignInFailure(NOW, "10.0.0.2")
        ]
        assert await attempts.failures_since("user:x", NOW) == [SignInFailure(NOW, "10.0.0.1")]


async def test_sign_in_lockouts(uow: SqlAlchemyUnitOfWork) -> None:
    async with uow:
        attempts = uow.sign_in_attempts
        first = SignInLockout("admin:root", "10.0.0.1", 1, NOW, NOW + timedelta(minutes=15))
        await attempts.put_lockout(first)
        assert await attempts.lockout("admin:root", "10.0.0.1") == first
        assert await attempts.lockout("admin:root", "10.0.0.2") is None
        again = SignInLockout("admin:root", "10.0.0.1", 2, NOW, NOW + timedelta(minutes=30))
        await attempts.put_lockout(again)
        assert await attempts.lockout("admin:root", "10.0.0.1") == again
        await attempts.put_lockout(SignInLockout("admin:root", "10.0.0.2", 1, NOW, NOW))
        await attempts.record_failure("admin:root", "10.0.0.3", NOW)
        assert await attempts.unlock("admin:root") == 2
        assert await attempts.lockout("admin:root", "10.0.0.1") is None
        assert await attempts.failures_since("admin:root", NOW - timedelta(days=1)) == []


async def test_purging_old_sign_in_failures(uow: SqlAlchemyUnitOfWork) -> None:
    async with uow:
        attempts = uow.sign_in_attempts
        for key, minutes in (("admin:root", 40), ("user:ghost", 31), ("user:ghost", 30), ("x", 0)):
            await attempts.record_failure(key, "", NOW - timedelta(minutes=minutes))
        ended = SignInLockout("x", "", 1, NOW - timedelta(days=2), NOW - timedelta(days=1))
        lasting = SignInLockout("y", "", 1, NOW, NOW)
        await attempts.put_lockout(ended)
        await attempts.put_lockout(lasting)
        cutoff = NOW - timedelta(minutes=30)
        assert await attempts.purge_before(cutoff, NOW - timedelta(hours=1)) == 2
        assert await attempts.failures_since("admin:root", NOW - timedelta(days=1)) == []
        assert await attempts.failures_since("user:ghost", NOW - timedelta(days=1)) == [
            SignInFailure(NOW - timedelta(minutes=30), "")
        ]
        assert await attempts.failures_since("x", NOW) == [SignInFailure(NOW, "")]
        assert await attempts.purge_before(cutoff, NOW - timedelta(hours=1)) == 0
        assert await attempts.lockout("x", "") is None
        assert await attempts.lockout("y", "") == lasting


async def test_ending_the_other_sessions_of_a_subject(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        location = await make.location(uow)
        user = await make.user(uow, location.id)
        other = await make.user(uow, location.id)
        admin = await make.admin(uow)
        keep = await uow.sessions.add(_session("keep", SessionSubject.USER, user.id, 1))
        await uow.sessions.add(_session("end1", SessionSubject.USER, user.id, 1))
        await uow.sessions.add(_session("end2", SessionSubject.USER, user.id, -1))
        await uow.sessions.add(_session("other", SessionSubject.USER, other.id, 1))
        await uow.sessions.add(_session("admin", SessionSubject.ADMINISTRATOR, admin.id, 1))

        assert await uow.sessions.delete_others(SessionSubject.USER, user.id, keep.id) == 2

        assert await uow.sessions.get_by_hash("keep") == keep
        assert await uow.sessions.get_by_hash("end1") is None
        assert await uow.sessions.get_by_hash("end2") is None
        assert await uow.sessions.get_by_hash("other") is not None
        assert await uow.sessions.get_by_hash("admin") is not None
        assert await uow.sessions.delete_others(SessionSubject.USER, user.id, None) == 1
        assert await uow.sessions.get_by_hash("keep") is None


async def test_listing_api_tokens(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        one, two = await make.admin(uow), await make.admin(uow)
        a = await uow.api_tokens.add(
            ApiToken(name="a", owner_id=one.id, token_hash="ha", created_at=NOW)
        )
        b = await uow.api_tokens.add(
            ApiToken(name="b", owner_id=two.id, token_hash="hb", created_at=NOW, revoked_at=NOW)
        )
        c = await uow.api_tokens.add(
            ApiToken(name="c", owner_id=one.id, token_hash="hc", created_at=NOW)
        )
        assert await uow.api_tokens.list() == [a, b, c]
        assert await uow.api_tokens.list(one.id) == [a, c]
        assert await uow.api_tokens.list(two.id) == [b]
        assert await uow.api_tokens.list(two.id + one.id + 1000) == []


async def test_blocking_and_locking_administrators(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        location = await make.location(uow)
        sub = await make.admin(uow, frozenset({location.id}))
        await uow.administrators.set_blocked(sub.id, True)
        await uow.commit()
    async with uow:
        # FOR UPDATE (of the administrators, not their outer-joined locations).
        locked = await uow.administrators.get(sub.id, for_update=True)
        assert locked is not None
        assert locked.blocked
        assert locked.location_ids == frozenset({location.id})
        assert await uow.administrators.list(for_update=True) == [locked]
        await uow.administrators.set_blocked(sub.id, False)
        unblocked = await uow.administrators.get(sub.id)
        assert unblocked is not None
        assert not unblocked.blocked


async def test_recording_use_and_revoking_all_tokens_of_an_owner(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        owner, other = await make.admin(uow), await make.admin(uow)
        tokens = uow.api_tokens
        old = await tokens.add(
            ApiToken(name="old", owner_id=owner.id, token_hash="o", created_at=NOW, revoked_at=NOW)
        )
        live = await tokens.add(
            ApiToken(name="live", owner_id=owner.id, token_hash="l", created_at=NOW)
        )
        kept = await tokens.add(
            ApiToken(name="kept", owner_id=other.id, token_hash="k", created_at=NOW)
        )
        later = NOW + timedelta(hours=1)

        assert await tokens.revoke_all(owner.id, later) == 1
        # A use recorded after a revocation (read before it) undoes nothing.
        await tokens.record_use(live.id, later + timedelta(minutes=1))

        assert [(t.name, t.revoked_at) for t in await tokens.list()] == [
            ("old", NOW),
            ("live", later),
            ("kept", None),
        ]
        stored = await tokens.get(live.id)
        assert stored is not None
        assert stored.last_used_at == later + timedelta(minutes=1)
        assert (await tokens.get(old.id), await tokens.get(kept.id)) == (old, kept)
