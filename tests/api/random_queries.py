"""Random read requests, made by walking the live schema with a seeded random.Random.

Every request is a valid-looking query document the way a client would send it:
fields with aliases and arguments (literals or variables), named fragments and
inline fragments (on ``Node`` and on types that do not apply), ``@include`` and
``@skip``, sometimes several operations in one document (then with
``operationName``), bad cursors, page sizes and IDs, and a few outright mistakes.
It goes as a JSON POST, a GET or a bare ``application/graphql`` POST, accepting
``application/json`` or ``application/graphql-response+json``.

The same seed gives the same requests (nothing here reads the clock or the
process's hash seed), so a failure names the request to replay. The fan-out is
kept small: lists below lists stop once a branch would hold some hundreds of
objects.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlencode

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
    get_nullable_type,
)

JSON_MEDIA_TYPE = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"

# How many objects one branch of a query may reach before lists stop nesting.
FAN_OUT = 300
# Object levels below the root.
MAX_DEPTH = 5
# Guesses of list lengths in the test organisation, for the fan-out; a connection
# counts its ``first`` (else the default page size), its edges then count once.
LIST_SIZES = {"members": 8, "locations": 2, "edges": 1}
DEFAULT_LIST_SIZE = 3
DEFAULT_PAGE_SIZE = 20
# The share of plain requests (see QueryGenerator.request), and how often one is drawn
# until it compiles.
PLAIN = 0.35
PLAIN_TRIES = 30


@dataclass(frozen=True)
class RandomRequest:
    query: str
    variables: dict[str, Any]
    operation_name: str | None
    # "post" (JSON), "get" or "graphql" (the bare query as application/graphql).
    method: str
    accept: str

    def http(self) -> tuple[str, str, dict[str, str], bytes | None]:
        """Method, target, headers and body of the request."""
        headers = {"Accept": self.accept}
        if self.method == "get":
            params = {"query": self.query}
            if self.variables:
                params["variables"] = json.dumps(self.variables)
            if self.operation_name is not None:
                params["operationName"] = self.operation_name
            return "GET", f"/graphql?{urlencode(params)}", headers, None
        if self.method == "graphql":
            target = "/graphql"
            if self.operation_name is not None:
                target += "?" + urlencode({"operationName": self.operation_name})
            headers["Content-Type"] = "application/graphql"
            return "POST", target, headers, self.query.encode()
        payload: dict[str, Any] = {"query": self.query, "variables": self.variables}
        if self.operation_name is not None:
            payload["operationName"] = self.operation_name
        headers["Content-Type"] = JSON_MEDIA_TYPE
        return "POST", "/graphql", headers, json.dumps(payload).encode()

    def __str__(self) -> str:
        return (
            f"{self.method.upper()} accept={self.accept} operationName={self.operation_name!r} "
            f"variables={json.dumps(self.variables)}\n{self.query}"
        )


@dataclass
class Values:
    """What arguments are drawn from: IDs of every kind (existing, of another type,
    missing, malformed), cursors (valid and not) and search words."""

    ids: list[str]
    cursors: list[str]
    searches: list[str] = field(
        default_factory=lambda: ["user1", "LAST 2", "example.com", "nobody", "%", "_", ""]
    )


ObjectLike = GraphQLObjectType | GraphQLInterfaceType


class _Scope(NamedTuple):
    """Where a selection set is made: its depth below the root, how many objects its
    branch may reach, and the static type of the field it belongs to."""

    depth: int
    fan_out: int
    static: str


@dataclass
class _Operation:
    name: str | None
    definitions: list[str] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    body: str = ""


class QueryGenerator:
    """``request()`` makes the next random request."""

    def __init__(
        self,
        schema: GraphQLSchema,
        values: Values,
        rng: random.Random,
        compiles: Callable[[str, str | None], bool] | None = None,
    ) -> None:
        """``compiles(query, operation_name)``: whether the compiled executor takes
        the query; the plain requests are drawn until it does (a few tries)."""
        self._compiles = compiles
        self._schema = schema
        self._values = values
        self._rng = rng
        query_type = schema.query_type
        assert query_type is not None
        self._query_type = query_type
        # Sorted: the order of the schema's maps must not decide what is drawn.
        self._node_types = sorted(
            (
                t
                for t in schema.type_map.values()
                if isinstance(t, GraphQLObjectType) and any(i.name == "Node" for i in t.interfaces)
            ),
            key=lambda t: t.name,
        )
        # Names whose fields differ in type between parents: under a type condition
        # two of them under one key would not merge, so they are keyed by the parent.
        shapes: dict[str, set[str]] = {}
        for t in schema.type_map.values():
            if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
                for name, definition in t.fields.items():
                    shapes.setdefault(name, set()).add(str(definition.type))
        self._ambiguous = {name for name, types in shapes.items() if len(types) > 1}
        # The request being made.
        self._plain = False
        self._fragments: list[str] = []
        self._counter = 0
        self._current = _Operation(None)

    # --- the document -------------------------------------------------------------

    def request(self) -> RandomRequest:
        # Now and then the kind of query the compiled executor takes: no directives,
        # no arguments below the root, and, if it can tell, one that it does take.
        self._plain = self._rng.random() < PLAIN
        request = self._request()
        tries = 1
        while self._plain and self._compiles is not None and tries < PLAIN_TRIES:
            if self._compiles(request.query, request.operation_name):
                break
            request = self._request()
            tries += 1
        return request

    def _request(self) -> RandomRequest:
        rng = self._rng
        self._fragments = []
        self._counter = 0
        several = rng.random() < 0.15
        operations = [
            self._operation(f"Op{i}" if several else None)
            for i in range(rng.randint(2, 3) if several else 1)
        ]
        chosen = rng.choice(operations)
        operation_name = chosen.name
        if several and rng.random() < 0.05:
            operation_name = rng.choice([None, "Missing"])
        texts = [self._operation_text(op) for op in operations]
        query = "\n".join(texts + self._fragments)
        if rng.random() < 0.03:
            query = self._mistake(query)
        variables = dict(chosen.variables)
        draw = rng.random()
        if draw < 0.65:
            method = "post"
        elif draw < 0.9 or chosen.definitions:
            method = "get"
        else:
            method = "graphql"  # no variables in a bare query
        accept = GRAPHQL_RESPONSE if rng.random() < 0.25 else JSON_MEDIA_TYPE
        return RandomRequest(query, variables, operation_name, method, accept)

    def _operation(self, name: str | None) -> _Operation:
        operation = _Operation(name)
        self._current = operation
        rng = self._rng
        query = self._query_type
        roots = [f for f in query.fields if f != "node"]
        root = _Scope(0, 1, query.name)
        selections = []
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            draw = rng.random()
            name = "me" if draw < 0.1 else "node" if draw < 0.3 else rng.choice(roots)
            if self._plain and name == "node":
                name = "users"
            selections.append(self._field(query, name, root))
        if rng.random() < 0.05:
            selections.append("__typename")
        operation.body = "{ " + " ".join(selections) + " }"
        return operation

    def _operation_text(self, operation: _Operation) -> str:
        body = operation.body
        if operation.name is None and not operation.definitions and self._rng.random() < 0.5:
            return body
        definitions = f"({', '.join(operation.definitions)})" if operation.definitions else ""
        name = f" {operation.name}" if operation.name else ""
        return f"query{name}{definitions} {body}"

    def _mistake(self, query: str) -> str:
        return self._rng.choice(
            [
                query.replace("{", "{ noSuchField ", 1),
                query + " fragment Unused on User { id }",
                query[: len(query) // 2],
                query.replace("query", "query($unused: Int)", 1),
            ]
        )

    # --- selections ---------------------------------------------------------------

    def _selection_set(self, type_: ObjectLike, scope: _Scope) -> str:
        rng = self._rng
        selections: list[str] = []
        for _ in range(rng.randint(1, 4 if scope.depth < 2 else 3)):
            draw = rng.random()
            if draw < 0.06:
                selections.append(self._inline_fragment(type_, scope))
            elif draw < 0.11:
                selections.append(self._fragment_spread(type_, scope))
            elif draw < 0.14:
                selections.append(self._alias("__typename"))
            else:
                selections.append(self._field(type_, self._pick_field(type_, scope), scope))
        return "{ " + " ".join(selections) + " }"

    def _pick_field(self, type_: ObjectLike, scope: _Scope) -> str:
        names: list[str] = list(type_.fields)
        if self._plain:
            names = [n for n in names if not type_.fields[n].args] or names
        if scope.depth >= MAX_DEPTH or scope.fan_out >= FAN_OUT:
            leaves = [n for n in names if _is_leaf(type_.fields[n].type)]
            if leaves:
                names = leaves
        return self._rng.choice(names)

    def _field(self, parent: ObjectLike, name: str, scope: _Scope) -> str:
        rng = self._rng
        definition = parent.fields[name]
        arguments = self._arguments(definition)
        text = name
        if arguments:
            text += "(" + ", ".join(f"{n}: {text}" for n, (text, _) in arguments.items()) + ")"
        # A field with arguments gets a key of its own: two of them under one key
        # with other arguments would not merge. Nor would two fields of one name but
        # of different types, from different type conditions.
        if arguments or rng.random() < 0.2:
            text = self._alias(text)
        elif parent.name != scope.static and name in self._ambiguous:
            text = f"{parent.name}_{name}: {text}"
        text += self._directive()
        named = get_named_type(definition.type)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            fan_out = scope.fan_out
            if "first" in definition.args:
                first = arguments.get("first", arguments.get("last", (None, DEFAULT_PAGE_SIZE)))[1]
                fan_out *= max(1, first) if isinstance(first, int) else DEFAULT_PAGE_SIZE
            elif _is_list(definition.type):
                fan_out *= LIST_SIZES.get(name, DEFAULT_LIST_SIZE)
            text += " " + self._selection_set(named, _Scope(scope.depth + 1, fan_out, named.name))
        return text

    def _alias(self, text: str) -> str:
        self._counter += 1
        return f"k{self._counter}: {text}"

    def _conditions(self, type_: ObjectLike) -> list[str]:
        """Type conditions that may be spread here: the type, its interfaces, and
        inside ``Node`` every node type (most do not apply)."""
        if isinstance(type_, GraphQLInterfaceType):
            return [type_.name] + [t.name for t in self._node_types]
        return [type_.name] + [i.name for i in type_.interfaces]

    def _fragment_type(self, condition: str) -> ObjectLike:
        found = self._schema.get_type(condition)
        assert isinstance(found, GraphQLObjectType | GraphQLInterfaceType)
        return found

    def _inline_fragment(self, type_: ObjectLike, scope: _Scope) -> str:
        rng = self._rng
        if rng.random() < 0.15:
            directive = "" if self._plain else self._directive(always=True)
            return f"...{directive} {self._selection_set(type_, scope)}"
        condition = rng.choice(self._conditions(type_))
        body = self._selection_set(self._fragment_type(condition), scope)
        return f"... on {condition}{self._directive()} {body}"

    def _fragment_spread(self, type_: ObjectLike, scope: _Scope) -> str:
        condition = self._rng.choice(self._conditions(type_))
        name = f"F{len(self._fragments)}"
        self._fragments.append("")  # its name is taken before its body is made
        index = len(self._fragments) - 1
        body = self._selection_set(self._fragment_type(condition), scope)
        self._fragments[index] = f"fragment {name} on {condition} {body}"
        return f"...{name}{self._directive()}"

    def _directive(self, *, always: bool = False) -> str:
        rng = self._rng
        if not always and (self._plain or rng.random() > 0.07):
            return ""
        directive = rng.choice(["include", "skip"])
        if rng.random() < 0.5:
            return f" @{directive}(if: {rng.choice(['true', 'false'])})"
        variable = self._variable("Boolean!", rng.choice([True, False]))
        return f" @{directive}(if: {variable})"

    # --- arguments ----------------------------------------------------------------

    def _arguments(self, definition: GraphQLField) -> dict[str, tuple[str, Any]]:
        """By name: the argument's text (a literal or a variable) and its value."""
        rng = self._rng
        arguments = {}
        for name, argument in definition.args.items():
            required = isinstance(argument.type, GraphQLNonNull)
            if not required and rng.random() < 0.5:
                continue
            value = self._value(name, argument.type)
            if rng.random() < 0.3:
                text = self._variable(str(argument.type), value)
            else:
                text = _literal(value, argument.type)
            arguments[name] = (text, value)
        return arguments

    def _variable(self, type_text: str, value: Any) -> str:
        operation = self._current
        name = f"v{len(operation.definitions)}"
        operation.definitions.append(f"${name}: {type_text}")
        if self._rng.random() > 0.02:  # now and then a required one is missing
            operation.variables[name] = value
        return f"${name}"

    def _value(self, name: str, type_: GraphQLInputType) -> Any:
        rng = self._rng
        values = self._values
        named = get_named_type(type_)
        nullable = not isinstance(type_, GraphQLNonNull)
        if nullable and rng.random() < 0.05:
            return None
        if name in ("first", "last"):
            return rng.choice([0, 1, 1, 2, 2, 3, 5, 10, 100, 101, -1])
        if name in ("after", "before"):
            return rng.choice(values.cursors)
        if named.name == "ID":
            return rng.choice(values.ids)
        if name == "search":
            return rng.choice(values.searches)
        if isinstance(named, GraphQLInputObjectType):
            fields = sorted(named.fields.items())
            chosen = rng.sample(fields, rng.randint(1, min(3, len(fields))))
            return {n: self._value(n, f.type) for n, f in chosen}
        if isinstance(named, GraphQLEnumType):
            return rng.choice(sorted(named.values))
        if named.name == "Boolean":
            return rng.choice([True, False])
        if named.name == "Int":
            return rng.randint(-1, 5)
        return rng.choice(values.searches)


def _is_leaf(type_: GraphQLOutputType) -> bool:
    return isinstance(get_named_type(type_), GraphQLScalarType | GraphQLEnumType)


def _is_list(type_: GraphQLOutputType) -> bool:
    return isinstance(get_nullable_type(type_), GraphQLList)


def _literal(value: Any, type_: GraphQLInputType) -> str:
    """``value`` as a GraphQL literal of ``type_``."""
    named = get_named_type(type_)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value if isinstance(named, GraphQLEnumType) else json.dumps(value)
    if isinstance(value, dict):
        assert isinstance(named, GraphQLInputObjectType)
        items = (f"{k}: {_literal(v, named.fields[k].type)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(_literal(v, named) for v in value) + "]"  # type: ignore[arg-type]
    raise TypeError(value)
