"""The domain layer imports no other layer and no framework."""

from __future__ import annotations

import ast
from pathlib import Path

import domain

FORBIDDEN = (
    "persistence",
    "gql",
    "mail",
    "server",
    "adapters",
    "sqlalchemy",
    "alembic",
    "strawberry",
    "starlette",
    "uvicorn",
    "emails",
    "argon2",
)

DOMAIN = Path(domain.__file__).parent


def imported_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_domain_imports_no_other_layer() -> None:
    files = sorted(DOMAIN.rglob("*.py"))
    assert len(files) > 10

    offending = [
        f"{path.relative_to(DOMAIN)}: {name}"
        for path in files
        for name in imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    ]

    assert offending == []
