"""Docs that run: every GraphQL block, shell command and program in README.md and
docs/*.md runs against the demo data, in document order, as a reader would
(``tests/docs/reader.py`` says how), so a changed API cannot leave a wrong example
behind. Each document gets its own ``connect-admin serve`` on a new demo database.

A shell block that must not run here is in ``NOT_RUN``, with the reason; json,
text, yaml and plain blocks are data (answers, output, headers, configuration,
listings) and are not run. A block's marker (``tests/docs/markdown.py``) names its
caller, variables, expected codes and whether the next block shows its answer, which
is then compared; a json or text block right after an example is always its answer.
A document with nothing to run does not pass: it skips, saying so.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from contextlib import ExitStack
from pathlib import Path

import pytest
from graphql import parse, validate

from gql.limits.extensions import Limits
from gql.schema import build_schema
from server.commandline.demo_data import DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD
from tests.docs.demo_server import DemoServer, demo_server, environment
from tests.docs.markdown import Block, blocks, documents
from tests.docs.reader import SHELL, Reader, in_ci

RUN = ("graphql", "python", "js", *SHELL)
DATA = {
    "json": "answers, headers and abridged extensions",
    "text": "what the example before prints",
    "yaml": "configuration of other programs (Prometheus, GraphQL Code Generator)",
    "ts": "TypeScript of a partner's client",
    "": "listings (the layout)",
}
# (document, the block's first line) → why it does not run here.
NOT_RUN = {
    ("README.md", "python3 -m venv .venv && .venv/bin/pip install -c constraints.txt -e '.[test]' "
     "&& npm ci && .venv/bin/connect-admin demo-data && .venv/bin/connect-admin serve"):
        "the quick start: tests/cli/test_readme_quick_start.py runs it in a copy of the repository",
    ("README.md", "./scripts/test"): "the whole suite, this test among it",
    ("README.md",
     "CONNECT_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test ./scripts/test"):
        "the whole suite on PostgreSQL, this test among it",
    ("docs/operators/postgresql.md",
     "sudo -u postgres psql -v ON_ERROR_STOP=1 "
     "-c \"CREATE ROLE connect LOGIN PASSWORD 'password'\" "
     "-c \"CREATE DATABASE connect OWNER connect ENCODING 'UTF8' TEMPLATE template0\""):
        "makes a role and a database on the host's server: tests/cli/test_postgresql_doc.py runs "
        "it against the test server, with names of its own",
    ("docs/operators/postgresql.md",
     "export CONNECT_DATABASE_URL=postgresql://connect:password@db.example:5432/connect"):
        "PostgreSQL set-up: tests/cli/test_postgresql_doc.py runs it against a fresh database",
    ("docs/contributors/dependencies.md", "rm -rf .venv && CONSTRAINTS= ./scripts/test"):
        "replaces this .venv with the newest releases from the package registries",
    ("docs/operators/performance.md", "apt-get install -y wrk"):
        "installs a system package; the benchmark runs for minutes (bench/README.md)",
    ("docs/operators/backup.md",
     ".venv/bin/connect-admin backup /var/backups/connect-admin/monday.db"):
        "writes beside the operator's backups: tests/cli/test_backup.py backs up a running server",
    ("docs/operators/backup.md",
     ".venv/bin/connect-admin restore /var/backups/connect-admin/monday.db"):
        "replaces the operator's database: tests/cli/test_backup.py restores into a fresh one",
    ("docs/operators/backup.md",
     "pg_dump --format=custom --file=connect-monday.dump \"$CONNECT_DATABASE_URL\""):
        "PostgreSQL's own tools against the operator's databases and role",
    ("bench/README.md", "apt-get install -y wrk            # the load generator (Debian package)"):
        "installs a system package; the benchmark runs for minutes (.ci/run runs its smoke test)",
}  # fmt: skip


def all_blocks() -> list[Block]:
    return [block for doc in documents() for block in blocks(doc)]


def not_run(block: Block) -> bool:
    return (block.doc, block.first_line) in NOT_RUN


def runnable(block: Block) -> bool:
    """A shell block only when marked (so that a changed first line of a NOT_RUN block
    never runs it)."""
    if block.language in SHELL:
        return bool(block.marker) and not not_run(block)
    return block.language in RUN


def missing_tool(reason: str) -> None:
    """A test that cannot run here: it fails in CI, which must have every tool, and
    skips elsewhere, saying why."""
    if in_ci():
        pytest.fail(f"{reason}; CI (CI=true) must have it")
    pytest.skip(reason)


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


def test_every_answer_shown_is_compared() -> None:
    """A json or text block right after an example shows its answer: the example must
    say so (answer=next), or the answer would go unchecked."""
    unmarked = []
    for doc in documents():
        found = blocks(doc)
        for block, shown in itertools.pairwise(found):
            is_answer = shown.language in ("json", "text")
            if runnable(block) and is_answer and block.marker.get("answer") != "next":
                unmarked.append(f"{block.where} → {shown.where}")
    assert unmarked == [], "mark these examples answer=next"


@pytest.mark.parametrize("doc", documents())
def test_the_document_s_examples_run_against_the_demo_data(doc: str, tmp_path: Path) -> None:
    found = blocks(doc)
    to_run = [b.where for b in found if runnable(b)]
    if not to_run:
        pytest.skip(f"{doc} has no example to run ({len(found)} blocks: data or NOT_RUN)")
    with demo_server(tmp_path) as demo, ExitStack() as stack:
        reader = Reader(demo, tmp_path, stack)
        reader.read(found, runnable)
    assert reader.failures == [], "\n".join(reader.failures)
    not_run = [where for where, _ in reader.not_run]
    assert sorted(reader.executed + not_run) == sorted(to_run), "every example ran once"
    if reader.not_run:
        reasons = "; ".join(f"{where}: {reason}" for where, reason in reader.not_run)
        missing_tool(f"ran {len(reader.executed)} of {len(to_run)} examples; not {reasons}")


# The partners' guide to the API: the same call in Python and JavaScript.
PARTNER_DOCUMENT = "docs/partners/api.md"
PARTNER_CALL = {"python": "python", "js": "node"}
WORK_PHONE = "+49 30 1234 199"
UPDATE_USER = (
    "mutation($id: ID!, $phone: String) { updateUser(input: {id: $id, workPhone: $phone}) "
    "{ errors { code } } }"
)
CLARA = "VXNlcjoz"  # clara.weber, as the demo data makes her


def partner_block(language: str) -> Block:
    [block] = [b for b in blocks(PARTNER_DOCUMENT) if b.language == language]
    return block


@pytest.mark.parametrize("language", PARTNER_CALL)
def test_the_partner_call_handles_tokens_and_each_kind_of_failure(
    language: str, tmp_path: Path
) -> None:
    if shutil.which(PARTNER_CALL[language]) is None:
        missing_tool(f"no {PARTNER_CALL[language]} on PATH")
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
