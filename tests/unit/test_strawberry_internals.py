"""The Strawberry internals the compiled executor relies on (gql/strawberry_internals.py)
still behave as it expects. A failure here after a Strawberry upgrade names the
version: gql/strawberry_internals.py must follow the upgrade before compiled
execution can be trusted again."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from importlib.metadata import version
from typing import Any

import pytest
import strawberry
from graphql import GraphQLEnumType, GraphQLField, GraphQLObjectType, GraphQLString
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission

try:
    from gql import strawberry_internals
except ImportError as error:  # pragma: no cover - only after an incompatible upgrade
    pytest.fail(
        f"strawberry-graphql {version('strawberry-graphql')} no longer has what "
        f"gql/strawberry_internals.py imports: {error}",
        pytrace=False,
    )


def _changed(what: str) -> str:
    return (
        f"strawberry-graphql {strawberry_internals.installed_version()} changed {what} "
        f"(gql/strawberry_internals.py was written for {strawberry_internals.VERIFIED_WITH}): "
        "adapt that module, or turn compiled execution off (CONNECT_COMPILED_EXECUTION=false)"
    )


def _check(what: str, probe: Callable[[], Any], expected: Any) -> None:
    try:
        found = probe()
    except Exception as error:
        pytest.fail(f"{_changed(what)}: {error!r}", pytrace=False)
    if found != expected:
        pytest.fail(f"{_changed(what)}: expected {expected!r}, found {found!r}", pytrace=False)


class Deny(BasePermission):
    message = "denied"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.input
class Window:
    first_item: int
    last_item: int | None = None


@strawberry.type
class Probe:
    plain: str

    @strawberry.field
    def method(self) -> str:
        return f"method of {self.plain}"

    @strawberry.field
    async def asynchronous(self) -> str:
        return ""

    @strawberry.field
    def with_info(self, info: strawberry.Info) -> str:
        return ""

    @strawberry.field(permission_classes=[Deny])
    def guarded(self) -> str:
        return ""

    @strawberry.field
    def window(self, window_of: Window, count: int = 1) -> str:
        return ""


@strawberry.type
class ProbeQuery:
    probe: Probe


class ResolveHook(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        return _next(root, info, *args, **kwargs)


class ExecuteHook(SchemaExtension):
    def on_execute(self) -> Any:
        yield


SCHEMA = strawberry.Schema(query=ProbeQuery)


def _probe_field(name: str) -> GraphQLField:
    probe = strawberry_internals.graphql_schema(SCHEMA).get_type("Probe")
    assert isinstance(probe, GraphQLObjectType)
    return probe.fields[name]


def _strawberry_field(name: str) -> Any:
    found = strawberry_internals.strawberry_field(_probe_field(name))
    assert found is not None, _changed("the Strawberry field behind a graphql-core field")
    return found


def test_the_graphql_core_schema_behind_a_strawberry_schema() -> None:
    _check(
        "Schema._schema",
        lambda: strawberry_internals.graphql_schema(SCHEMA).query_type.name,  # type: ignore[union-attr]
        "ProbeQuery",
    )


def test_the_strawberry_field_behind_a_graphql_core_field() -> None:
    _check(
        'the "strawberry-definition" extension of a field',
        lambda: _strawberry_field("plain").python_name,
        "plain",
    )
    assert strawberry_internals.strawberry_field(GraphQLField(GraphQLString)) is None


def test_a_permission_guards_a_field() -> None:
    _check(
        "StrawberryField.permission_classes / .extensions",
        lambda: [
            strawberry_internals.is_guarded(_strawberry_field(n)) for n in ("plain", "guarded")
        ],
        [False, True],
    )


def test_the_function_behind_a_plain_resolver() -> None:
    def method_of(name: str) -> Callable[[Any], Any] | None:
        return strawberry_internals.plain_method(_strawberry_field(name))

    _check(
        "StrawberryResolver.wrapped_func / .signature / .reserved_parameters / .is_async",
        lambda: [
            method_of(n) is None for n in ("plain", "method", "asynchronous", "withInfo", "window")
        ],
        [True, False, True, True, True],
    )
    method = method_of("method")
    assert method is not None
    _check("the resolver's function", lambda: method(Probe(plain="x")), "method of x")


def test_arguments_are_converted_as_the_resolver_receives_them() -> None:
    _check(
        "strawberry.types.arguments.convert_arguments",
        lambda: strawberry_internals.convert_arguments(
            SCHEMA, _strawberry_field("window"), {"windowOf": {"firstItem": 3}, "count": 2}
        ),
        {"window_of": Window(first_item=3), "count": 2},
    )


def test_an_extension_that_hooks_every_field_is_recognised() -> None:
    _check(
        "SchemaExtension.resolve",
        lambda: [
            strawberry_internals.hooks_every_field(
                strawberry.Schema(query=ProbeQuery, extensions=extensions)
            )
            for extensions in ([], [ExecuteHook], [lambda: ExecuteHook()], [ResolveHook])
        ],
        [False, False, False, True],
    )


@strawberry.enum
class Shade(Enum):
    DARK = "dark"


@strawberry.interface
class Shaded:
    shade: Shade


@strawberry.type
class Painted(Shaded):
    pass


@strawberry.type
class CheckedPainted(Shaded):
    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, cls)


@strawberry.type
class PaintQuery:
    painted: Painted
    checked: CheckedPainted


PAINT = strawberry_internals.graphql_schema(strawberry.Schema(query=PaintQuery))


def test_how_a_plain_field_reads_its_object() -> None:
    def getter_of(name: str) -> Any:
        return strawberry_internals.plain_getter(_strawberry_field(name))

    _check(
        "StrawberryField.python_name / .base_resolver",
        lambda: [getter_of(n) is None for n in ("plain", "method", "guarded", "window")],
        [False, False, True, True],
    )
    _check("an attribute's getter", lambda: getter_of("plain")(Probe(plain="x")), "x")


def test_the_python_enum_behind_an_enum_type() -> None:
    shade = PAINT.get_type("Shade")
    assert isinstance(shade, GraphQLEnumType)
    _check(
        "CustomGraphQLEnumType.wrapped_cls", lambda: strawberry_internals.enum_class(shade), Shade
    )


def test_an_is_type_of_made_by_strawberry_is_recognised() -> None:
    def ignores_info(name: str) -> bool:
        found = PAINT.get_type(name)
        assert isinstance(found, GraphQLObjectType)
        return strawberry_internals.is_type_of_ignores_info(found)

    _check(
        "StrawberryObjectDefinition.is_type_of",
        lambda: [ignores_info(n) for n in ("Painted", "CheckedPainted")],
        [True, False],
    )
