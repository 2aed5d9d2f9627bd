"""The error catalogue: every code the code base answers with is defined once in
domain/error_codes.py, every code defined there is answered somewhere, and
docs/errors.md is the table made from the code (``python -m tools.error_catalogue``)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from domain.error_codes import ErrorCode
from tools.error_catalogue import Catalogue, catalogue, markdown
from tools.error_sources import module_names

ROOT = Path(__file__).resolve().parents[1]
CODE_SHAPE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
# The calls that take an error code (DomainError.of, Problem, Problems.add, not_found,
# and the GraphQL error and HTTP refusal helpers of gql/ and server/).
CODE_TAKERS = frozenset(
    {"of", "Problem", "add", "not_found", "_refusal", "_error", "_with_code", "error_body"}
)


@pytest.fixture(scope="module")
def found() -> Catalogue:
    return catalogue()


def literal_codes(tree: ast.AST) -> list[tuple[int, str]]:
    """Codes written as string literals where a code goes: ``{"code": "X"}`` or an
    argument of a call that takes a code."""
    hits: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        candidates: list[ast.expr] = []
        if isinstance(node, ast.Dict):
            candidates = [
                value
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and key.value == "code"
            ]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in CODE_TAKERS:
                candidates = [*node.args, *(k.value for k in node.keywords)]
        hits.extend(
            (c.lineno, c.value)
            for c in candidates
            if isinstance(c, ast.Constant)
            and isinstance(c.value, str)
            and CODE_SHAPE.match(c.value)
        )
    return hits


def test_no_code_is_written_as_a_string_where_a_code_goes() -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {code!r}"
        for _, path in module_names()
        for line, code in literal_codes(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offending == [], "name these codes from domain.error_codes.ErrorCode"


def test_the_check_above_finds_a_code_written_as_a_string() -> None:
    written = 'raise DomainError.of("NAME_TAKN", "…")\nerror = {"code": "RATE_LIMITD"}\n'
    assert literal_codes(ast.parse(written)) == [(1, "NAME_TAKN"), (2, "RATE_LIMITD")]


def test_every_code_of_the_registry_is_answered_somewhere(found: Catalogue) -> None:
    answered = {entry.code for entry in (*found.problems, *found.requests)}
    assert [code.value for code in ErrorCode if code not in answered] == []


def test_every_code_says_what_it_means() -> None:
    assert [code.value for code in ErrorCode if len(code.meaning) < 10] == []


def test_every_code_has_a_place_it_is_answered(found: Catalogue) -> None:
    """A code made in no field's reach and not around every request means the
    catalogue's reading of the source lost a call: teach it that call."""
    lost = [
        e.code.value
        for e in (*found.problems, *found.requests)
        if not e.fields and not e.any_request
    ]
    assert lost == []


@pytest.mark.parametrize(
    ("code", "field"),
    [
        (ErrorCode.NO_OPTION_SELECTED, "resetUsers"),
        (ErrorCode.EMAIL_MISSING, "resetUsers"),
        (ErrorCode.VIP_RELATIONSHIPS_DELETED, "resetUsers"),
        (ErrorCode.LOGIN_TAKEN, "createUser"),
        (ErrorCode.PASSWORD_POLICY, "setUserPassword"),
        (ErrorCode.INVALID_CREDENTIALS, "adminSignIn"),
        (ErrorCode.INVALID_CURSOR, "Location.users"),
        (ErrorCode.USER_NOT_FOUND, "deleteUser"),
        (ErrorCode.TEAM_NOT_FOUND, "updateTeam"),
        (ErrorCode.MAIL_GATEWAY_NOT_CONFIGURED, "sendTestEmail"),
    ],
)
def test_the_fields_of_a_code_are_read_from_the_source(
    found: Catalogue, code: ErrorCode, field: str
) -> None:
    fields = {entry.code: entry.fields for entry in found.problems}
    assert field in fields[code]


def test_a_check_that_only_tests_a_value_passes_no_code_on(found: Catalogue) -> None:
    """Sign-in refuses an over-long password as INVALID_CREDENTIALS, whatever
    text_problem would call it."""
    fields = {entry.code: entry.fields for entry in found.problems}
    assert "adminSignIn" not in fields[ErrorCode.VALUE_TOO_LONG]


def test_the_codes_of_the_request_are_graphql_errors(found: Catalogue) -> None:
    requests = {entry.code: entry for entry in found.requests}
    assert requests[ErrorCode.RATE_LIMITED].any_request
    assert requests[ErrorCode.UNAUTHENTICATED].any_request
    assert "createLocation" in requests[ErrorCode.FORBIDDEN].fields
    assert requests[ErrorCode.OPERATION_NOT_FOUND].fields == ("resetProgress",)
    assert ErrorCode.RATE_LIMITED not in {entry.code for entry in found.problems}


def test_docs_errors_md_is_the_catalogue(found: Catalogue) -> None:
    written = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert written == markdown(found), "run: .venv/bin/python -m tools.error_catalogue"


def test_the_generator_writes_the_catalogue(tmp_path: Path, found: Catalogue) -> None:
    written = tmp_path / "errors.md"
    result = subprocess.run(
        [sys.executable, "-m", "tools.error_catalogue", "--output", str(written)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert written.read_text(encoding="utf-8") == markdown(found)
