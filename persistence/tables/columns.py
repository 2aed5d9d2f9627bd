"""What every table is built from: the metadata, the lengths and the column types.

Enums are stored as the enum member's name, settings as JSON, datetimes as UTC
(see :class:`UtcDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    MetaData,
    String,
    TypeDecorator,
)

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ENUM_LENGTH = 32
# A language's code (de, en, pt-BR): a message catalogue's name.
LANGUAGE_LENGTH = 16
NAME_LENGTH = 200
LOGIN_LENGTH = 200
PHONE_LENGTH = 64
EMAIL_LENGTH = 320
HASH_LENGTH = 255
HOST_LENGTH = 255
MESSAGE_ID_LENGTH = 255
# A claim token: uuid4().hex.
CLAIM_TOKEN_LENGTH = 32


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns timezone-aware UTC datetimes.

    A naive datetime is refused: the domain's clock is timezone-aware, and a
    naive value would be ambiguous. SQLite keeps no zone, so the value goes
    in as naive UTC and comes back marked UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: use a timezone-aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_column() -> JSON:
    # none_as_null: Python None is SQL NULL (a group that inherits), not JSON 'null'.
    return JSON(none_as_null=True)


def id_column() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def indexed_reference(
    name: str, target: str, *, nullable: bool, ondelete: str | None = None
) -> Column[int]:
    """A column holding the id of a row of ``target`` (``"users.id"``), with an index."""
    return Column(
        name, Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True
    )


def key_reference(
    name: str, target: str, *, ondelete: str | None = None, index: bool = False
) -> Column[int]:
    """A column of a composite primary key holding the id of a row of ``target``."""
    return Column(
        name, Integer, ForeignKey(target, ondelete=ondelete), primary_key=True, index=index
    )


def person_columns() -> list[Column[Any]]:
    """A user's or an administrator's login and name."""
    return [
        Column("login", String(LOGIN_LENGTH), nullable=False, unique=True),
        Column("first_name", String(NAME_LENGTH), nullable=True),
        Column("last_name", String(NAME_LENGTH), nullable=False),
        Column("email", String(EMAIL_LENGTH), nullable=True),
    ]


def claim_columns() -> list[Column[Any]]:
    """A queue row's state, tries and dispatcher's claim (the outbox's, the webhook
    deliveries'): a dispatcher writes only rows that still carry its ``claim_token``."""
    return [
        Column("status", String(ENUM_LENGTH), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("claimed_until", UtcDateTime(), nullable=True),
        Column("claim_token", String(CLAIM_TOKEN_LENGTH), nullable=True),
    ]
