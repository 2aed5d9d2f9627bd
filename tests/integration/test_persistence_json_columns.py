"""Decoding the JSON columns: a stored value no answer can carry is left out.

The same through the API, with the values written into SQLite and PostgreSQL, is
in tests/api/test_input_limits_api.py.
"""

from __future__ import annotations

import logging

import pytest

from domain.services.validation import MAX_STORED_JSON_DEPTH
from persistence.json_columns import decode_json


def nested_text(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def test_ordinary_columns_decode_as_they_are() -> None:
    assert decode_json('{"language": "de", "away": {"minutes": 5}}') == {
        "language": "de",
        "away": {"minutes": 5},
    }
    assert decode_json(b'{"a": [1, 2.5, null, true]}') == {"a": [1, 2.5, None, True]}
    long_but_flat = '{"a": "%s"}' % ("x" * 10_000)
    assert decode_json(long_but_flat) == {"a": "x" * 10_000}


def test_an_entry_nested_at_the_limit_is_kept() -> None:
    text = '{"deep": ' + nested_text(MAX_STORED_JSON_DEPTH) + "}"
    assert set(decode_json(text)) == {"deep"}


@pytest.mark.parametrize(
    "bad",
    [
        nested_text(MAX_STORED_JSON_DEPTH + 1),
        nested_text(900),
        "NaN",
        "Infinity",
        "-Infinity",
        "1" + "0" * 400,
        "1e999",
    ],
)
def test_an_entry_no_answer_can_carry_is_left_out_with_a_warning(
    bad: str, caplog: pytest.LogCaptureFixture
) -> None:
    padding = "x" * 2 * MAX_STORED_JSON_DEPTH  # long enough to be looked at
    with caplog.at_level(logging.WARNING):
        decoded = decode_json(f'{{"theme": "{padding}", "bad": {bad}}}')

    assert decoded == {"theme": padding}
    assert "'bad'" in caplog.text


def test_a_null_entry_is_kept_for_the_reader_to_judge() -> None:
    # Audit details may hold nulls; a setting of null is left out where settings
    # are listed (gql/locations/values.py), as its owner would otherwise read as null.
    assert decode_json('{"reply_code": null}') == {"reply_code": None}


@pytest.mark.parametrize("text", [nested_text(3000), "{not json", '{"a": "\\ud800" '])
def test_a_column_that_cannot_be_decoded_reads_as_empty(
    text: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert decode_json(text) == {}
    assert "cannot be decoded" in caplog.text
