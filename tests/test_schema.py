"""The exported SDL is the live schema, and the live schema keeps the contract."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema, find_breaking_changes

from gql.limits import Limits
from gql.schema import build_schema as connect_schema
from tests.needed import missing

ROOT = Path(__file__).resolve().parents[1]
# The contract as the project keeps it; the team's shared copy sits beside the
# checkout only where the team works (and in CI).
CONTRACT = ROOT / "docs" / "contract.graphql"
SHARED_CONTRACT = ROOT.parent / "shared" / "contract.graphql"


def test_schema_graphql_equals_the_live_schema() -> None:
    exported = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert exported == connect_schema(Limits()).as_str() + "\n", (
        "schema.graphql is stale: run `connect-admin export-schema --output schema.graphql`"
    )


def test_the_schema_breaks_nothing_in_the_contract() -> None:
    contract = build_schema(CONTRACT.read_text(encoding="utf-8"))
    ours = build_schema(connect_schema(Limits()).as_str())
    assert [c.description for c in find_breaking_changes(contract, ours)] == []


def test_the_kept_contract_is_the_shared_one() -> None:
    if not SHARED_CONTRACT.exists():
        missing(f"no shared contract at {SHARED_CONTRACT} (only beside the team's checkouts)")
    assert CONTRACT.read_text(encoding="utf-8") == SHARED_CONTRACT.read_text(encoding="utf-8"), (
        f"docs/contract.graphql differs from {SHARED_CONTRACT}: copy the shared one over"
    )
