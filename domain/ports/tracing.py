"""The tracing port: a span around a piece of work, for the operators' traces.

The server implements it with OpenTelemetry when traces are on (server/tracing.py);
otherwise, and in the domain's tests, nothing is recorded. Attributes are counts and
names of the work, never a value a user entered or a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

SpanAttributes = Mapping[str, str | int | bool]


class Tracer(Protocol):
    def span(self, name: str, attributes: SpanAttributes) -> AbstractContextManager[None]:
        """A span named ``name`` for the block, a child of the current one."""
        ...


class NoTracing:
    def span(self, name: str, attributes: SpanAttributes) -> AbstractContextManager[None]:
        return nullcontext()


NO_TRACING: Tracer = NoTracing()

__all__ = ["NO_TRACING", "NoTracing", "SpanAttributes", "Tracer"]
