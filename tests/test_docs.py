"""The documents point at files of this repository only, and README.md stays a front
door: at most ``README_LINES`` lines, every file it links or names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs.markdown import documents

ROOT = Path(__file__).resolve().parents[1]
README_LINES = 300
# Files the team keeps beside the repository, never in it (.gitignore).
OUTSIDE = ["DESIGN.md", "STYLE.md", "../shared", "shared/contract.graphql"]
# Names a document may give that are made when the project runs, not kept in it.
MADE_AT_RUN = {
    ".venv", "node_modules", "connect-admin.db", "connect-admin.db.secret", "password.txt",
    "test-output", "dist", "server/web", "bench/postgraphile/node_modules",
}  # fmt: skip
# `a/b.py`, `docs/`, `schema.graphql`: a relative path with a folder or a file suffix.
_SUFFIXES = "py|md|json|graphql|png|toml|txt|js|css|sh|yaml"
_PATH = re.compile(rf"`((?:\.{{0,2}}[\w-]+/)*\.?[\w.-]+(?:/|\.(?:{_SUFFIXES})))`")


def links(doc: str) -> list[str]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    found = re.findall(r"\]\(([^)#\s]+)[^)]*\)", text)
    return [link for link in found if "://" not in link and not link.startswith("mailto:")]


def named_paths(doc: str) -> list[str]:
    """The repository paths a document names in code spans (`tests/docs/reader.py`)."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    names = [name for name in _PATH.findall(text) if not name.startswith(("/", "~"))]
    # Elsewhere a bare `app.py` names a module of the folder the text speaks of.
    return names if doc == "README.md" else [name for name in names if "/" in name]


@pytest.mark.parametrize("doc", documents())
def test_relative_links_name_files_of_the_repository(doc: str) -> None:
    path = ROOT / doc
    for link in links(doc):
        target = (path.parent / link).resolve()
        assert target.is_relative_to(ROOT), link
        assert target.exists(), f"{doc} links {link}, which does not exist"


@pytest.mark.parametrize("doc", documents())
def test_nothing_outside_the_repository_is_named(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    for name in OUTSIDE:
        assert name not in text, name


def test_readme_stays_a_front_door() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_LINES, (
        f"README.md has {lines} lines, at most {README_LINES}: move the detail to docs/"
    )


@pytest.mark.parametrize("doc", documents())
def test_every_file_a_document_names_exists(doc: str) -> None:
    """Relative to the repository root, or to the document's folder."""
    missing = [
        name
        for name in named_paths(doc)
        if name.rstrip("/").split("/")[0] not in MADE_AT_RUN
        and name.rstrip("/") not in MADE_AT_RUN
        and not (ROOT / name).exists()
        and not ((ROOT / doc).parent / name).exists()
    ]
    assert missing == [], f"{doc} names files that do not exist: {missing}"


def test_readme_links_every_document_of_docs() -> None:
    linked = {(ROOT / link).resolve() for link in links("README.md")}
    under_docs = [doc for doc in documents() if doc.startswith("docs/")]
    unlinked = [doc for doc in under_docs if (ROOT / doc).resolve() not in linked]
    assert unlinked == [], "add them to README's map of the documentation"
