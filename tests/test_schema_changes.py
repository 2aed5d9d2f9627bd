"""Schema change discipline (docs/schema-changelog.md): schema.graphql breaks nothing
of the newest released schema, names every addition since the contract in the
changelog, and deprecates only with a reason."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from graphql import (
    DEFAULT_DEPRECATION_REASON,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
)

ROOT = Path(__file__).resolve().parents[1]
RELEASED = ROOT / "docs" / "released"
CHANGELOG = ROOT / "docs" / "schema-changelog.md"


def schema_at(path: Path) -> GraphQLSchema:
    return build_schema(path.read_text(encoding="utf-8"))


def released() -> list[tuple[tuple[int, ...], Path]]:
    found = []
    for path in RELEASED.glob("schema-*.graphql"):
        version = path.stem.removeprefix("schema-")
        found.append((tuple(int(part) for part in version.split(".")), path))
    return sorted(found)


def breaks(old: GraphQLSchema, new: GraphQLSchema) -> list[str]:
    return [
        f"{change.type.name}: {change.description}" for change in find_breaking_changes(old, new)
    ]


def coordinates(schema: GraphQLSchema) -> Iterator[str]:
    """Every type, field, argument, input field and enum value, as schema coordinates."""
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        yield name
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                yield f"{name}.{field_name}"
                yield from (f"{name}.{field_name}({arg}:)" for arg in field.args)
        elif isinstance(graphql_type, GraphQLInputObjectType):
            yield from (f"{name}.{field_name}" for field_name in graphql_type.fields)
        elif isinstance(graphql_type, GraphQLEnumType):
            yield from (f"{name}.{value}" for value in graphql_type.values)


def deprecated(schema: GraphQLSchema) -> Iterator[tuple[str, str | None]]:
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                if field.deprecation_reason is not None:
                    yield f"{name}.{field_name}", field.deprecation_reason
                for arg_name, arg in field.args.items():
                    if arg.deprecation_reason is not None:
                        yield f"{name}.{field_name}({arg_name}:)", arg.deprecation_reason
        elif isinstance(graphql_type, GraphQLInputObjectType):
            for field_name, input_field in graphql_type.fields.items():
                if input_field.deprecation_reason is not None:
                    yield f"{name}.{field_name}", input_field.deprecation_reason
        elif isinstance(graphql_type, GraphQLEnumType):
            for value_name, value in graphql_type.values.items():
                if value.deprecation_reason is not None:
                    yield f"{name}.{value_name}", value.deprecation_reason


def test_schema_graphql_breaks_nothing_of_the_newest_released_schema() -> None:
    _, path = released()[-1]
    assert breaks(schema_at(path), schema_at(ROOT / "schema.graphql")) == [], (
        f"schema.graphql breaks {path.name}: add instead, deprecate what is retired"
    )


def test_the_breaking_change_check_names_a_break() -> None:
    old = build_schema("type Query { users: [String!]! me: String }")
    new = build_schema("type Query { users: [String] }")
    assert breaks(old, new) == [
        "FIELD_REMOVED: Field Query.me was removed.",
        "FIELD_CHANGED_KIND: Field Query.users changed type from [String!]! to [String].",
    ]


def test_the_released_schemas_are_named_by_version_and_match_the_project() -> None:
    versions = [version for version, _ in released()]
    assert versions, "docs/released/ holds no schema-<version>.graphql"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([0-9.]+)"$', pyproject, re.MULTILINE)
    assert match is not None
    assert versions[-1] <= tuple(int(part) for part in match.group(1).split("."))


def test_the_changelog_names_every_addition_since_the_contract() -> None:
    contract = set(coordinates(schema_at(ROOT / "docs" / "contract.graphql")))
    changelog = CHANGELOG.read_text(encoding="utf-8")
    named = set(re.findall(r"`([^`]+)`", changelog))
    added = [c for c in coordinates(schema_at(ROOT / "schema.graphql")) if c not in contract]
    assert added, "nothing added since the contract: the check below checks nothing"
    assert [c for c in added if c not in named] == [], (
        "name these additions in docs/schema-changelog.md (under Unreleased)"
    )


def test_whatever_is_deprecated_says_why_and_is_in_the_changelog() -> None:
    changelog = CHANGELOG.read_text(encoding="utf-8")
    for coordinate, reason in deprecated(schema_at(ROOT / "schema.graphql")):
        assert reason not in (None, "", DEFAULT_DEPRECATION_REASON), f"{coordinate}: no reason"
        assert f"`{coordinate}`" in changelog, (
            f"{coordinate} is deprecated: say so in the changelog"
        )


def test_the_deprecation_check_finds_what_is_deprecated() -> None:
    """Nothing in schema.graphql is deprecated today; the check above still works."""
    schema = build_schema(
        """
        type Query {
          users(filter: String @deprecated(reason: "Use search.")): [String!]!
          me: String @deprecated
        }
        enum Level { LOW HIGH @deprecated(reason: "Use LOW.") }
        """
    )
    assert list(deprecated(schema)) == [
        ("Query.users(filter:)", "Use search."),
        ("Query.me", DEFAULT_DEPRECATION_REASON),
        ("Level.HIGH", "Use LOW."),
    ]
    assert list(deprecated(schema_at(ROOT / "schema.graphql"))) == []
