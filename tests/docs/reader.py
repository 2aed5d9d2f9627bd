"""A reader who runs a document's code blocks in order against one demo server.

What runs, and how (``tests/docs/markdown.py`` for the markers):

- ``graphql``: sent as written, with the marker's ``variables``, as the marker's
  caller (``as``); a subscription over the websocket. The answer must carry no
  GraphQL error and no payload error (any ``errors`` list in ``data``) beyond the
  codes the marker's ``errors`` names.
- ``sh``: run by bash (``-e -o pipefail``) in the repository's folder; exit code
  0, and every GraphQL answer it prints free of errors as above.
- ``python``: run by this interpreter (the project's ``.venv``); ``js``: by
  ``node`` as an ES module. Exit code 0. Without a ``node`` the block is not run
  and the document's test says so: it skips, and fails in CI (``CI=true``).

What a document shows as an answer (``answer=next``: the next ``json`` or ``text``
block) is compared with the answer: a graphql block's data (or the whole answer,
when the shown one has ``data`` or ``extensions``), abridged: every key shown has
the value shown, lists item by item; a program's output line by line (a line of
JSON as JSON, abridged alike). A program that prints something the document does
not show fails. Volatile values are written ``…`` in the document, visibly: a
string ``"cas_…"`` stands for any string that starts with ``cas_``, a value ``"…"``
for any value, and ``…`` in a text line for any characters.

``substitutions`` are the only changes to a block's text and to a shown answer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, OperationType, parse

from tests.cli.serving import ROOT, free_port, served
from tests.docs.demo_server import DemoServer, answers, environment
from tests.docs.markdown import Block

RUN_TIMEOUT = 120
SHELL = ("sh", "bash", "shell")


def error_codes(answer: Any) -> list[str]:
    """The codes of a GraphQL answer's errors and of every payload's ``errors`` in its data."""
    codes = [e.get("extensions", {}).get("code", "?") for e in answer.get("errors") or []]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "errors" and isinstance(item, list):
                    codes.extend(str(e.get("code")) for e in item if isinstance(e, dict))
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(answer.get("data"))
    return codes


def graphql_answers(output: str) -> list[dict[str, Any]]:
    """The GraphQL answers (JSON objects with data or errors) in a command's output."""
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    position = output.find("{")
    while position != -1:
        try:
            value, end = decoder.raw_decode(output, position)
        except ValueError:
            end = position + 1
        else:
            if isinstance(value, dict) and ("data" in value or "errors" in value):
                found.append(value)
        position = output.find("{", end)
    return found


ELLIPSIS = "…"


def wildcard(shown: str) -> re.Pattern[str]:
    """A shown text with ``…`` for any characters."""
    return re.compile(".*".join(re.escape(part) for part in shown.split(ELLIPSIS)), re.DOTALL)


def contains(expected: Any, actual: Any) -> bool:
    """An abridged answer: every key shown has the value shown; lists item by item;
    ``…`` in a shown string stands for any characters, ``"…"`` for any value."""
    if expected == ELLIPSIS:
        return True
    if isinstance(expected, str) and ELLIPSIS in expected:
        return isinstance(actual, str) and wildcard(expected).fullmatch(actual) is not None
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and contains(value, actual[key]) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(contains(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return bool(expected == actual)


def printed_as_shown(shown: str, printed: str) -> list[str]:
    """What differs between a program's output and what the document shows it prints,
    line by line (blank lines aside); empty when they agree."""
    want = [line for line in shown.splitlines() if line.strip()]
    got = [line for line in printed.splitlines() if line.strip()]
    if len(want) != len(got):
        return [f"{len(got)} lines printed, {len(want)} shown:\n{printed}"]
    return [
        f"printed {line!r}, shown {expected!r}"
        for expected, line in zip(want, got, strict=True)
        if not line_as_shown(expected, line)
    ]


def line_as_shown(expected: str, line: str) -> bool:
    try:
        shown, actual = json.loads(expected), json.loads(line)
    except ValueError:
        return wildcard(expected.strip()).fullmatch(line.strip()) is not None
    return contains(shown, actual)


def wait_until_listening(address: str, timeout: float = 30) -> None:
    host, port = address.rsplit(":", 1)
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on {address}"
            time.sleep(0.05)


class Failed(AssertionError):
    pass


class NotRun(Exception):
    """A block this machine cannot run (a tool is missing); the reason says which."""


def in_ci() -> bool:
    """CI sets CI=true; there every tool a test needs must be present."""
    return os.environ.get("CI") == "true"


@dataclass
class Reader:
    demo: DemoServer
    folder: Path
    stack: ExitStack
    failures: list[str] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)
    not_run: list[tuple[str, str]] = field(default_factory=list)  # where, why
    # The SMTP sink of "Resetting users": README has it on 1025, the test on a free port.
    smtp_port: int = field(default_factory=free_port)

    @property
    def substitutions(self) -> list[tuple[str, str]]:
        """README's addresses → the test's (free ports: other tests run at the same time)."""
        return [
            ("127.0.0.1:8000", self.demo.address),
            ("127.0.0.1:1025", f"127.0.0.1:{self.smtp_port}"),
            ("port: 1025", f"port: {self.smtp_port}"),
        ]

    def text(self, block: Block) -> str:
        return self.substitute(block.text)

    def substitute(self, text: str) -> str:
        for old, new in self.substitutions:
            text = text.replace(old, new)
        return text

    def read(self, blocks: list[Block], runnable: Callable[[Block], bool]) -> None:
        """Runs the runnable blocks in document order; a failure is noted, the reading
        goes on."""
        index = 0
        while index < len(blocks):
            block = blocks[index]
            index += 1
            if not runnable(block):
                continue
            try:
                if block.marker.get("with-next"):
                    index = self.with_next(block, blocks, index, runnable)
                elif block.language == "graphql":
                    self.executed.append(block.where)
                    self.check(block, self.graphql(block), blocks[index:])
                else:
                    self.run(block, blocks[index:])
            except NotRun as reason:
                self.not_run.append((block.where, str(reason)))
            except (AssertionError, OSError, subprocess.SubprocessError, ValueError) as error:
                self.failures.append(f"{block.where}, first line {block.first_line!r}: {error}")

    def token(self, block: Block) -> str | None:
        return self.demo.token(str(block.marker.get("as", "nobody")))

    def operation(self, block: Block) -> OperationType:
        [definition] = [
            d for d in parse(block.text).definitions if isinstance(d, OperationDefinitionNode)
        ]
        return definition.operation

    def graphql(self, block: Block) -> dict[str, Any]:
        variables = block.marker.get("variables")
        if self.operation(block) is OperationType.SUBSCRIPTION:
            with self.demo.subscription(self.text(block), variables, self.token(block)) as ws:
                return {"subscription": answers(ws)}
        response = self.demo.post(self.text(block), variables, self.token(block))
        if response.status_code != 200:
            raise Failed(f"HTTP {response.status_code}: {response.text}")
        answer: dict[str, Any] = response.json()
        return answer

    def check(self, block: Block, answer: dict[str, Any], after: list[Block]) -> None:
        payloads = answer.get("subscription", [answer])
        if not payloads:
            raise Failed("the subscription answered nothing")
        expected = sorted(filter(None, str(block.marker.get("errors", "")).split(",")))
        found = sorted({code for payload in payloads for code in error_codes(payload)})
        if found != expected:
            raise Failed(f"error codes {found}, expected {expected}: {answer}")
        if block.marker.get("answer") == "next":
            shown = self.shown_answer(block, after)
            expected = json.loads(self.text(shown))
            actual: Any = answer
            if not isinstance(expected, dict) or not {"data", "extensions"} & set(expected):
                data = answer["data"]
                actual = next(iter(data.values())) if len(data) == 1 else data
            if not contains(expected, actual):
                raise Failed(f"the answer shown at {shown.where} is not {actual}")

    @staticmethod
    def shown_answer(block: Block, after: list[Block]) -> Block:
        """The block right after ``block``: what the document shows it answers."""
        if not after or after[0].language not in ("json", "text"):
            raise Failed("answer=next, but no json or text block follows")
        return after[0]

    def with_next(
        self, block: Block, blocks: list[Block], index: int, runnable: Callable[[Block], bool]
    ) -> int:
        """The subscription, started; the next runnable block; then the subscription's
        answers (two tabs of GraphiQL)."""
        following = next(i for i in range(index, len(blocks)) if runnable(blocks[i]))
        variables = block.marker.get("variables")
        self.executed.extend([block.where, blocks[following].where])
        with self.demo.subscription(self.text(block), variables, self.token(block)) as ws:
            nxt = blocks[following]
            self.check(nxt, self.graphql(nxt), blocks[following + 1 :])
            progress = answers(ws)
        self.check(block, {"subscription": progress}, [])
        return following + 1

    def environment(self, block: Block) -> dict[str, str]:
        given = {"TOKEN": lambda: str(self.demo.token("api-token"))}
        wanted = [name for name in str(block.marker.get("env", "")).split(",") if name]
        unknown = set(wanted) - set(given)
        if unknown:
            raise Failed(f"the test cannot provide {sorted(unknown)}")
        return environment(**{name: given[name]() for name in wanted})

    def command(self, block: Block) -> list[str]:
        path = self.folder / f"block-{block.line}"
        if block.language in SHELL:
            return ["bash", "-e", "-o", "pipefail", "-c", self.text(block)]
        if block.language == "python":
            path.with_suffix(".py").write_text(self.text(block), encoding="utf-8")
            return [sys.executable, str(path.with_suffix(".py"))]
        if block.language == "js":
            node = shutil.which("node")
            if node is None:
                reason = "no node on PATH (Node.js 18 or newer runs it)"
                if in_ci():
                    raise Failed(f"{reason}; CI must have it")
                raise NotRun(reason)
            path.with_suffix(".mjs").write_text(self.text(block), encoding="utf-8")
            return [node, str(path.with_suffix(".mjs"))]
        raise Failed(f"no way to run {block.language}")

    def run(self, block: Block, after: list[Block]) -> None:
        env = self.environment(block)
        command = self.command(block)
        self.executed.append(block.where)
        listens = block.marker.get("background")
        if listens:
            self.stack.enter_context(served(command, ROOT, env))
            wait_until_listening(self.substitute(str(listens)))
            return
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=False,
            timeout=RUN_TIMEOUT,
        )  # fmt: skip
        if done.returncode != 0:
            raise Failed(f"exit code {done.returncode}: {done.stderr}{done.stdout}")
        for answer in graphql_answers(done.stdout):
            if error_codes(answer):
                raise Failed(f"error codes {error_codes(answer)}: {done.stdout}")
        if block.marker.get("answer") == "next":
            shown = self.shown_answer(block, after)
            differences = printed_as_shown(self.text(shown), done.stdout)
            if differences:
                raise Failed(f"not as {shown.where} shows: " + "; ".join(differences))
        elif done.stdout.strip():
            raise Failed(f"prints what the document does not show (answer=next):\n{done.stdout}")
