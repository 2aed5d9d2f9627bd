"""Docs that run: every GraphQL block, shell command and program in README.md and
docs/*.md runs against the demo data, in document order, as a reader would
(``tests/docs/reader.py`` says how), so a changed API cannot leave a wrong example
behind. Each document gets its own ``connect-admin serve`` on a new demo database.

A shell block that must not run here is in ``NOT_RUN``, with the reason; json,
yaml and plain blocks are data (answers, headers, configuration, listings) and
are not run. A block's marker (``tests/docs/markdown.py``) names its caller,
variables and expected codes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from contextlib import ExitStack
from pathlib import Path

import pytest
from graphql import parse, validate

from gql.limits.extensions import Limits
from gql.schema import build_schema
from server.demo_data import DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD
from tests.docs.demo_server import DemoServer, demo_server, environment
from tests.docs.markdown import Block, blocks, documents
from tests.docs.reader import SHELL, Reader

RUN = ("graphql", "python", "js", *SHELL)
DATA = {
    "json": "answers, headers and abridged extensions",
    "yaml": "configuration of other programs (Prometheus)",
    "": "listings (the layout)",
}
# (document, the block's first line) → why it does not run here.
NOT_RUN = {
    ("README.md", "python3 -m venv .venv && .venv/bin/pip install -c constraints.txt -e '.[test]' "
     "&& npm ci && .venv/bin/connect-admin demo-data && .venv/bin/connect-admin serve"):
        "the quick start: tests/cli/test_readme_quick_start.py runs it in a copy of the repository",
    ("README.md", "./scripts/test"): "the whole suite, this test among it",
    ("README.md", "export CONNECT_DATABASE_URL=postgresql://connect:password@db.example:5432/connect"):
        "PostgreSQL set-up: tests/cli/test_readme_postgres.py runs it against a fresh database",
    ("README.md",
     "CONNECT_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test ./scripts/test"):
        "the whole suite on PostgreSQL, this test among it",
    ("README.md", "rm -rf .venv && CONSTRAINTS= ./scripts/test"):
        "replaces this .venv with the newest releases from the package registries",
    ("README.md", "apt-get install -y wrk"):
        "installs a system package; the benchmark runs for minutes (bench/README.md)",
}  # fmt: skip


def all_blocks() -> list[Block]:
    return [block for doc in documents() for block in blocks(doc)]


def not_run(block: Block) -> bool:
    return (block.doc, block.first_line) in NOT_RUN


def runnable(block: Block) -> bool:
    """A shell block only when marked (so that a changed first line of a NOT_RUN block
    never runs it); a js block only when there is a node."""
    if block.language in SHELL:
        return bool(block.marker) and not not_run(block)
    return block.language in RUN and (block.language != "js" or shutil.which("node") is not None)


def test_every_block_runs_or_is_data_or_says_why_not() -> None:
    every = all_blocks()
    unknown = [b.where for b in every if b.language not in RUN and b.language not in DATA]
    assert unknown == [], "teach tests/docs/reader.py to run these, or list them as DATA"
    listed = {(b.doc, b.first_line) for b in every}
    assert [key for key in NOT_RUN if key not in listed] == [], "NOT_RUN names no block"
    shell = [b for b in every if b.language in SHELL]
    neither = [b.where for b in shell if not b.marker and not not_run(b)]
    assert neither == [], "mark each (<!-- docs-test: run -->), or say in NOT_RUN why not"
    both = [b.where for b in shell if b.marker and not_run(b)]
    assert both == []
    assert all(b.language in SHELL for b in every if not_run(b))


GRAPHQL = [block for block in all_blocks() if block.language == "graphql"]


@pytest.mark.parametrize("block", GRAPHQL, ids=lambda block: block.where)
def test_each_graphql_block_is_valid_against_the_schema(block: Block) -> None:
    assert validate(build_schema(Limits())._schema, parse(block.text)) == []


@pytest.mark.parametrize("doc", documents())
def test_the_document_s_examples_run_against_the_demo_data(doc: str, tmp_path: Path) -> None:
    found = blocks(doc)
    if not any(runnable(b) for b in found):
        return
    with demo_server(tmp_path) as demo, ExitStack() as stack:
        reader = Reader(demo, tmp_path, stack)
        reader.read(found, runnable)
    assert reader.failures == [], "\n".join(reader.failures)


# README's "Partner integrations": the same call in Python and JavaScript.
PARTNER_CALL = {"python": "python", "js": "node"}
WORK_PHONE = "+49 30 1234 199"
UPDATE_USER = (
    "mutation($id: ID!, $phone: String) { updateUser(input: {id: $id, workPhone: $phone}) "
    "{ errors { code } } }"
)
CLARA = "VXNlcjoz"  # clara.weber, as the demo data makes her


def partner_block(language: str) -> Block:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Partner integrations\n(.*?)^## ", readme, re.MULTILINE | re.DOTALL)
    assert section is not None
    start = readme[: section.start(1)].count("\n") + 1
    end = start + section.group(1).count("\n")
    [block] = [b for b in blocks("README.md") if start <= b.line <= end and b.language == language]
    return block


@pytest.mark.parametrize("language", PARTNER_CALL)
def test_the_partner_call_handles_tokens_and_each_kind_of_failure(
    language: str, tmp_path: Path
) -> None:
    if shutil.which(PARTNER_CALL[language]) is None:
        pytest.skip(f"no {PARTNER_CALL[language]} on PATH")
    block = partner_block(language)
    with demo_server(tmp_path) as demo, ExitStack() as stack:
        reader = Reader(demo, tmp_path, stack)

        def run(**env: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                reader.command(block), env=environment(**env), capture_output=True, text=True,
                check=False, timeout=120,
            )  # fmt: skip

        admin = str(demo.token("admin"))
        # Clara has the number: the payload's errors, with code and field; nothing changed.
        demo.data(UPDATE_USER, {"id": CLARA, "phone": WORK_PHONE}, admin)
        taken = run(TOKEN=str(demo.token("api-token")))
        demo.data(UPDATE_USER, {"id": CLARA, "phone": None}, admin)
        # A token the server does not know: a GraphQL error, UNAUTHENTICATED.
        unknown = run(TOKEN="cat_unknown")
        with_api_token = run(TOKEN=str(demo.token("api-token")))
        signed_in = run(ADMIN_LOGIN=DEMO_ADMIN_LOGIN, ADMIN_PASSWORD=DEMO_ADMIN_PASSWORD)
        wrong_password = run(ADMIN_LOGIN=DEMO_ADMIN_LOGIN, ADMIN_PASSWORD="wrong")
        phone = bernd_s_phone(demo, admin)

    assert taken.returncode == 1, taken
    assert "WORK_PHONE_TAKEN input.workPhone" in taken.stderr
    assert unknown.returncode == 1, unknown
    assert "UNAUTHENTICATED" in unknown.stderr
    assert with_api_token.returncode == 0, with_api_token
    assert WORK_PHONE in with_api_token.stdout
    assert signed_in.returncode == 0, signed_in
    assert WORK_PHONE in signed_in.stdout
    assert wrong_password.returncode == 1, wrong_password
    assert "INVALID_CREDENTIALS" in wrong_password.stderr
    assert phone == WORK_PHONE


def bernd_s_phone(demo: DemoServer, token: str) -> str:
    data = demo.data('{ node(id: "VXNlcjoy") { ... on User { workPhone } } }', token=token)
    phone: str = data["node"]["workPhone"]
    return phone
