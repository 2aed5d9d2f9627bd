"""Parsing with a cache of documents, failures reported as the operation's result."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import ParserCache


class DocumentCache(ParserCache):
    """Strawberry's ParserCache, except for a document that does not parse: that one is
    left to Strawberry's own parse, which makes the failure the operation's result.
    Raised from here, it would pass every extension's ``on_operation`` by (no
    ``extensions.code``, no access-log facts)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        except GraphQLError:
            context.graphql_document = None
        yield
