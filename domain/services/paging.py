"""Page sizes: a default, and a cap that protects the server; forwards (first, after)
or backwards (last, before), as Relay's connections page."""

from __future__ import annotations

from dataclasses import dataclass

from domain.error_codes import ErrorCode
from domain.errors import DomainError
from domain.services.config import ServiceConfig


@dataclass(frozen=True)
class PageRequest:
    """``first`` items (the page's size) after ``after_id`` and before ``before_id``;
    the last ones of those when ``from_end`` (Relay's ``last``)."""

    first: int
    after_id: int | None = None
    before_id: int | None = None
    from_end: bool = False


def page_request(
    config: ServiceConfig,
    first: int | None,
    after_id: int | None,
    last: int | None = None,
    before_id: int | None = None,
) -> PageRequest:
    if first is not None and last is not None:
        raise DomainError.of(ErrorCode.INVALID_PAGE_SIZE, "Give first or last, not both.", "last")
    size, field = (last, "last") if last is not None else (first, "first")
    if size is None:
        size = config.default_page_size
    if not 0 <= size <= config.max_page_size:
        raise DomainError.of(
            ErrorCode.INVALID_PAGE_SIZE,
            f"{field} must be between 0 and {config.max_page_size}.",
            field,
        )
    return PageRequest(
        first=size, after_id=after_id, before_id=before_id, from_end=last is not None
    )
