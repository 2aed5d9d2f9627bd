"""Decoding the JSON columns (settings, audit details, mail context) defensively.

The API bounds every JSON value it stores (domain/services/validation.py), but
rows written before those limits, or by hand, may hold values no answer can
carry: nested beyond what orjson and Python's recursion take, NaN or Infinity,
integers beyond 64 bits. Such a value must not break every read of its row.
So an entry of a stored object that cannot be served is left out when read
(the setting reads as not set, and the group's or location's value applies),
with a warning in the log naming the key; the next write of that list stores
it without the entry. A column that cannot be decoded at all reads as ``{}``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import orjson

from domain.services.validation import MAX_STORED_JSON_DEPTH, stored_json_problem

logger = logging.getLogger("connect_admin.persistence.json_columns")


def decode_json(text: str | bytes) -> Any:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        value = _decode_leniently(text)
    else:
        # What orjson decodes holds no NaN, Infinity or integer beyond 64 bits, and
        # nothing is nested too deep in text this short (two characters a level) or
        # with this few brackets: the usual column is not walked.
        if len(text) <= 2 * MAX_STORED_JSON_DEPTH or _brackets(text) <= MAX_STORED_JSON_DEPTH:
            return value
    if isinstance(value, dict):
        return _servable(value)
    return value if stored_json_problem(value) is None else {}


def _brackets(text: str | bytes) -> int:
    if isinstance(text, str):
        return text.count("[") + text.count("{")
    return text.count(b"[") + text.count(b"{")


def _decode_leniently(text: str | bytes) -> Any:
    """What the json module reads (NaN, Infinity, big integers); ``{}`` otherwise."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        logger.warning(
            "a stored JSON column cannot be decoded (%s); it reads as empty",
            type(error).__name__,
        )
        return {}


def _servable(value: dict[str, Any]) -> dict[str, Any]:
    left_out: dict[str, str] = {}
    for key, item in value.items():
        problem = stored_json_problem(item) if item is not None else None
        if problem is not None:
            left_out[key] = problem
    if not left_out:
        return value
    for key, problem in left_out.items():
        logger.warning(
            "the stored JSON value of %r cannot be served (%s); it is left out",
            key[:80],
            problem,
        )
    return {k: v for k, v in value.items() if k not in left_out}
