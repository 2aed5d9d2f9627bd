"""The exported SDL is the live schema, and the live schema keeps the contract."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema, find_breaking_changes

from connect_admin.gql.schema import schema

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT.parent / "shared" / "contract.graphql"


def test_schema_graphql_equals_the_live_schema() -> None:
    exported = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert exported == schema.as_str() + "\n", (
        "schema.graphql is stale: run `connect-admin export-schema --output schema.graphql`"
    )


def test_the_schema_breaks_nothing_in_the_contract() -> None:
    contract = build_schema(CONTRACT.read_text(encoding="utf-8"))
    ours = build_schema(schema.as_str())
    assert [c.description for c in find_breaking_changes(contract, ours)] == []
