"""Users: storage, uniqueness, cascades and the filtered page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.exc import IntegrityError

from domain.model import (
    ApiToken,
    AuditEvent,
    Contact,
    DirectoryDataSource,
    RelationshipLevel,
    SessionSubject,
    SignInSession,
    User,
    VoicemailPinState,
)
from domain.ports import AuditQuery, UserQuery
from persistence.unit_of_work import SqlAlchemyUnitOfWork

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

if TYPE_CHECKING:
    from tests.integration.conftest import Factory


async def test_user_round_trip(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow)
        group = await make.group(uow, location.id)
        colleague = await make.user(uow, location.id)
        user = User(
            login="j.doe",
            first_name="Jane",
            last_name="Doe",
            email="jane@example.com",
            work_phone="+49 30 1234",
            mobile_phone="+49 170 1",
            location_id=location.id,
            configuration_group_id=group.id,
            is_vip=True,
            blocked=True,
            password_hash="$argon2id$hash",
            password_change_required=True,
            voicemail_pin_hash="$argon2id$pin",
            voicemail_pin_state=VoicemailPinState.PENDING_DELIVERY,
            client_settings={"lang": "de", "n": 1.5},
            presence_settings={"dnd": False},
        )
        added = await uow.users.add(user)
        await uow.relationships.set(user.id, colleague.id, RelationshipLevel.ASSISTANT_PLUS)
        await uow.commit()
    assert added is user
    assert user.id > colleague.id
    async with uow:
        assert await uow.users.get(user.id) == user
        assert await uow.users.get_by_login("j.doe") == user
        assert await uow.users.get_by_login("J.DOE") is None
        assert await uow.users.get(user.id + 1000) is None
        assert await uow.relationships.own_for([user.id]) == {
            user.id: {colleague.id: RelationshipLevel.ASSISTANT_PLUS}
        }


async def test_user_update_leaves_relationships_alone(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        location = await make.location(uow)
        other = await make.user(uow, location.id)
        user = await make.user(uow, location.id)
        await uow.relationships.set(user.id, other.id, RelationshipLevel.BLOCKED)
        await uow.relationships.remove_all(user.id)
        user.first_name = "Changed"
        user.client_settings = {"x": [1]}
        user.voicemail_pin_state = VoicemailPinState.SET
        await uow.users.update(user)
        loaded = await uow.users.get(user.id)
        assert await uow.relationships.own_for([user.id]) == {}
        await uow.relationships.set(user.id, other.id, RelationshipLevel.EXTERNAL)
        user.last_name = "Again"
        await uow.users.update(user)
        assert await uow.relationships.own_for([user.id]) == {
            user.id: {other.id: RelationshipLevel.EXTERNAL}
        }
    assert loaded is not None
    assert loaded.first_name == "Changed"
    assert loaded.client_settings == {"x": [1]}
    assert loaded.voicemail_pin_state is VoicemailPinState.SET


async def test_get_many_and_own_for_are_one_statement_each(
    uow: SqlAlchemyUnitOfWork, make: Factory, count_statements: Any
) -> None:
    async with uow:
        location = await make.location(uow)
        users = [await make.user(uow, location.id) for _ in range(30)]
        for user in users[:10]:
            for target in users[20:25]:
                await uow.relationships.set(user.id, target.id, RelationshipLevel.EXTERNAL)
        ids = [u.id for u in users]
        with count_statements() as counter:
            many = await uow.users.get_many([*ids, *ids, 999_999])
        assert counter.count == 1
        with count_statements() as counter:
            own = await uow.relationships.own_for([*ids, *ids, 999_999])
        assert counter.count == 1
        assert await uow.users.get_many([]) == {}
    assert set(many) == set(ids)
    assert set(own) == {u.id for u in users[:10]}
    assert own[users[0].id] == dict.fromkeys(
        (t.id for t in users[20:25]), RelationshipLevel.EXTERNAL
    )
    assert users[15].id not in own


async def test_login_and_work_phone_are_unique(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow)
        user = await make.user(uow, location.id, login="taken", work_phone="100")
        await make.user(uow, location.id, work_phone=None)
        await make.user(uow, location.id, work_phone=None)
        assert await uow.users.login_taken("taken")
        assert not await uow.users.login_taken("taken", except_id=user.id)
        assert not await uow.users.login_taken("free")
        assert await uow.users.work_phone_taken("100")
        assert not await uow.users.work_phone_taken("100", except_id=user.id)
        assert not await uow.users.work_phone_taken("101")
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with uow:
            await make.user(uow, location.id, login="taken")
    with pytest.raises(IntegrityError):
        async with uow:
            await make.user(uow, location.id, work_phone="100")


async def test_deleting_a_user_cascades(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow)
        user = await make.user(uow, location.id)
        a, b, c = [await make.user(uow, location.id) for _ in range(3)]
        source = await uow.data_sources.add(DirectoryDataSource(name="LDAP"))
        await uow.relationships.set(user.id, a.id, RelationshipLevel.ASSISTANT)
        await uow.relationships.set(a.id, user.id, RelationshipLevel.BLOCKED)
        await uow.relationships.set(a.id, b.id, RelationshipLevel.BLOCKED)
        team = await make.team(uow, [user.id, a.id])
        await uow.contacts.add(Contact(owner_id=user.id, display_name="A", user_id=a.id))
        await uow.contacts.add(
            Contact(owner_id=user.id, display_name="X", data_source_id=source.id, external_id="x")
        )
        await uow.contacts.add(Contact(owner_id=b.id, display_name="U", user_id=user.id))
        await uow.contacts.add(Contact(owner_id=b.id, display_name="C", user_id=c.id))
        await uow.sessions.add(
            SignInSession(
                token_hash="s1",
                subject=SessionSubject.USER,
                subject_id=user.id,
                created_at=NOW,
                expires_at=NOW + timedelta(hours=1),
            )
        )
        admin = await make.admin(uow)
        await uow.api_tokens.add(
            ApiToken(name="t", owner_id=admin.id, token_hash="t1", created_at=NOW)
        )
        event = await uow.audit.add(
            AuditEvent(at=NOW, actor="admin", action="USER_RESET", target_user_id=user.id)
        )
        await uow.commit()
    async with uow:
        await uow.users.delete(user.id)
        await uow.commit()
    async with uow:
        assert await uow.users.get(user.id) is None
        assert await uow.relationships.own_for([user.id, a.id]) == {
            a.id: {b.id: RelationshipLevel.BLOCKED}
        }
        loaded_team = await uow.teams.get(team.id)
        assert loaded_team is not None
        assert loaded_team.member_ids == [a.id]
        contacts = await uow.contacts.for_owners([user.id, b.id])
        assert [x.display_name for x in contacts[b.id]] == ["C"]
        assert user.id not in contacts
        assert await uow.sessions.get_by_hash("s1") is None
        assert await uow.api_tokens.get_by_hash("t1") is not None
        page = await uow.audit.page(AuditQuery(), None, 10)
        assert [(e.id, e.target_user_id) for e in page.items] == [(event.id, None)]


# ---- page ----


async def _people(uow: SqlAlchemyUnitOfWork, make: Factory) -> dict[str, Any]:
    berlin = await make.location(uow, "Berlin")
    munich = await make.location(uow, "Munich")
    sales = await make.group(uow, berlin.id, "Sales")
    users = {
        "anna": await make.user(
            uow,
            berlin.id,
            "anna",
            first_name="Anna",
            last_name="Müller",
            email="anna@example.com",
            configuration_group_id=sales.id,
        ),
        "bob": await make.user(
            uow,
            berlin.id,
            "bob_smith",
            first_name="Bob",
            last_name="Smith",
            email="b.smith@example.com",
            is_vip=True,
        ),
        "carl": await make.user(
            uow,
            munich.id,
            "carl",
            first_name=None,
            last_name="100% Carl",
            email=None,
        ),
        "dora": await make.user(
            uow,
            munich.id,
            "dora",
            first_name="Dora",
            last_name="Back\\Slash",
            email="dora@example.org",
            configuration_group_id=None,
        ),
        "eve": await make.user(
            uow,
            berlin.id,
            "eve",
            first_name="Eve",
            last_name="Annabelle",
            email="eve@ØRSTED.example",
            is_vip=True,
        ),
    }
    team = await make.team(uow, [users["bob"].id, users["carl"].id])
    return {"berlin": berlin, "munich": munich, "sales": sales, "team": team, **users}


def _logins(page: Any) -> list[str]:
    return [user.login for user in page.items]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ANN", ["anna", "eve"]),  # login, first name, last name; any case
        ("anna müller", ["anna"]),  # display name
        ("MÜLLER", ["anna"]),  # beyond ASCII
        ("ørsted", ["eve"]),
        ("example.com", ["anna", "bob_smith"]),  # e-mail
        ("b_s", ["bob_smith"]),  # not "b.smith@…": _ is no wildcard
        ("%", ["carl"]),  # % is no wildcard
        ("0% c", ["carl"]),
        ("\\", ["dora"]),
        ("k\\s", ["dora"]),
        ("nobody", []),
    ],
)
async def test_page_search(
    uow: SqlAlchemyUnitOfWork, make: Factory, search: str, expected: list[str]
) -> None:
    async with uow:
        await _people(uow, make)
        page = await uow.users.page(UserQuery(search=search), None, 10)
    assert _logins(page) == expected
    assert page.total == len(expected)
    assert not page.has_next


async def test_page_underscore_is_literal(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow)
        await make.user(uow, location.id, "a_b")
        await make.user(uow, location.id, "axb")
        page = await uow.users.page(UserQuery(search="a_b"), None, 10)
    assert _logins(page) == ["a_b"]


async def test_page_filters_and_scope(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        p = await _people(uow, make)
        users = uow.users

        async def logins(query: UserQuery) -> list[str]:
            return _logins(await users.page(query, None, 10))

        assert await logins(UserQuery()) == ["anna", "bob_smith", "carl", "dora", "eve"]
        assert await logins(UserQuery(location_id=p["munich"].id)) == ["carl", "dora"]
        assert await logins(UserQuery(configuration_group_id=p["sales"].id)) == ["anna"]
        assert await logins(UserQuery(team_id=p["team"].id)) == ["bob_smith", "carl"]
        assert await logins(UserQuery(is_vip=True)) == ["bob_smith", "eve"]
        assert await logins(UserQuery(is_vip=False)) == ["anna", "carl", "dora"]
        assert await logins(UserQuery(location_ids=frozenset({p["munich"].id}))) == [
            "carl",
            "dora",
        ]
        assert await logins(UserQuery(location_ids=frozenset())) == []
        assert (
            await logins(
                UserQuery(location_ids=frozenset({p["munich"].id}), location_id=p["berlin"].id)
            )
            == []
        )
        assert await logins(
            UserQuery(search="a", is_vip=True, location_ids=frozenset({p["berlin"].id}))
        ) == ["bob_smith", "eve"]
        assert await logins(UserQuery(team_id=p["team"].id, search="carl")) == ["carl"]


async def test_page_keyset_pagination(
    uow: SqlAlchemyUnitOfWork, make: Factory, count_statements: Any
) -> None:
    async with uow:
        location = await make.location(uow)
        other = await make.location(uow)
        users = [await make.user(uow, location.id) for _ in range(7)]
        await make.user(uow, other.id)
        for target in users[1:]:
            await uow.relationships.set(users[0].id, target.id, RelationshipLevel.ASSISTANT)
        query = UserQuery(location_id=location.id)
        seen: list[int] = []
        after: int | None = None
        pages = 0
        while True:
            with count_statements() as counter:
                page = await uow.users.page(query, after, 3)
            assert counter.count <= 2
            pages += 1
            assert page.total == 7
            seen += [u.id for u in page.items]
            if not page.has_next:
                break
            after = page.items[-1].id
        assert pages == 3
        assert seen == [u.id for u in users]
        first = await uow.users.page(query, None, 3)
        assert await uow.relationships.own_for([u.id for u in first.items]) == {
            users[0].id: dict.fromkeys((u.id for u in users[1:]), RelationshipLevel.ASSISTANT)
        }
        exact = await uow.users.page(query, None, 7)
        assert (len(exact.items), exact.has_next) == (7, False)
        none = await uow.users.page(query, None, 0)
        assert (none.items, none.has_next, none.total) == ([], True, 7)
        with pytest.raises(ValueError, match="negative"):
            await uow.users.page(query, None, -1)
