"""GraphQL Code Generator (pinned in tests/codegen/package.json) types every operation the Web
Administration sends, with the configuration docs/partners/codegen.md gives partners,
and ``tsc --strict`` compiles what it wrote: what a partner's typed client meets.

The configuration and the JSON type are read from the document itself, so that the
page cannot drift from what runs here. ``strictScalars`` makes the generator refuse a
scalar the configuration does not map; the TypeScript below checks that the two custom
scalars come out as the page says (``DateTime`` a string, ``JSON`` a JSON value)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from server.ui.web_admin import documents
from tests.needed import missing

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "partners" / "codegen.md"
TOOLS = ROOT / "tests" / "codegen" / "node_modules"
CODEGEN = TOOLS / "@graphql-codegen" / "cli" / "cjs" / "bin.js"
TSC = TOOLS / "typescript" / "bin" / "tsc"

# An audit event as the change log reads it: its time a string, its details a JSON value,
# and nothing wider: a ``string`` or an ``unknown`` in their place fails to compile.
SCALARS_AS_DOCUMENTED = """\
import type { AuditQuery } from "./graphql";
import type { JsonValue } from "./json";

type Event = AuditQuery["auditEvents"]["edges"][number]["node"];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const atIsAString: Same<Event["at"], string> = true;
const detailsIsJson: Same<Event["details"], JsonValue> = true;
export { atIsAString, detailsIsJson };
"""


def block_after(marker: str) -> str:
    """The fenced block that follows ``<!-- marker -->`` in the partners' page."""
    text = GUIDE.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {marker} -->\s*```\w*\n(.*?)\n```", text, re.DOTALL)
    assert found, f"{GUIDE.relative_to(ROOT)} has no block marked {marker}"
    return found.group(1) + "\n"


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        missing("Node.js is not installed")
    for tool in (CODEGEN, TSC):
        if not tool.is_file():
            missing(f"{tool.relative_to(ROOT)} is missing: run `npm ci --prefix tests/codegen`")
    return found


def run(node: str, tool: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, str(tool), *args], cwd=cwd, capture_output=True, text=True, timeout=300,
        check=False, env={"PATH": str(Path(node).parent), "NO_COLOR": "1", "CI": "true"},
    )  # fmt: skip


def test_codegen_types_every_operation_of_the_web_administration(node: str, tmp_path: Path) -> None:
    shutil.copy(ROOT / "schema.graphql", tmp_path / "schema.graphql")
    (tmp_path / "node_modules").symlink_to(TOOLS)  # the plugins, as installed
    (tmp_path / "operations").mkdir()
    sent = documents()
    for name, document in sent.items():
        (tmp_path / "operations" / f"{name}.graphql").write_text(document, encoding="utf-8")
    (tmp_path / "codegen.yml").write_text(block_after("codegen-config"), encoding="utf-8")
    generated = tmp_path / "generated"
    generated.mkdir()
    (generated / "json.ts").write_text(block_after("codegen-json"), encoding="utf-8")
    (generated / "check.ts").write_text(SCALARS_AS_DOCUMENTED, encoding="utf-8")

    written = run(node, CODEGEN, "--config", "codegen.yml", cwd=tmp_path)
    assert written.returncode == 0, written.stdout + written.stderr
    typed = (generated / "graphql.ts").read_text(encoding="utf-8")
    assert len(re.findall(r"^export type \w+(?:Query|Mutation|Subscription) =", typed, re.M)) == (
        len(sent)
    )

    compiled = run(
        node, TSC, "--strict", "--noEmit", "--target", "es2022", "--module", "nodenext",
        "generated/graphql.ts", "generated/check.ts", cwd=tmp_path,
    )  # fmt: skip
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
