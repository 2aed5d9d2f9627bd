"""Where the error codes are made, read from the source (ast) for the error catalogue
(tools/error_catalogue.py): not kept by hand. Every reference to
``ErrorCode.X`` in domain/, gql/ and server/ is a place that code is made, and a
field's resolver reaches it through what it calls: functions and module-level
constants by name (imports followed), ``self.m()``, ``ctx.services().users.m()`` and
``ctx.progress.m()`` by the attribute's declared type, ``x.m()`` by the declared type
of the parameter ``x`` or a class the function names. What is called any other way
is not followed (the tests check that every code still has a place).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from domain.error_codes import ErrorCode
from gql.ids import error_kind

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("domain", "gql", "server")
# Exceptions that the API turns into a GraphQL error's code (gql/errors.py).
EXCEPTION_CODES = {
    "domain.errors.NotAuthenticated": ErrorCode.UNAUTHENTICATED,
    "domain.errors.Forbidden": ErrorCode.FORBIDDEN,
}
# Where the API turns those exceptions into codes: they are made where they are raised.
TRANSLATION = "gql.errors.ErrorTranslation._translate"
# The types whose attributes lead from a resolver to the services.
HUBS = ("domain.services.registry.Services", "gql.context.Context")
# Calls that make a problem (a payload's error, or a BAD_USER_INPUT problem) of a code.
PROBLEM_MAKERS = frozenset({"of", "Problem", "add", "not_found"})
# Calls that turn a type name into its ``…_NOT_FOUND`` code (gql/ids.py).
ID_PARSERS = frozenset({"pk_of", "maybe_pk_of"})
CATALOGUE_MODULES = frozenset({"tools.error_sources", "tools.error_catalogue"})

Key = str  # "module.Qualified.name"


@dataclass
class Unit:
    """A function, a method or a module-level assignment."""

    module: str
    node: ast.AST
    owner: Key | None = None  # the class of a method
    problem_codes: set[ErrorCode] = field(default_factory=set)
    request_codes: set[ErrorCode] = field(default_factory=set)
    refs: set[Key] = field(default_factory=set)


@dataclass
class Source:
    units: dict[Key, Unit] = field(default_factory=dict)
    # class key -> attribute -> class key (dataclass fields, annotated properties)
    attributes: dict[Key, dict[str, Key]] = field(default_factory=dict)
    # module -> local name -> what it imports
    imports: dict[str, dict[str, Key]] = field(default_factory=dict)

    def resolve(self, module: str, name: str) -> Key | None:
        """What ``name`` in ``module`` is (imports and re-exports followed)."""
        seen: set[Key] = set()
        key = f"{module}.{name}"
        while key not in self.units and key not in self.attributes:
            module, _, name = key.rpartition(".")
            following = self.imports.get(module, {}).get(name)
            if following is None or following in seen:
                return key if key in EXCEPTION_CODES else None
            seen.add(following)
            key = following
        return key


def module_names() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            if name not in CATALOGUE_MODULES:  # they name codes, they make none
                yield name, path


def read_source() -> Source:
    source = Source()
    trees = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in module_names()}
    for module, tree in trees.items():
        package = module if module in PACKAGES or _is_package(module) else module.rpartition(".")[0]
        source.imports[module] = _imports(tree, package)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                source.units[f"{module}.{node.name}"] = Unit(module, node)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        source.units[f"{module}.{target.id}"] = Unit(module, node)
            elif isinstance(node, ast.ClassDef):
                _read_class(source, module, node)
    for module, tree in trees.items():
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                _type_attributes(source, module, node)
    for unit in source.units.values():
        _scan(source, unit)
    source.units[TRANSLATION].request_codes -= set(EXCEPTION_CODES.values())
    return source


def _is_package(module: str) -> bool:
    return (ROOT / module.replace(".", "/") / "__init__.py").is_file()


def _imports(tree: ast.Module, package: str) -> dict[str, Key]:
    found: dict[str, Key] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found[alias.asname or alias.name] = f"{base}.{alias.name}"
    return found


def _read_class(source: Source, module: str, node: ast.ClassDef) -> None:
    key = f"{module}.{node.name}"
    source.attributes[key] = {}
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            source.units[f"{key}.{item.name}"] = Unit(module, item, owner=key)


def _type_attributes(source: Source, module: str, node: ast.ClassDef) -> None:
    """The class-typed attributes of a class: annotated fields and properties."""
    attributes = source.attributes[f"{module}.{node.name}"]
    for item in node.body:
        annotation: ast.expr | None = None
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            name, annotation = item.target.id, item.annotation
        elif isinstance(item, ast.FunctionDef) and item.returns is not None:
            name, annotation = item.name, item.returns
        if annotation is not None and (key := _annotated_class(source, module, annotation)):
            attributes[name] = key


def _annotated_class(source: Source, module: str, annotation: ast.expr) -> Key | None:
    """The class of ``X``, ``X | None`` or ``Callable[[], X]`` (a factory)."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        annotation = ast.parse(annotation.value, mode="eval").body
    if isinstance(annotation, ast.BinOp):
        return _annotated_class(source, module, annotation.left)
    if isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Tuple):
        return _annotated_class(source, module, annotation.slice.elts[-1])
    if isinstance(annotation, ast.Name):
        key = source.resolve(module, annotation.id)
        return key if key in source.attributes else None
    return None


def _scan(source: Source, unit: Unit) -> None:
    parents = {
        child: parent for parent in ast.walk(unit.node) for child in ast.iter_child_nodes(parent)
    }
    named_classes: set[Key] = set()
    calls: list[ast.Call] = []
    for node in ast.walk(unit.node):
        if isinstance(node, ast.Attribute) and _is_name(node.value, "ErrorCode"):
            _scan_code(unit, parents, node)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            _scan_name(source, unit, parents, node, named_classes)
        elif isinstance(node, ast.Call):
            calls.append(node)
    # After the walk: a call ``x.m()`` may go to any class the unit names.
    parameters = _parameter_classes(source, unit)
    for call in calls:
        _scan_call(source, unit, call, parameters, named_classes)


def _scan_code(unit: Unit, parents: dict[ast.AST, ast.AST], node: ast.Attribute) -> None:
    """``ErrorCode.X``: a problem's code, or the request's."""
    code = ErrorCode[node.attr]
    maker = _maker(parents, node)
    problem = unit.module.startswith("domain.") or maker in PROBLEM_MAKERS
    (unit.problem_codes if problem else unit.request_codes).add(code)


def _scan_name(
    source: Source,
    unit: Unit,
    parents: dict[ast.AST, ast.AST],
    node: ast.Name,
    named_classes: set[Key],
) -> None:
    """A name read: an exception raised, a unit referred to, or a class named."""
    key = source.resolve(unit.module, node.id)
    if key in EXCEPTION_CODES:
        if _raised(parents, node):
            unit.request_codes.add(EXCEPTION_CODES[key])
    elif key in source.units and not _only_tested(parents, node):
        unit.refs.add(key)
    elif key in source.attributes:
        named_classes.add(key)


def _scan_call(
    source: Source, unit: Unit, call: ast.Call, parameters: dict[str, Key], named: set[Key]
) -> None:
    """An id parsed (its kind's NOT_FOUND), or a method called."""
    if _is_name(call.func, *ID_PARSERS) and len(call.args) > 1:
        kind = call.args[1]
        if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
            unit.problem_codes.add(ErrorCode[f"{error_kind(kind.value)}_NOT_FOUND"])
    elif isinstance(call.func, ast.Attribute):
        owners = _owners(source, unit, call.func.value, parameters, named)
        unit.refs.update(
            f"{owner}.{call.func.attr}"
            for owner in owners
            if f"{owner}.{call.func.attr}" in source.units
        )


def _owners(
    source: Source, unit: Unit, value: ast.expr, parameters: dict[str, Key], named: set[Key]
) -> set[Key]:
    """The classes whose method ``value.m()`` may call."""
    if _is_name(value, "self", "cls") and unit.owner is not None:
        return {unit.owner}
    if isinstance(value, ast.Attribute):
        holders = [*HUBS, unit.owner] if _is_name(value.value, "self") else HUBS
        return {
            found
            for holder in holders
            if holder is not None
            and (found := source.attributes.get(holder, {}).get(value.attr)) is not None
        }
    if isinstance(value, ast.Name):
        if value.id in parameters:
            return {parameters[value.id]}
        return named
    return set()


def _parameter_classes(source: Source, unit: Unit) -> dict[str, Key]:
    node = unit.node
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return {}
    found: dict[str, Key] = {}
    for argument in [*node.args.args, *node.args.kwonlyargs]:
        if argument.annotation is not None:
            key = _annotated_class(source, unit.module, argument.annotation)
            if key is not None:
                found[argument.arg] = key
    return found


def _maker(parents: dict[ast.AST, ast.AST], node: ast.AST) -> str | None:
    """The name of the call the code is handed to, if any."""
    parent = parents.get(node)
    while parent is not None and not isinstance(parent, ast.Call | ast.stmt):
        parent = parents.get(parent)
    if isinstance(parent, ast.Call):
        func = parent.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return None


def _raised(parents: dict[ast.AST, ast.AST], node: ast.AST) -> bool:
    parent = parents.get(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        parent = parents.get(parent)
    return isinstance(parent, ast.Raise)


def _only_tested(parents: dict[ast.AST, ast.AST], node: ast.AST) -> bool:
    """``f(…) is None`` or ``is not None``: whatever code ``f`` returns goes no further."""
    call = parents.get(node)
    test = parents.get(call) if isinstance(call, ast.Call) and call.func is node else None
    return (
        isinstance(test, ast.Compare)
        and all(isinstance(op, ast.Is | ast.IsNot) for op in test.ops)
        and all(isinstance(c, ast.Constant) and c.value is None for c in test.comparators)
    )


def _is_name(node: ast.expr, *names: str) -> bool:
    return isinstance(node, ast.Name) and node.id in names
