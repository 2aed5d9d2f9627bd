"""The users search through its index: the same answers as the search's meaning (a
case-insensitive substring of login, first, last or display name or e-mail), for
short searches the index cannot serve, beyond ASCII, and after users change."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.model import User
from domain.ports import UserQuery
from persistence.database import create_engine
from persistence.migrate import upgrade_async
from persistence.repositories import user_filters
from persistence.repositories import users as user_repository
from persistence.unit_of_work import SqlAlchemyUnitOfWork

if TYPE_CHECKING:
    from tests.integration.conftest import Factory

# (login, first name, last name, e-mail)
PEOPLE = [
    ("jmueller", "Jürgen", "Müller", "j.mueller@example.com"),
    ("ozdemir", "Özlem", "Özdemir", None),
    ("strauss", None, "Straße", "STRAUSS@Example.COM"),
    ("orsted", "Øyvind", "Ørsted", "oe@ørsted.example"),
    ("anna.k", "Anna", "Kowalská", "anna@example.org"),
    ("bo", "", "Bo", "b@x.io"),
    ("quote", "Say", 'The "Best"', "q@example.com"),
    ("pct", "Ten", "100% Sure", None),
    ("under_score", "Under", "Score", "under_score@example.com"),
    ("ÉMILE", "Émile", "Zola", "emile@example.fr"),
    ("obrien", "Seán", "O'Brien", "o'brien@example.ie"),
]

SEARCHES = [
    # one and two characters: no trigram, no index
    "a",
    "Ö",
    "ö",
    "ß",
    "_",
    "%",
    '"',
    "bo",
    "BO",
    "ü",
    "ll",
    "e@",
    " s",
    # three and more
    "müller",
    "MÜLLER",
    "jürgen müller",
    "ÖZDEMIR",
    "özlem öz",
    "straße",
    "STRASSE",
    "strauss@ex",
    "ørsted",
    "ØRSTED",
    "Øyvind ø",
    "kowalská",
    "KOWALSKÁ",
    "ska",
    '"best"',
    'the "',
    "100%",
    "0% s",
    "r_s",
    "under_",
    "example",
    ".com",
    "@example.",
    "émile",
    "ÉMILE zola",
    "emile",
    "nobody",
    "n bo",
    "say the",
    "'",
    "o'brien",
    "'; drop table users; --",
    "\\'",
    # across two fields: no match
    "müller j.mu",
    "jmueller jürgen",
    "zola emile@",
    "mueller\x1fjürgen",
]


def _display(first: str | None, last: str) -> str:
    return f"{first} {last}" if first else last


def _expected(search: str) -> list[str]:
    """The search's meaning, in Python."""
    wanted = search.lower()
    found = []
    for login, first, last, email in PEOPLE:
        fields = [login, first or "", last, _display(first, last), email or ""]
        if any(wanted in field.lower() for field in fields):
            found.append(login)
    return found


async def _add_people(uow: SqlAlchemyUnitOfWork, make: Factory) -> dict[str, User]:
    location = await make.location(uow)
    added = {}
    for login, first, last, email in PEOPLE:
        added[login] = await make.user(
            uow, location.id, login, first_name=first, last_name=last, email=email
        )
    return added


async def _found(uow: SqlAlchemyUnitOfWork, search: str) -> tuple[list[str], int | None]:
    page = await uow.users.page(UserQuery(search=search), None, 100)
    return [user.login for user in page.items], page.total


async def test_searches_answer_what_the_search_means(
    uow: SqlAlchemyUnitOfWork, make: Factory
) -> None:
    async with uow:
        await _add_people(uow, make)
        for search in SEARCHES:
            expected = _expected(search)
            assert await _found(uow, search) == (expected, len(expected)), search


async def test_the_index_follows_changes(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        people = await _add_people(uow, make)
        jurgen = people["jmueller"]
        jurgen.last_name = "Schäfer"
        jurgen.email = None
        await uow.users.update(jurgen)
        bo = people["bo"]
        bo.login = "bodil"
        bo.first_name = "Bodil"
        await uow.users.update_many([bo])
        await uow.users.delete(people["ozdemir"].id)
        await make.user(uow, jurgen.location_id, "newcomer", first_name="Zoë", last_name="Quist")
        await uow.commit()
    async with uow:
        assert await _found(uow, "müller") == ([], 0)
        assert await _found(uow, "mueller@") == ([], 0)
        assert await _found(uow, "jürgen schäfer") == (["jmueller"], 1)
        assert await _found(uow, "bodil bo") == (["bodil"], 1)
        assert await _found(uow, "özdemir") == ([], 0)
        assert await _found(uow, "zoë qu") == (["newcomer"], 1)
        assert await _found(uow, "ZOË") == (["newcomer"], 1)


async def test_pages_of_an_indexed_search(uow: SqlAlchemyUnitOfWork, make: Factory) -> None:
    async with uow:
        location = await make.location(uow)
        for n in range(12):
            await make.user(uow, location.id, f"member{n:02d}", last_name=f"Größe{n}")
        await make.user(uow, location.id, "other", last_name="Klein")
        seen: list[str] = []
        after = None
        while True:
            page = await uow.users.page(UserQuery(search="GRÖßE"), after, 5)
            assert page.total == 12
            seen += [user.login for user in page.items]
            if not page.has_next:
                break
            after = page.items[-1].id
    assert seen == [f"member{n:02d}" for n in range(12)]


async def _plan(connection: AsyncConnection, search: str) -> str:
    """The plan of a search's count (the page's walk in id order may pass the index by
    when the users are few)."""
    given, values = user_filters.criteria(UserQuery(search=search))
    statement = user_repository._count(given).params(values)
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    parameters = tuple(compiled.params[name] for name in compiled.positiontup or ())
    explain = "EXPLAIN " if connection.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    rows = await connection.exec_driver_sql(explain + str(compiled), parameters)
    return "\n".join(str(row) for row in rows)


@pytest.mark.parametrize(("search", "indexed"), [("müller", True), ("mü", False)])
async def test_the_index_serves_searches_of_three_characters(
    clean_database: AsyncEngine, search: str, indexed: bool
) -> None:
    """What the plan of a search reads: the index for three characters or more."""
    async with clean_database.connect() as connection:
        if connection.dialect.name == "postgresql":
            installed = await connection.scalar(
                text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
            )
            if not installed:
                pytest.skip("pg_trgm is not installed: searches read every user")
            # However few the users, the plan shows whether the index can serve.
            await connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = await _plan(connection, search)
            assert ("ix_users_search" in plan) is indexed, plan
        else:
            plan = await _plan(connection, search)
            assert ("VIRTUAL TABLE INDEX" in plan) is indexed, plan


async def test_the_migration_indexes_the_users_already_there(tmp_path: Path) -> None:
    """A database of the release before: its users are found through the new index."""
    url = f"sqlite:///{tmp_path / 'before.db'}"
    await upgrade_async(url, "0008")
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO locations (name, pw_min_length, pw_max_length, "
                    "pw_require_uppercase, pw_require_lowercase, pw_require_digit, "
                    "pw_require_symbol, default_relationship, relationship_policy, "
                    "client_settings, presence_settings) VALUES ('HQ', 12, 128, 1, 1, 1, 0, "
                    "'EMPLOYEE', 'EXTEND_AND_RESTRICT', '{}', '{}')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO users (login, first_name, last_name, location_id, is_vip, "
                    "blocked, password_change_required, voicemail_pin_state, client_settings, "
                    "presence_settings) VALUES ('jmueller', 'Jürgen', 'MÜLLER', 1, 0, 0, 0, "
                    "'NOT_SET', '{}', '{}')"
                )
            )
        await upgrade_async(url)
        async with SqlAlchemyUnitOfWork(engine) as uow:
            assert await _found(uow, "jürgen müller") == (["jmueller"], 1)
            assert await _found(uow, "nobody") == ([], 0)
    finally:
        await engine.dispose()
