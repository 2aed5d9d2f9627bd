"""Structured logs: one JSON object per line on stderr, and the GraphQL access log.

Every log line (ours, uvicorn's, the libraries') goes through :class:`JsonFormatter`.
uvicorn's own access log is off; :class:`AccessLog` writes one line per GraphQL
request instead, with the request id, the operation, the caller's login, the
duration and the outcome. No line carries a password or a token: the access line
names no header, no variable and no query string, and the database engines hide
SQL parameters.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gql.observability import RequestRecord

ACCESS_LOGGER = "connect_admin.access"
# Where the GraphQL view finds the request's record (see graphql_view.py).
RECORD_SCOPE_KEY = "connect_admin.record"
REQUEST_ID_HEADER = b"x-request-id"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_from(given: str) -> str:
    """The client's ``X-Request-Id`` when it is harmless in logs and headers, else a new one."""
    return given if REQUEST_ID_PATTERN.fullmatch(given) else uuid.uuid4().hex


def request_id_of(scope: Scope) -> str:
    """The request's id: the one its record holds, else one made now (and kept there)."""
    record = scope.get(RECORD_SCOPE_KEY)
    if isinstance(record, RequestRecord) and record.request_id:
        return record.request_id
    request_id = request_id_from(Headers(scope=scope).get("x-request-id", ""))
    if isinstance(record, RequestRecord):
        record.request_id = request_id
    return request_id


_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None)).keys()
    | {"message", "asctime", "taskName", "color_message"}
)

access_logger = logging.getLogger(ACCESS_LOGGER)


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, pid, the extras."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` for JSON lines on stderr (also given to uvicorn,
    which applies it in each worker process)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # uvicorn's loggers write through the root handler, as JSON.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # Off: AccessLog writes the access lines.
            "uvicorn.access": {"handlers": [], "propagate": False},
            # At DEBUG these would print statements with their parameters.
            "aiosqlite": {"level": "INFO"},
            "sqlalchemy": {"level": "WARNING"},
        },
    }


def configure_logging(level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(level))


class AccessLog:
    """ASGI middleware: one access-log line per request, after its response."""

    def __init__(
        self,
        app: ASGIApp,
        observe: Callable[[RequestRecord, int, str, float], None] | None = None,
    ) -> None:
        self.app = app
        # Told of every request after its line is written (the metrics, server/http/metrics.py).
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord()
        scope[RECORD_SCOPE_KEY] = record
        # From the start: whatever fails before the GraphQL view logs it under this id.
        request_id_of(scope)
        status = 500
        request_id: str | None = None
        started = time.perf_counter()

        async def send_and_watch(message: Message) -> None:
            nonlocal status, request_id
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == REQUEST_ID_HEADER:
                        request_id = value.decode("latin-1")
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            seconds = time.perf_counter() - started
            _log_access(scope, record, status, request_id, round(seconds * 1000, 1))
            if self.observe is not None:
                self.observe(record, status, outcome(record, status), seconds)


def outcome(record: RequestRecord, status: int) -> str:
    if record.error_codes or record.payload_error_codes:
        return "errors"
    return "ok" if status < 400 else "http_error"


def _log_access(
    scope: Scope, record: RequestRecord, status: int, request_id: str | None, duration_ms: float
) -> None:
    method: str = scope.get("method", "")
    path: str = scope.get("path", "")  # never the query string: GET may carry variables
    access_logger.info(
        "%s %s %d",
        method,
        path,
        status,
        extra={
            "request_id": record.request_id or request_id,
            "method": method,
            "path": path,
            "http_status": status,
            "duration_ms": duration_ms,
            "operation_name": record.operation_name,
            "operation_type": record.operation_type,
            "compiled": record.compiled,
            "principal": record.principal,
            "principal_kind": record.principal_kind,
            "outcome": outcome(record, status),
            "error_codes": record.error_codes,
            "payload_error_codes": record.payload_error_codes,
        },
    )
