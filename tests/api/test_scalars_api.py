"""The schema's scalars say what they are: DateTime an RFC 3339 instant, JSON a JSON
value, each with @specifiedBy, and the server sends what the descriptions say."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from graphql import GraphQLError, GraphQLScalarType

from gql.limits import Limits
from gql.schema import build_schema
from tests.api.conftest import Api

# RFC 3339's date-time, as DateTime's description narrows it: UTC, written +00:00.
RFC_3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$")


def scalar(name: str) -> GraphQLScalarType:
    found = build_schema(Limits())._schema.get_type(name)
    assert isinstance(found, GraphQLScalarType)
    return found


def test_date_time_and_json_name_their_specification() -> None:
    assert scalar("DateTime").specified_by_url == "https://datatracker.ietf.org/doc/html/rfc3339"
    assert scalar("JSON").specified_by_url == (
        "https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf"
    )
    assert "RFC 3339" in (scalar("DateTime").description or "")
    assert "ECMA-404" in (scalar("JSON").description or "")


async def test_an_instant_comes_as_rfc_3339_in_utc(api: Api, admin_token: str) -> None:
    before = datetime.now(UTC)
    data = await api.data(
        "{ auditEvents(first: 1) { edges { node { at details } } } }", token=admin_token
    )
    [edge] = data["auditEvents"]["edges"]

    assert RFC_3339_UTC.match(edge["node"]["at"]), edge["node"]["at"]
    at = datetime.fromisoformat(edge["node"]["at"])
    assert abs((at - before).total_seconds()) < 3600
    assert isinstance(edge["node"]["details"], dict)


def test_date_time_takes_any_offset() -> None:
    date_time = scalar("DateTime")
    assert date_time.parse_value("2026-03-01T10:30:00+01:00") == datetime(
        2026, 3, 1, 9, 30, tzinfo=UTC
    )
    assert date_time.parse_value("2026-03-01T09:30:00Z") == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("not_an_instant", ["2026-03-01", "2026-03-01T09:30:00", "now", 17])
def test_date_time_refuses_what_is_no_instant(not_an_instant: object) -> None:
    with pytest.raises(GraphQLError):
        scalar("DateTime").parse_value(not_an_instant)
