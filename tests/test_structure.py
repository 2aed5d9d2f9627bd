"""The shape of the code: layers import only what the design allows, no import circles,
no module over 400 lines (docs/contributors/layout.md)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("domain", "adapters", "persistence", "gql", "mail", "server", "tools", "bench")
FRAMEWORKS = ("sqlalchemy", "alembic", "strawberry", "starlette", "uvicorn", "emails", "argon2")
# What each layer (or part of one) must not import; server/, the composition root, may
# import every layer. tools/ (the contributors' generators) and bench/ (the benchmark)
# are not in the wheel, so nothing the wheel installs imports them.
OUTSIDE_THE_WHEEL = ("tools", "bench")
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": ("adapters", "persistence", "gql", "mail", "server", *OUTSIDE_THE_WHEEL, *FRAMEWORKS),
    # The cost budget adapter implements a port of gql/limits over persistence.
    "adapters": ("mail", "server", *OUTSIDE_THE_WHEEL),
    "persistence": ("adapters", "gql", "mail", "server", *OUTSIDE_THE_WHEEL),
    "gql": ("adapters", "persistence", "mail", "server", *OUTSIDE_THE_WHEEL),
    "mail": ("adapters", "persistence", "gql", "server", *OUTSIDE_THE_WHEEL),
    "server": OUTSIDE_THE_WHEEL,
    # The benchmark drives the wheel's code; the contributors' generators are not its.
    "bench": ("tools",),
    # Inside the server: the command line starts the HTTP app, the app serves the pages.
    "server.http": ("server.commandline",),
    "server.ui": ("server.http", "server.commandline"),
}
MAX_LINES = 400


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "node_modules" in path.parts:  # bench/postgraphile's npm install
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = modules()


def _run_time_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of the tree but those under ``if TYPE_CHECKING:``, which never runs:
    the areas' GraphQL types name each other there for the type checker, and reach
    each other at run time through ``strawberry.lazy``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in TYPE_CHECKING_TESTS:
            for branch in node.orelse:
                yield branch
                yield from _run_time_nodes(branch)
            continue
        yield node
        yield from _run_time_nodes(node)


TYPE_CHECKING_TESTS = ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def imports(name: str, path: Path, *, run_time_only: bool = False) -> Iterator[str]:
    """Every module this one imports, wherever the import stands (a function-local
    import makes a circle as much as one at the top); ``run_time_only``: without
    those the type checker alone reads."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in _run_time_nodes(tree) if run_time_only else ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield submodule if submodule in MODULES else base


def test_the_layers_are_where_the_design_card_puts_them() -> None:
    for package in ("domain", "persistence", "gql", "mail", "server"):
        assert (ROOT / package / "__init__.py").is_file(), package
    assert (ROOT / "pyproject.toml").is_file()
    assert not (ROOT / "src").exists()


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_imports_only_what_the_design_allows(package: str) -> None:
    forbidden = FORBIDDEN[package]
    offending = [
        f"{MODULES[name].relative_to(ROOT)} imports {imported}"
        for name in MODULES
        if name == package or name.startswith(package + ".")
        for imported in imports(name, MODULES[name])
        if any(imported == bad or imported.startswith(bad + ".") for bad in forbidden)
    ]
    assert offending == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module, or one that
    imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        found.append(sorted(component))
    return found


def test_no_import_circle() -> None:
    graph = {
        name: {
            imported for imported in imports(name, path, run_time_only=True) if imported in MODULES
        }
        for name, path in MODULES.items()
    }
    assert strongly_connected(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(strongly_connected(graph)) == [["a", "b", "c"], ["e"]]


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in MODULES.values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


VISIBILITY = "domain.visibility"


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


RULES = {name for name in _functions(MODULES[VISIBILITY]) if not name.startswith("_")}


def test_who_sees_what_is_decided_in_the_visibility_module_alone() -> None:
    """No other module defines a visibility rule (a ``sees_…`` or one of the module's
    names), and the modules that ask import the module and call it by its name
    (``visibility.sees_user``), so that every question reads where it is answered."""
    defined_elsewhere = [
        f"{MODULES[name].relative_to(ROOT)} defines {function}"
        for name in MODULES
        if name != VISIBILITY
        for function in _functions(MODULES[name])
        if function in RULES or function.startswith(("sees_", "_sees"))
    ]
    imported_loose = [
        f"{path.relative_to(ROOT)} imports {alias.name} from {node.module}"
        for path in MODULES.values()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module == VISIBILITY
        for alias in node.names
    ]
    assert defined_elsewhere == []
    assert imported_loose == []
    askers = {
        name
        for name, path in MODULES.items()
        if name != VISIBILITY
        and any(f"visibility.{rule}(" in path.read_text(encoding="utf-8") for rule in RULES)
    }
    assert {"domain.services.users", "domain.services.lookups", "gql.users.types"} <= askers
    assert all(VISIBILITY in set(imports(name, MODULES[name])) for name in askers)
