"""Page sizes: a default, and a cap that protects the server."""

from __future__ import annotations

from dataclasses import dataclass

from domain.error_codes import ErrorCode
from domain.errors import DomainError
from domain.services.config import ServiceConfig


@dataclass(frozen=True)
class PageRequest:
    first: int
    after_id: int | None = None


def page_request(config: ServiceConfig, first: int | None, after_id: int | None) -> PageRequest:
    if first is None:
        first = config.default_page_size
    if not 0 <= first <= config.max_page_size:
        raise DomainError.of(
            ErrorCode.INVALID_PAGE_SIZE,
            f"first must be between 0 and {config.max_page_size}.",
            "first",
        )
    return PageRequest(first=first, after_id=after_id)
