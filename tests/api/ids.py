"""Reading the numbers inside the API's opaque IDs, for setting up state directly."""

from __future__ import annotations

from gql.ids import parse_global_id


def pk(global_id: str) -> int:
    parsed = parse_global_id(global_id)
    assert parsed is not None, global_id
    return parsed[1]
