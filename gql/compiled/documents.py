"""The users page as one document written by the database (domain/ports/documents.py).

A query of the users root alone whose every field has a source in the document's
vocabulary is answered by one statement whose result is the field's JSON
(PostgreSQL and SQLite); a store that cannot write one answers None and the plan
runs level by level as any other. The JSON goes out as the database wrote it
(an ``orjson.Fragment`` inside the answer), not parsed and serialised again: no
extension reads a query's data (only a mutation's payloads are looked into), and
both databases write valid JSON of valid UTF-8 text. Any field without a source
(settings, a location's groups, a team's members) keeps the whole query on the
level-by-level path.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from domain.ports import DOCUMENT_SOURCES, MAX_DOCUMENT_FIELDS, DocumentField, DocumentShape
from gql.compiled.plan import ObjectPlan, OperationPlan
from gql.context import Context
from gql.relay import Paging
from gql.users.types import users_page_arguments

# GraphQL type -> the kind of object of the document's vocabulary.
KINDS = {
    "UserConnection": "page",
    "UserEdge": "edge",
    "PageInfo": "page_info",
    "User": "user",
    "Location": "location",
    "ConfigurationGroup": "configuration_group",
    "Team": "team",
}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _source(field_name: str) -> str:
    """Strawberry's Python name of a GraphQL field (``isVip`` -> ``is_vip``)."""
    return field_name if field_name == "__typename" else _CAMEL.sub("_", field_name).lower()


def _shape(plan: ObjectPlan, kind: str) -> DocumentShape | None:
    if KINDS.get(plan.type_name) != kind or len(plan.fields) > MAX_DOCUMENT_FIELDS:
        return None
    offered = DOCUMENT_SOURCES[kind]
    fields: list[DocumentField] = []
    for field_plan in plan.fields:
        source = _source(field_plan.name)
        if source == "__typename":
            fields.append(DocumentField(field_plan.key, source))
            continue
        if source not in offered:
            return None
        inner_kind = offered[source]
        inner = field_plan.object_plan
        if (inner_kind is None) != (inner is None):
            return None
        shape = None
        if inner is not None and inner_kind is not None:
            shape = _shape(inner, inner_kind)
            if shape is None:
                return None
        fields.append(DocumentField(field_plan.key, source, shape))
    return DocumentShape(kind, plan.type_name, tuple(fields))


def users_document_shape(plan: OperationPlan) -> DocumentShape | None:
    """The document of a plan whose only root field is ``users``; None for any other."""
    if len(plan.roots) != 1:
        return None
    root = plan.roots[0]
    object_plan = root.field.object_plan
    if root.field.name != "users" or root.resolve is None or object_plan is None:
        return None
    return _shape(object_plan, "page")


async def users_document(
    context: Context, arguments: dict[str, Any], shape: DocumentShape
) -> Any | None:
    """The users root's value (the database's JSON, to be sent as it is), or None when
    the store writes no document."""
    services = context.services()
    request, domain_filter = users_page_arguments(
        services, Paging.of(arguments), arguments.get("filter")
    )
    document = await services.users.users_page_document(
        context.principal, request, domain_filter, shape
    )
    return None if document is None else orjson.Fragment(document)
