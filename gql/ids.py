"""Opaque Relay IDs and cursors.

An ID is base64url of ``Type:number``; a malformed or foreign ID is simply
not found, so a client learns nothing from probing.
"""

from __future__ import annotations

import base64
import binascii

from domain.error_codes import ErrorCode
from domain.errors import DomainError, not_found

# Re-exported: the GraphQL layer names IDs from here.
from domain.global_ids import to_global_id as to_global_id
from domain.services.validation import parse_id_number

# Far more than any ID or cursor of ours ("ConfigurationGroup:" and 19 digits, in base64).
MAX_ENCODED_LENGTH = 100


def _decoded(text: str) -> str | None:
    if len(text) > MAX_ENCODED_LENGTH:
        return None
    try:
        padded = text + "=" * (-len(text) % 4)
        # validate: junk characters (a NUL, spaces) make no ID, rather than being skipped.
        return base64.b64decode(padded.encode(), altchars=b"-_", validate=True).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def parse_global_id(global_id: str) -> tuple[str, int] | None:
    """The type and number of an ID; None for anything that is no ID of ours, a
    number out of the database's range (above 2^63 - 1, or below 1) included."""
    decoded = _decoded(global_id)
    if decoded is None:
        return None
    type_name, _, pk = decoded.partition(":")
    number = parse_id_number(pk)
    if not type_name or number is None:
        return None
    return type_name, number


def pk_of(global_id: str, type_name: str, *field: str) -> int:
    """The number inside an ID of the given type; otherwise ``<TYPE>_NOT_FOUND``."""
    parsed = parse_global_id(global_id)
    if parsed is None or parsed[0] != type_name:
        # ErrorCode(...) refuses a code the registry does not define.
        raise not_found(ErrorCode[f"{error_kind(type_name)}_NOT_FOUND"], *field)
    return parsed[1]


def maybe_pk_of(global_id: str | None, type_name: str, *field: str) -> int | None:
    return None if global_id is None else pk_of(global_id, type_name, *field)


def error_kind(type_name: str) -> str:
    return "".join("_" + c if c.isupper() else c for c in type_name).lstrip("_").upper()


CURSOR_PREFIX = "cursor:"


def to_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{pk}".encode()).decode().rstrip("=")


def parse_cursor(cursor: str | None, field: str = "after") -> int | None:
    """The key after (or before) which a page starts; INVALID_CURSOR for anything that
    is no cursor of ours, a number out of the database's range included."""
    if cursor is None:
        return None
    decoded = _decoded(cursor)
    if decoded is not None and decoded.startswith(CURSOR_PREFIX):
        pk = parse_id_number(decoded.removeprefix(CURSOR_PREFIX))
        if pk is not None:
            return pk
    raise DomainError.of(ErrorCode.INVALID_CURSOR, "Not a cursor of this connection.", field)
