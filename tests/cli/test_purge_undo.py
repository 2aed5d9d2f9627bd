"""``connect-admin purge-undo``: what resets kept goes once it expired, and only then."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

from persistence.database import create_engine
from persistence.tables import reset_undo_records, users
from tests.cli.test_command_line import connect_admin


async def _sql(url: str, *rows: dict[str, object]) -> list[datetime]:
    """Keeps the rows for the demo data's first user; the expiries left afterwards."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            user_id = (await connection.execute(select(users.c.id).limit(1))).scalar_one()
            for row in rows:
                await connection.execute(insert(reset_undo_records).values(user_id=user_id, **row))
            found = await connection.execute(select(reset_undo_records.c.expires_at))
            return [expires for (expires,) in found]
    finally:
        await engine.dispose()


def test_purge_undo_removes_the_expired_records_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'connect-admin.db'}"
    env = {"CONNECT_DATABASE_URL": url}
    assert connect_admin(tmp_path, "demo-data", env=env).returncode == 0
    expired, live = datetime(2020, 1, 1, tzinfo=UTC), datetime(2999, 1, 1, tzinfo=UTC)
    record = {"reset_id": "r", "action": "CLIENT_SETTINGS", "kept": {"settings": {"a": 1}}}
    kept_at = datetime(2019, 12, 18, tzinfo=UTC)
    asyncio.run(
        _sql(url, {**record, "kept_at": kept_at, "expires_at": expired},
             {**record, "kept_at": kept_at, "expires_at": live})
    )  # fmt: skip

    purged = connect_admin(tmp_path, "purge-undo", env=env)

    assert (purged.returncode, purged.stdout) == (0, "Purged 1 expired undo records of resets.\n")
    assert asyncio.run(_sql(url)) == [live]
