"""The schema's own scalars, described exactly: what the server sends and what it
takes, with the specification each follows (``@specifiedBy``), so that a client's
code generator can map them to a type (docs/partners/codegen.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition

RFC_3339 = "https://datatracker.ietf.org/doc/html/rfc3339"
ECMA_404 = (
    "https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf"
)

DATE_TIME_DESCRIPTION = (
    "An instant, as an RFC 3339 date-time in UTC: the date, T, the time to the second, "
    "a fraction of six digits only when it is not zero, and the offset +00:00, e.g. "
    '"2026-03-01T09:30:00+00:00" or "2026-03-01T09:30:00.250000+00:00". As input, any '
    "RFC 3339 date-time with an offset (Z or ±hh:mm)."
)
JSON_DESCRIPTION = (
    "A JSON value (ECMA-404) as it is, not a string holding JSON: an object, array, "
    "string, number, boolean or null. Each field says which of these it holds."
)


def serialize_date_time(value: dt.datetime) -> str:
    """In UTC, as ``isoformat`` writes it (the store always gives timezone-aware values)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def parse_date_time(value: Any) -> dt.datetime:
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None and "T" in value.upper():
            return parsed
    raise GraphQLError(f"DateTime cannot represent {value!r}: not an RFC 3339 date-time.")


DateTime = strawberry.scalar(
    name="DateTime",
    description=DATE_TIME_DESCRIPTION,
    specified_by_url=RFC_3339,
    serialize=serialize_date_time,
    parse_value=parse_date_time,
)
Json = strawberry.scalar(
    name="JSON",
    description=JSON_DESCRIPTION,
    specified_by_url=ECMA_404,
    serialize=lambda value: value,
    parse_value=lambda value: value,
)

# Strawberry's scalars for datetime and JSON, replaced (ConnectSchema's scalar_overrides).
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {dt.datetime: DateTime, JSON: Json}
