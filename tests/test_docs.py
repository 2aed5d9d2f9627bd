"""README and docs/design.md point at files of this repository only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["README.md", "docs/design.md"]
# Files the team keeps beside the repository, never in it (.gitignore).
OUTSIDE = ["DESIGN.md", "STYLE.md", "../shared", "shared/contract.graphql"]


@pytest.mark.parametrize("doc", DOCS)
def test_relative_links_name_files_of_the_repository(doc: str) -> None:
    path = ROOT / doc
    links = re.findall(r"\]\(([^)#\s]+)[^)]*\)", path.read_text(encoding="utf-8"))
    relative = [link for link in links if "://" not in link and not link.startswith("mailto:")]
    for link in relative:
        target = (path.parent / link).resolve()
        assert target.is_relative_to(ROOT), link
        assert target.exists(), link


@pytest.mark.parametrize("doc", DOCS)
def test_nothing_outside_the_repository_is_named(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    for name in OUTSIDE:
        assert name not in text, name


def test_readme_links_the_design_document() -> None:
    assert "](docs/design.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
