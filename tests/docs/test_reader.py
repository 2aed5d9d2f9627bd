"""How the docs tests judge an example: the shown answer against the real one, what a
program prints against what the document shows, and a JavaScript block on a machine
without node."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.docs.demo_server import DemoServer
from tests.docs.markdown import Block
from tests.docs.reader import Failed, NotRun, Reader, contains, printed_as_shown


def test_an_abridged_answer_matches_and_a_different_value_does_not() -> None:
    actual = {"token": "cas_abc", "errors": [], "extra": 1}
    assert contains({"token": "cas_…", "errors": []}, actual)
    assert not contains({"token": "cat_…", "errors": []}, actual)
    assert not contains({"token": "cas_…", "errors": [{"code": "X"}]}, actual)
    assert contains({"id": "…"}, {"id": None})
    assert not contains({"missing": "…"}, actual)


def test_printed_lines_are_compared_one_by_one() -> None:
    printed = '{"data":{"ok":true},"extensions":{"cost":{}}}\nHTTP 200\n'
    assert printed_as_shown('{"data": {"ok": true}}\nHTTP 200\n', printed) == []
    assert printed_as_shown('{"data": {"ok": true}}\nHTTP 201\n', printed) == [
        "printed 'HTTP 200', shown 'HTTP 201'"
    ]
    assert printed_as_shown('{"data": {"ok": true}}\n', printed) != []
    assert printed_as_shown("took … ms\n", "took 12 ms\n") == []


@pytest.mark.parametrize("in_ci", [True, False])
def test_a_js_block_without_node_fails_in_ci_and_is_not_run_elsewhere(
    in_ci: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no node on it
    if in_ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    block = Block("docs/x.md", 1, "js", 'console.log("hi");\n')
    with httpx.Client() as http, ExitStack() as stack:
        read = Reader(DemoServer("http://127.0.0.1:1", http), tmp_path, stack)
        with pytest.raises(Failed if in_ci else NotRun, match="no node on PATH"):
            read.command(block)
