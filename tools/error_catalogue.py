"""The error catalogue (docs/errors.md), made from the code: which codes the code base
can answer with, what each means (``domain/error_codes.py``), and which GraphQL
fields can answer with each: those whose resolvers reach a place the code is made
(read from the source by tools/error_sources.py).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from domain.error_codes import ErrorCode
from tools.error_sources import Key, Source, read_source

ROOT_TYPES = ("Query", "Mutation", "Subscription")


@dataclass(frozen=True)
class Entry:
    code: ErrorCode
    fields: tuple[str, ...]  # Query/Mutation/Subscription fields by name, others Type.field
    any_request: bool  # also made before or around any field's resolver


@dataclass(frozen=True)
class Catalogue:
    problems: tuple[Entry, ...]  # a payload's errors, or a BAD_USER_INPUT's problems
    requests: tuple[Entry, ...]  # a GraphQL error's (or refused request's) extensions.code


def field_resolvers() -> dict[str, Key]:
    """Every field of the schema that has a resolver of ours, and that resolver."""
    from gql.limits import Limits
    from gql.schema import build_schema
    from gql.strawberry_internals import graphql_schema, strawberry_field

    found: dict[str, Key] = {}
    for type_name, graphql_type in graphql_schema(build_schema(Limits())).type_map.items():
        for name, definition in (getattr(graphql_type, "fields", None) or {}).items():
            strawberry = strawberry_field(definition)
            resolver = strawberry.base_resolver if strawberry is not None else None
            if resolver is not None:
                function = resolver.wrapped_func
                label = name if type_name in ROOT_TYPES else f"{type_name}.{name}"
                found[label] = f"{function.__module__}.{function.__qualname__}"
    return found


def catalogue() -> Catalogue:
    source = read_source()
    problem_fields: dict[ErrorCode, set[str]] = {}
    request_fields: dict[ErrorCode, set[str]] = {}
    reached: set[Key] = set()
    for label, resolver in field_resolvers().items():
        for key in _reachable(source, resolver):
            reached.add(key)
            unit = source.units[key]
            for code in unit.problem_codes:
                problem_fields.setdefault(code, set()).add(label)
            for code in unit.request_codes:
                request_fields.setdefault(code, set()).add(label)
    made_outside = {
        code
        for key, unit in source.units.items()
        if key not in reached
        for code in unit.request_codes
    }
    made = {code for unit in source.units.values() for code in unit.problem_codes}
    return Catalogue(
        problems=tuple(
            Entry(code, _in_order(problem_fields.get(code, set())), False)
            for code in ErrorCode
            if code in made
        ),
        requests=tuple(
            Entry(code, _in_order(request_fields.get(code, set())), code in made_outside)
            for code in ErrorCode
            if code in made_outside or code in request_fields
        ),
    )


def _reachable(source: Source, start: Key) -> set[Key]:
    seen: set[Key] = set()
    stack = [start] if start in source.units else []
    while stack:
        key = stack.pop()
        if key not in seen:
            seen.add(key)
            stack.extend(source.units[key].refs - seen)
    return seen


def _in_order(labels: set[str]) -> tuple[str, ...]:
    """Query, Mutation and Subscription fields first, then those of other types."""
    return tuple(sorted(labels, key=lambda label: ("." in label, label)))


# ---- docs/errors.md --------------------------------------------------------------------

INTRODUCTION = """\
# Error codes

Generated from `domain/error_codes.py` by `python -m tools.error_catalogue`: do not edit;
`tests/test_error_codes.py` keeps it equal to the code. The fields that return a
code are found in the source: the code is made in what the field's resolver calls.

A code is stable: a client may rely on it, never on the message.
"""

PROBLEMS_HEADING = """\
## In a payload's `errors` (and a query's `BAD_USER_INPUT` problems)

An expected failure: a mutation answers it in its payload's `errors: [UserError!]!`
(`code`, `message`, `field`: the input field at fault), with `null` in every other
field of the payload; `resetUsers` also per user and action (`actions { errors }`,
`warnings`). A query or field answers it as a GraphQL error `BAD_USER_INPUT` that
lists each in `extensions.problems`.
"""

REQUESTS_HEADING = """\
## In a GraphQL error's `extensions.code`

The request or the caller, not the input, was refused: a GraphQL error in the
response's `errors`, with `extensions.code` (and for some, more in `extensions`);
codes with an HTTP status are answered with that status, the body a GraphQL error.
"Any request": the code is made around every operation (the HTTP layer, the query
limits, the sign-in gate, the error translation), whatever field it asks for.
"""


def markdown(found: Catalogue | None = None) -> str:
    found = catalogue() if found is None else found
    return "\n".join(
        [
            INTRODUCTION,
            PROBLEMS_HEADING,
            *_table(found.problems),
            "",
            REQUESTS_HEADING,
            *_table(found.requests),
            "",
        ]
    )


def _table(entries: tuple[Entry, ...]) -> list[str]:
    rows = ["| code | meaning | returned by |", "|---|---|---|"]
    for entry in entries:
        # Made around every operation: listing the fields as well would say no more.
        cells = "any request" if entry.any_request else ", ".join(f"`{f}`" for f in entry.fields)
        rows.append(f"| `{entry.code}` | {entry.code.meaning} | {cells} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.error_catalogue [--output docs/errors.md]`` (``-`` for stdout)."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.error_catalogue", description="write the error catalogue"
    )
    parser.add_argument(
        "--output", default="docs/errors.md", help="file, or - for stdout; default: %(default)s"
    )
    args = parser.parse_args(argv)
    if args.output == "-":
        sys.stdout.write(markdown())
    else:
        Path(args.output).write_text(markdown(), encoding="utf-8")
        print(f"Wrote the error catalogue to {args.output}.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
