"""Relay's compiler (relay-compiler, pinned in package.json) compiles every operation the
Web Administration sends against schema.graphql: what a partner's Relay app meets.

Relay names an operation after the module that holds it and its kind
(``<Module>Query``): each operation goes into a module of its own name with the suffix
added, as a Relay app would write it. The compiler checks the documents against the
schema and Relay's own rules (the Node interface, ids, connections' arguments)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse

from server.ui.web_admin import documents
from tests.needed import missing

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / "node_modules" / "relay-compiler" / "cli.js"


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        missing("Node.js is not installed")
    if not CLI.is_file():
        missing("node_modules/relay-compiler is missing: run `npm ci`")
    return found


def as_relay_module(document: str) -> tuple[str, str]:
    """The module's name and its text, the operation named as Relay names it."""
    [operation] = parse(document).definitions
    assert isinstance(operation, OperationDefinitionNode)
    assert operation.name
    name, kind = operation.name.value, operation.operation.value
    renamed = re.sub(rf"\b{kind}\s+{name}\b", f"{kind} {name}{kind.title()}", document, count=1)
    return name, f"graphql`{renamed}`;\n"


def test_relay_compiles_every_operation_of_the_web_administration(
    node: str, tmp_path: Path
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "__generated__").mkdir()
    shutil.copy(ROOT / "schema.graphql", tmp_path / "schema.graphql")
    sent = documents()
    for document in sent.values():
        module, text = as_relay_module(document)
        (tmp_path / "src" / f"{module}.ts").write_text(text, encoding="utf-8")
    config = {"src": "./src", "schema": "./schema.graphql", "language": "typescript",
              "artifactDirectory": "./__generated__"}  # fmt: skip
    (tmp_path / "relay.config.json").write_text(json.dumps(config), encoding="utf-8")

    result = subprocess.run(
        [node, str(CLI)], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        env={"PATH": str(Path(node).parent), "NO_COLOR": "1"},
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"compiled documents: {len(sent)} reader" in result.stdout + result.stderr
    assert len(list((tmp_path / "__generated__").glob("*.graphql.ts"))) == len(sent)
