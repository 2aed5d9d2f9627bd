"""Schema changes checked by the ecosystem's tool: graphql-inspector's diff (the
pinned @graphql-inspector/core of package.json) of the contract and of the newest
released schema against schema.graphql finds nothing breaking, and every dangerous
change it finds is named in docs/schema-changelog.md (its section of the release)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.needed import missing
from tests.test_schema_changes import CHANGELOG, released

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "schema_diff.mjs"
CONTRACT = ROOT / "docs" / "contract.graphql"
SCHEMA = ROOT / "schema.graphql"


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        missing("Node.js is not installed")
    if not (ROOT / "node_modules" / "@graphql-inspector" / "core" / "package.json").is_file():
        missing("node_modules/@graphql-inspector/core is missing: run `npm ci`")
    return found


def changes(node: str, old: Path, new: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        [node, str(SCRIPT), str(old), str(new)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def coordinate(change: dict[str, Any]) -> str:
    """How the changelog names a change: an argument as ``Type.field(argument:)``, a
    directive on a type as ``Type @directive``, anything else by its path."""
    path: str = change["path"] or ""
    if change["type"].startswith("FIELD_ARGUMENT"):
        type_name, field, argument = path.split(".")
        return f"{type_name}.{field}({argument}:)"
    if ".@" in path:
        owner, _, directive = path.partition(".@")
        return f"{owner} @{directive}"
    return path


def section(title: str) -> str:
    """The changelog's section of one release (``Unreleased``, ``0.1.0``)."""
    text = CHANGELOG.read_text(encoding="utf-8")
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.DOTALL | re.MULTILINE)
    assert found, f"the changelog has no section {title}"
    return found.group(1)


def unnamed(found: list[dict[str, Any]], text: str) -> list[str]:
    dangerous = [coordinate(c) for c in found if c["level"] == "DANGEROUS"]
    return [name for name in dangerous if f"`{name}`" not in text]


def breaking(found: list[dict[str, Any]]) -> list[str]:
    return [c["message"] for c in found if c["level"] == "BREAKING"]


def test_the_schema_keeps_the_contract_and_names_each_dangerous_change(node: str) -> None:
    found = changes(node, CONTRACT, SCHEMA)

    assert breaking(found) == []
    assert unnamed(found, CHANGELOG.read_text(encoding="utf-8")) == []


def test_the_schema_keeps_the_newest_release_and_the_unreleased_section_names_its_changes(
    node: str,
) -> None:
    _, newest = released()[-1]
    found = changes(node, newest, SCHEMA)

    assert breaking(found) == []
    assert unnamed(found, section("Unreleased")) == []


def test_an_unnamed_dangerous_change_is_found(node: str, tmp_path: Path) -> None:
    """The check sees what it must: a new optional argument the changelog does not name."""
    changed = SCHEMA.read_text(encoding="utf-8").replace(
        "  auditEvents(\n", "  auditEvents(\n    newArgumentForTheTest: Int\n", 1
    )
    (tmp_path / "schema.graphql").write_text(changed, encoding="utf-8")

    found = changes(node, SCHEMA, tmp_path / "schema.graphql")

    assert unnamed(found, section("Unreleased")) == ["Query.auditEvents(newArgumentForTheTest:)"]
