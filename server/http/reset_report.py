"""GET /reports/reset-job?token=…: a reset job's report as CSV or JSON
(domain/services/reset_reports.py hands out the tokens and opens them).

One row per user and action, in request order (a user without actions, one not
found, has one row with an empty action). The CSV's header row is in the reader's
language (the token's), from the catalogue below; the cells hold the API's own
values (codes, enum values), so a program reads every language alike. The JSON
holds the same rows under the same keys as the CSV's columns, with the header
texts under ``columns``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator

from starlette.requests import Request
from starlette.responses import Response

from domain.global_ids import to_global_id
from domain.reset_job_model import ResetJobResult
from domain.services.registry import Services
from domain.services.reset_reports import REPORT_PATH, Report

__all__ = ["REPORT_PATH", "ResetReportDownload", "render", "report_rows"]

# The columns, in order; each one's header in every language (the same keys in each).
COLUMNS = (
    "position",
    "userId",
    "login",
    "status",
    "action",
    "actionStatus",
    "changes",
    "errors",
    "warnings",
)
HEADERS: dict[str, dict[str, str]] = {
    "de": {
        "action": "Aktion",
        "actionStatus": "Ergebnis der Aktion",
        "changes": "Änderungen",
        "errors": "Fehler",
        "login": "Anmeldename",
        "position": "Nr.",
        "status": "Ergebnis",
        "userId": "Benutzer-ID",
        "warnings": "Warnungen",
    },
    "en": {
        "action": "Action",
        "actionStatus": "Action result",
        "changes": "Changes",
        "errors": "Errors",
        "login": "Login",
        "position": "No.",
        "status": "Result",
        "userId": "User ID",
        "warnings": "Warnings",
    },
}
_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def report_rows(results: list[ResetJobResult]) -> Iterator[dict[str, str]]:
    """The report's rows, each cell as text: codes separated by spaces."""
    for result in results:
        user = {
            "position": str(result.position + 1),
            "userId": result.user_key if result.user_id is None
            else to_global_id("User", result.user_id),
            "login": result.login or "",
            "status": result.status,
            "warnings": " ".join(result.warnings),
        }  # fmt: skip
        if not result.actions:
            yield user | {"action": "", "actionStatus": "", "changes": "0",
                          "errors": " ".join(result.errors)}  # fmt: skip
        for action in result.actions:
            errors = action.get("errors")
            yield user | {
                "action": str(action.get("action", "")),
                "actionStatus": "DONE" if action.get("done") else "FAILED",
                "changes": str(action.get("changes", 0)),
                "errors": " ".join(str(e) for e in errors) if isinstance(errors, list) else "",
            }


def render(report: Report) -> tuple[bytes, str, str]:
    """The body, its media type and its file name."""
    headers = HEADERS.get(report.language, HEADERS["en"])
    rows = list(report_rows(report.results))
    name = f"reset-job-{report.job.id}"
    if report.format == "json":
        body = {
            "job": to_global_id("ResetJob", report.job.id),
            "state": report.job.state.value,
            "columns": {column: headers[column] for column in COLUMNS},
            "rows": rows,
        }
        text = json.dumps(body, ensure_ascii=False, indent=1)
        return text.encode(), "application/json", f"{name}.json"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    # With a byte order mark, so that a spreadsheet reads the umlauts as UTF-8.
    return ("\ufeff" + out.getvalue()).encode(), "text/csv; charset=utf-8", f"{name}.csv"


class ResetReportDownload:
    def __init__(self, make_services: Callable[[], Services]) -> None:
        self._services = make_services

    async def endpoint(self, request: Request) -> Response:
        token = request.query_params.get("token", "")[:4096]
        report = await self._services().reset_reports.open(token)
        if report is None:
            return Response("This link has run out or is not yours.", 404, headers=_NO_STORE)
        body, media_type, filename = render(report)
        disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
        return Response(body, media_type=media_type, headers=_NO_STORE | disposition)
