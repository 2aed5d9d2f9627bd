"""The GraphQL layer's imports: no circle between its modules, and no way into the
adapters' layers (the services' ports are its only road to them)."""

from __future__ import annotations

import ast
from pathlib import Path

import gql

GQL = Path(gql.__file__).parent
ADAPTER_LAYERS = ("persistence", "mail", "server")


def module_name(path: Path) -> str:
    parts = path.relative_to(GQL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports: at the top, in functions, under TYPE_CHECKING."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # ``from gql.x import y`` may name the module gql.x.y.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def gql_imports() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in GQL.rglob("*.py")}
    return {
        name: imported_modules(path) & modules.keys() - {name} for name, path in modules.items()
    }


def find_circle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for imported in sorted(graph[name]):
            circle = visit(imported, [*path, name])
            if circle is not None:
                return circle
        done.add(name)
        return None

    for name in sorted(graph):
        circle = visit(name, [])
        if circle is not None:
            return circle
    return None


def test_no_gql_module_imports_itself_in_a_circle() -> None:
    graph = gql_imports()
    assert len(graph) > 30

    assert find_circle(graph) is None


def test_the_circle_finder_finds_one() -> None:
    assert find_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_gql_imports_no_adapter_layer() -> None:
    offending = [
        f"{path.relative_to(GQL)}: {name}"
        for path in sorted(GQL.rglob("*.py"))
        for name in imported_modules(path)
        if any(name == layer or name.startswith(layer + ".") for layer in ADAPTER_LAYERS)
    ]

    assert offending == []
