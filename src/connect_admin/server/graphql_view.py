"""The GraphQL endpoint: Strawberry's ASGI view with our context.

It authenticates the bearer token, gives each request an id, and builds the
per-request context (principal, services, DataLoaders).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from connect_admin.domain.errors import NotAuthenticated
from connect_admin.domain.principals import Anonymous, Principal
from connect_admin.domain.services import auth
from connect_admin.domain.services.deps import Deps
from connect_admin.gql.context import Context
from connect_admin.gql.schema import schema

REQUEST_ID_HEADER = "x-request-id"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")


def bearer_token(headers: Any) -> str | None:
    value: str = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view, with our context: principal, services, loaders."""

    async def render_graphql_ide(self, request: Request) -> Response:
        # The IDE page; see server/graphiql.py for where its assets come from.
        return await super().render_graphql_ide(request)

    def __init__(self, make_deps: Callable[[], Deps]) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self._make_deps = make_deps

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        # A client's id is kept only when it is harmless in logs and headers.
        request_id = given if REQUEST_ID_PATTERN.fullmatch(given) else uuid.uuid4().hex
        if isinstance(response, Response):
            response.headers[REQUEST_ID_HEADER] = request_id
        return Context(
            principal=await self._principal(request),
            deps_factory=self._make_deps,
            request_id=request_id,
        )

    async def _principal(self, request: Request | WebSocket) -> Principal:
        # A bad or expired token is treated as none: public operations still work,
        # everything else answers UNAUTHENTICATED.
        try:
            return await auth.authenticate(self._make_deps(), bearer_token(request.headers))
        except NotAuthenticated:
            return Anonymous()
