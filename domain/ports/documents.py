"""Read models: a page of users written by the database itself as one JSON document.

Why: a page of 100 users with their locations, groups and teams, read as rows and
assembled in Python, costs several times the statements behind it. A store that
can (PostgreSQL, SQLite) answers the whole page with one statement whose result is the
answer's JSON; one that cannot says so and the page is read as entities.

A shape names what the document holds, under which keys, in which order. Its
vocabulary (``DocumentField.source``) is that of a Relay page:

- the page: ``edges``, ``page_info``, ``total_count``;
- an edge: ``cursor``, ``node`` (a user);
- page info: ``has_next_page``, ``has_previous_page``, ``start_cursor``, ``end_cursor``;
- a user: ``id``, ``login``, ``first_name``, ``last_name``, ``display_name``, ``email``,
  ``work_phone``, ``mobile_phone``, ``is_vip``, ``blocked``,
  ``password_change_required``, ``voicemail_pin_state``, ``default_relationship``,
  ``location``, ``configuration_group``, ``teams``;
- a location: ``id``, ``name``, ``description``, ``default_relationship``,
  ``relationship_policy``;
- a configuration group: ``id``, ``name``, ``description``, ``default_relationship``,
  ``location``;
- a team: ``id``, ``name``, ``description``, ``relationship``;
- any of them: ``__typename`` (the shape's ``type_name``).

``id`` is the global ID (url-safe base64 of ``Type:number``, unpadded), a cursor
that of ``cursor:number``; enums are their members' names. Fields with a shape
hold an object (or null), ``teams`` and ``edges`` a list of them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DOCUMENT_SOURCES", "MAX_DOCUMENT_FIELDS", "DocumentField", "DocumentShape"]

# The most fields one object of a document holds (PostgreSQL's json_build_object takes
# at most 100 arguments: 50 keys and their values); a bigger selection is read as
# entities.
MAX_DOCUMENT_FIELDS = 50

_USER_VALUES = (
    "id", "login", "first_name", "last_name", "display_name", "email", "work_phone",
    "mobile_phone", "is_vip", "blocked", "password_change_required", "voicemail_pin_state",
    "default_relationship",
)  # fmt: skip

# The sources each kind of object offers (the module doc); those with a shape of
# their own map to its kind.
DOCUMENT_SOURCES: dict[str, dict[str, str | None]] = {
    "page": {"edges": "edge", "page_info": "page_info", "total_count": None},
    "edge": {"cursor": None, "node": "user"},
    "page_info": dict.fromkeys(
        ("has_next_page", "has_previous_page", "start_cursor", "end_cursor")
    ),
    "user": {
        **dict.fromkeys(_USER_VALUES),
        "location": "location",
        "configuration_group": "configuration_group",
        "teams": "team",
    },
    "location": dict.fromkeys(
        ("id", "name", "description", "default_relationship", "relationship_policy")
    ),
    "configuration_group": {
        **dict.fromkeys(("id", "name", "description", "default_relationship")),
        "location": "location",
    },
    "team": dict.fromkeys(("id", "name", "description", "relationship")),
}


@dataclass(frozen=True, slots=True)
class DocumentField:
    key: str
    source: str
    # The object (or the list's objects) this field holds; None for a value.
    shape: DocumentShape | None = None


@dataclass(frozen=True, slots=True)
class DocumentShape:
    """One object of the document: ``kind`` is a key of DOCUMENT_SOURCES,
    ``type_name`` what ``__typename`` answers."""

    kind: str
    type_name: str
    fields: tuple[DocumentField, ...]
