"""Expected failures of the domain.

A ``DomainError`` carries one or more problems with stable codes; the API
layer returns them as data (``errors`` in a payload). ``NotAuthenticated`` and
``Forbidden`` are about the caller, not the input: the API turns them into
GraphQL errors with ``extensions.code``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.error_codes import ErrorCode


@dataclass(frozen=True)
class Problem:
    code: ErrorCode
    message: str
    field: tuple[str, ...] | None = None


class DomainError(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("a DomainError needs at least one problem")
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.code}: {p.message}" for p in self.problems))

    @classmethod
    def of(cls, code: ErrorCode, message: str, *field: str) -> DomainError:
        return cls([Problem(code, message, tuple(field) or None)])


def not_found(code: ErrorCode, *field: str) -> DomainError:
    """The one answer for both "does not exist" and "outside your locations"; ``code``
    is one of the ``…_NOT_FOUND`` codes."""
    label = code.removesuffix("_NOT_FOUND").replace("_", " ").lower()
    return DomainError.of(code, f"No such {label}.", *field)


class NotAuthenticated(Exception):
    """No credentials, or credentials that are not (or no longer) valid."""


class Forbidden(Exception):
    """The caller is known but its role does not allow the operation."""


class ServiceUnavailable(Exception):
    """A backing service (the database) could not serve this request in time.

    Nothing was changed by the part that failed; the caller may try again after
    ``retry_after`` seconds. The API answers HTTP 503 with ``Retry-After``.
    """

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after
