"""Throwaway benchmark database: the project's migrations, then Core bulk inserts.

Deterministic (``random.Random(seed)``): 20 locations, 100 configuration groups,
10,000 users, 300 teams with 3 to 7 teams per user, about 5 % VIPs, and own
client/presence settings, relationships and contacts on a tenth of the users; an
audit trail of their creation, of a change to every fifth user and of the contacts
added (16,000 events for 10,000 users).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from persistence.database import create_engine
from persistence.tables import (
    audit_events,
    configuration_groups,
    contacts,
    directory_data_sources,
    locations,
    team_members,
    teams,
    user_relationships,
    users,
)

LEVELS = [
    "BLOCKED", "UNKNOWN", "EXTERNAL", "FORWARDING_PARTICIPANT", "FORWARDER",
    "EMPLOYEE", "TEAM_COLLEAGUE", "ASSISTANT", "ASSISTANT_PLUS",
]  # fmt: skip
FIRST = [
    "Anna",
    "Bernd",
    "Clara",
    "Dieter",
    "Eva",
    "Frank",
    "Greta",
    "Hans",
    "Ida",
    "Jörg",
    "Karin",
    "Lars",
    "Mia",
    "Nils",
    "Olga",
    "Paul",
    "Rita",
    "Sven",
    "Tanja",
    "Uwe",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
]


@dataclass(frozen=True)
class Size:
    locations: int = 20
    groups: int = 100
    users: int = 10_000
    teams: int = 300


FULL = Size()
QUICK = Size(locations=20, groups=100, users=2_000, teams=60)


@dataclass
class Seeded:
    user_ids: list[int]
    with_own_data: list[int]  # users with own settings / relationships / contacts
    counts: dict[str, int]
    # Users with an e-mail address: a reset of theirs can mail (every fiftieth has none).
    with_email: list[int] = field(default_factory=list)


Rows = list[dict[str, object]]


def _rows(size: Size, rng: random.Random) -> dict[str, Rows]:
    # In this order: each takes its turn of the random numbers.
    locs = _location_rows(size, rng)
    groups = _group_rows(size, rng)
    user_rows, own = _user_rows(size, rng, groups)
    team_rows: Rows = [
        {"id": t, "name": f"Team {rng.randint(0, 999):03d}-{t}", "description": None,
         "relationship": rng.choice(LEVELS[3:9])}
        for t in range(1, size.teams + 1)
    ]  # fmt: skip
    member_rows: Rows = [
        {"team_id": t, "user_id": u}
        for u in range(1, size.users + 1)
        for t in rng.sample(range(1, size.teams + 1), rng.randint(3, 7))
    ]
    rel_rows = [
        {"owner_id": u, "target_id": target, "level": rng.choice(LEVELS)}
        for u in own
        for target in rng.sample(range(1, size.users + 1), 6)
        if target != u
    ]
    sources = [{"id": 1, "name": "Exchange", "active": True},
               {"id": 2, "name": "Old LDAP", "active": False}]  # fmt: skip
    contact_rows: Rows = [
        {"owner_id": u, "display_name": f"Contact {u}-{k}",
         "data_source_id": 1 + k % 2, "external_id": f"ext-{u}-{k}", "user_id": None}
        for u in own
        for k in range(4)
    ]  # fmt: skip
    return {
        "locations": locs, "configuration_groups": groups, "users": user_rows,
        "teams": team_rows, "team_members": member_rows, "user_relationships": rel_rows,
        "directory_data_sources": sources, "contacts": contact_rows,
        "audit_events": _audit_rows(user_rows, contact_rows),
    }  # fmt: skip


def _location_rows(size: Size, rng: random.Random) -> Rows:
    return [
        {
            "id": i, "name": f"Location {i:02d}", "description": None,
            "pw_min_length": 10, "pw_max_length": 64, "pw_require_uppercase": True,
            "pw_require_lowercase": True, "pw_require_digit": True,
            "pw_require_symbol": i % 2 == 0,
            "default_relationship": rng.choice(["EMPLOYEE", "EXTERNAL", "TEAM_COLLEAGUE"]),
            "relationship_policy": "EXTEND_AND_RESTRICT" if i % 3 else "EXTEND_ONLY",
            "client_settings": {"ringTone": "classic", "language": "de"},
            "presence_settings": {"showCalendar": True},
        }
        for i in range(1, size.locations + 1)
    ]  # fmt: skip


def _group_rows(size: Size, rng: random.Random) -> Rows:
    return [
        {
            "id": g, "location_id": (g - 1) % size.locations + 1, "name": f"Group {g:03d}",
            "description": None,
            "default_relationship": None if g % 3 == 0 else rng.choice(LEVELS[2:7]),
            "client_settings": None if g % 2 else {"ringTone": "modern"},
            "presence_settings": None,
        }
        for g in range(1, size.groups + 1)
    ]  # fmt: skip


def _user_rows(size: Size, rng: random.Random, groups: Rows) -> tuple[Rows, list[int]]:
    """The users, and those of them with their own settings, relationships, contacts."""
    groups_of: dict[int, list[int]] = {}
    for g in groups:
        groups_of.setdefault(int(g["location_id"]), []).append(int(g["id"]))  # type: ignore[call-overload]
    user_rows = []
    own: list[int] = []
    for u in range(1, size.users + 1):
        location_id = rng.randint(1, size.locations)
        has_own = u % 10 == 3
        if has_own:
            own.append(u)
        first = rng.choice(FIRST) if u % 17 else None
        last = rng.choice(LAST)
        user_rows.append({
            "id": u, "login": f"user{u:05d}", "first_name": first, "last_name": last,
            "email": f"user{u:05d}@bench.example" if u % 50 else None,
            "work_phone": f"+49 89 {u:07d}", "mobile_phone": None,
            "location_id": location_id,
            "configuration_group_id": None if u % 10 == 7 else rng.choice(groups_of[location_id]),
            "is_vip": u % 20 == 5, "blocked": False, "password_hash": None,
            "password_change_required": False, "voicemail_pin_hash": "x" if u % 4 else None,
            "voicemail_pin_state": "SET" if u % 4 else "NOT_SET",
            "client_settings": {"ringTone": "jazz", "autoAnswer": True} if has_own else {},
            "presence_settings": {"showCalendar": False} if has_own else {},
            "temporary_password_expires_at": None, "pin_failed_attempts": 0,
            "pin_locked_until": None,
        })  # fmt: skip
    return user_rows, own


START = datetime(2026, 1, 1, tzinfo=UTC)


def _audit_rows(
    user_rows: list[dict[str, object]], contact_rows: list[dict[str, object]]
) -> list[dict[str, object]]:
    """The users' creation, a change to every fifth, each contact added: oldest first."""
    location_of = {r["id"]: r["location_id"] for r in user_rows}
    events: list[tuple[str, str, object, dict[str, object]]] = []
    for r in user_rows:
        events.append(("system", "USER_CREATED", r["id"], {"login": r["login"]}))
    for r in user_rows[4::5]:
        events.append(("admin", "USER_UPDATED", r["id"], {"fields": ["email"]}))
    for c in contact_rows:
        events.append((f"user{c['owner_id']:05d}", "CONTACT_ADDED", c["owner_id"], {}))
    return [
        {"at": START + timedelta(seconds=n), "actor": actor, "action": action,
         "details": details, "target_user_id": user, "location_id": location_of[user]}
        for n, (actor, action, user, details) in enumerate(events)
    ]  # fmt: skip


TABLES = {
    "locations": locations,
    "configuration_groups": configuration_groups,
    "users": users,
    "teams": teams,
    "team_members": team_members,
    "user_relationships": user_relationships,
    "directory_data_sources": directory_data_sources,
    "contacts": contacts,
    "audit_events": audit_events,
}


async def seed(url: str, size: Size, seed_value: int = 20260101) -> Seeded:
    """Fills a freshly migrated database; returns the ids the benchmarks need."""
    rows = _rows(size, random.Random(seed_value))
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for name, table in TABLES.items():
                data = rows[name]
                for start in range(0, len(data), 5000):
                    await conn.execute(insert(table), data[start : start + 5000])
            if engine.dialect.name == "postgresql":
                # Explicit ids were inserted: move the sequences past them.
                for name in ("locations", "configuration_groups", "users", "teams",
                             "directory_data_sources"):  # fmt: skip
                    await conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    ))  # fmt: skip
            await conn.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()
    user_ids = [int(r["id"]) for r in rows["users"]]  # type: ignore[call-overload]
    own = [int(r["id"]) for r in rows["users"] if r["client_settings"]]  # type: ignore[call-overload]
    with_email = [int(r["id"]) for r in rows["users"] if r["email"]]  # type: ignore[call-overload]
    return Seeded(user_ids, own, {k: len(v) for k, v in rows.items()}, with_email)
