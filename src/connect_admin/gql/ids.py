"""Opaque Relay IDs and cursors.

An ID is base64url of ``Type:number``; a malformed or foreign ID is simply
not found, so a client learns nothing from probing.
"""

from __future__ import annotations

import base64
import binascii
import functools

from connect_admin.domain.errors import DomainError, not_found


# A users page makes some 500 ids, mostly of the same locations, groups and teams.
@functools.lru_cache(maxsize=16_384)
def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def parse_global_id(global_id: str) -> tuple[str, int] | None:
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        number = int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not type_name or number < 1 or str(number) != pk:
        return None
    return type_name, number


def pk_of(global_id: str, type_name: str, *field: str) -> int:
    """The number inside an ID of the given type; otherwise ``<TYPE>_NOT_FOUND``."""
    parsed = parse_global_id(global_id)
    if parsed is None or parsed[0] != type_name:
        raise not_found(_error_kind(type_name), *field)
    return parsed[1]


def maybe_pk_of(global_id: str | None, type_name: str, *field: str) -> int | None:
    return None if global_id is None else pk_of(global_id, type_name, *field)


def _error_kind(type_name: str) -> str:
    return "".join("_" + c if c.isupper() else c for c in type_name).lstrip("_").upper()


CURSOR_PREFIX = "cursor:"


def to_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{pk}".encode()).decode().rstrip("=")


def parse_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        if text.startswith(CURSOR_PREFIX):
            pk = int(text.removeprefix(CURSOR_PREFIX))
            if pk >= 0:
                return pk
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise DomainError.of("INVALID_CURSOR", "Not a cursor of this connection.", "after")
