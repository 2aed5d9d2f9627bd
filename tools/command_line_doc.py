"""The part of docs/operators/command-line.md that is the command line's own ``--help``:
``connect-admin --help`` and each ``connect-admin COMMAND --help``, as printed 80
columns wide. ``tests/cli/test_command_line_help.py`` checks that the page holds it.

    .venv/bin/python -m tools.command_line_doc --output docs/operators/command-line.md
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BEGIN = "<!-- made by tools/command_line_doc.py from --help: begin -->"
END = "<!-- made by tools/command_line_doc.py from --help: end -->"
COLUMNS = "80"


def help_texts() -> dict[str, str]:
    """``--help`` of ``connect-admin`` (under "") and of each command."""
    from server.commandline.cli import parsers

    with _columns(COLUMNS):
        return {name: parser.format_help() for name, parser in parsers().items()}


@contextmanager
def _columns(columns: str) -> Iterator[None]:
    """argparse wraps to the terminal's width, which it reads from COLUMNS."""
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = columns
    try:
        yield
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


def section() -> str:
    parts = [BEGIN, ""]
    for name, text in help_texts().items():
        command = f"connect-admin {name}".strip()
        parts += [f"### {command}", "", "```text", text.rstrip("\n"), "```", ""]
    parts.append(END)
    return "\n".join(parts)


def with_section(page: str) -> str:
    """The page with its made part replaced (or added at the end)."""
    if BEGIN in page and END in page:
        before, rest = page.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        return before + section() + after
    return page.rstrip("\n") + "\n\n" + section() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, required=True, help="the page to update")
    args = parser.parse_args(argv)
    page = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    args.output.write_text(with_section(page), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
