"""The fenced code blocks of a Markdown document, each with the marker before it.

A marker is an HTML comment on the line right before the opening fence (blank
lines between are allowed), which a reader of the rendered page does not see::

    <!-- docs-test: as=admin variables={"first": 2} -->

``KEYS`` lists what a marker may say; anything else fails the test, so that a
misspelt marker cannot quietly change what runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

KEYS = {
    "run": "a shell block the test runs; shell blocks run only when marked (any key)",
    "as": "the caller of a graphql block: nobody (the default), admin, munich-admin, api-token",
    "variables": "the variables of a graphql block, as JSON",
    "errors": "codes the block's answer must carry (comma-separated); by default none",
    "answer": "answer=next: the next json or text block is the answer, or what the block "
    "prints (abridged: a subset of it; ``…`` for volatile values)",
    "with-next": "a subscription that runs while the next block runs (two GraphiQL tabs)",
    "env": "environment variables the block expects the reader to have set (TOKEN)",
    "background": "a server the block starts: runs until the document is done; ready once "
    "the given host:port accepts connections",
}

_FENCE = re.compile(r"^```(\S*)\s*$")
_MARKER = re.compile(r"^<!-- docs-test:(.*)-->\s*$")
_KEY = re.compile(r"[a-z][a-z-]*")


@dataclass(frozen=True)
class Block:
    doc: str  # relative to the repository root
    line: int  # of the opening fence, 1-based
    language: str
    text: str
    marker: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line} ({self.language or 'no language'})"

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0]


def parse_marker(text: str) -> dict[str, Any]:
    """``key=value`` pairs and bare keys (True); a value that starts with ``{`` or ``[``
    is JSON and may hold spaces."""
    decoder = json.JSONDecoder()
    marker: dict[str, Any] = {}
    position = 0
    text = text.strip()
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        key = _KEY.match(text, position)
        if key is None or key.group() not in KEYS:
            raise ValueError(f"unknown docs-test key at {text[position:]!r}; known: {sorted(KEYS)}")
        position = key.end()
        value: Any = True
        if text.startswith("=", position):
            position += 1
            if text[position : position + 1] in ("{", "["):
                value, position = decoder.raw_decode(text, position)
            else:
                end = position
                while end < len(text) and not text[end].isspace():
                    end += 1
                value, position = text[position:end], end
        marker[key.group()] = value
    return marker


def blocks(doc: str) -> list[Block]:
    lines = (ROOT / doc).read_text(encoding="utf-8").split("\n")
    found: list[Block] = []
    marker: dict[str, Any] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = _FENCE.match(line)
        comment = _MARKER.match(line)
        if comment is not None:
            marker = parse_marker(comment.group(1))
        elif fence is not None:
            end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
            text = "\n".join(lines[index + 1 : end]) + "\n"
            found.append(Block(doc, index + 1, fence.group(1), text, marker))
            marker = {}
            index = end
        elif line.strip():
            marker = {}
        index += 1
    return found


# Documents beside the code they describe, besides README.md and docs/.
OTHER_DOCUMENTS = ["bench/README.md"]


def documents() -> list[str]:
    """Every Markdown document of the project, README.md first."""
    under_docs = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md"))
    return ["README.md", *under_docs, *OTHER_DOCUMENTS]
