"""A reset job's report (domain/services/reset_reports.py, server/http/reset_report.py):
ResetJob.reportUrl hands out a short-lived link for its caller; the CSV parses back
to each user's result per action, its headers in the reader's language, and the JSON
holds the same rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.services.reset_reports import REPORT_LINK_SECONDS
from tests.api.conftest import Api
from tests.api.test_reset_jobs_api import LATER, job_of, schedule, staff, worker

URL = """
query($id: ID!, $format: ResetReportFormat!, $language: String) {
  resetJob(id: $id) { reportUrl(format: $format, language: $language) }
}"""
OPTIONS = {"setRandomPassword": True, "resetClientSettings": True}
NO_GATEWAY = "MAIL_GATEWAY_NOT_CONFIGURED"


async def finished_job(api: Api, token: str, engine: AsyncEngine) -> tuple[str, list[str]]:
    """A job over two users and an ID that names nobody, run to its end."""
    ids = [*await staff(api, 2), "nobody"]
    job = await schedule(api, token, ids=ids, options=OPTIONS)
    assert await worker(api, engine, LATER).reset_job_runner().run_due() == 1
    assert (await job_of(api, token, job["id"]))["state"] == "SUCCEEDED"
    return job["id"], ids


async def download(api: Api, token: str, job_id: str, format: str, language: str) -> Any:
    variables = {"id": job_id, "format": format, "language": language}
    url = (await api.data(URL, variables, token=token))["resetJob"]["reportUrl"]
    return await api.client.get(url)


def expected_rows(ids: list[str]) -> list[dict[str, str]]:
    rows = []
    for n, user in enumerate(ids[:2]):
        common = {"position": str(n + 1), "userId": user, "login": f"s{n:02}",
                  "status": "PARTIAL", "warnings": ""}  # fmt: skip
        rows.append(common | {"action": "PASSWORD", "actionStatus": "FAILED",
                              "changes": "0", "errors": NO_GATEWAY})  # fmt: skip
        rows.append(common | {"action": "CLIENT_SETTINGS", "actionStatus": "DONE",
                              "changes": "0", "errors": ""})  # fmt: skip
    rows.append({"position": "3", "userId": "nobody", "login": "", "status": "FAILED",
                 "action": "", "actionStatus": "", "changes": "0",
                 "errors": "USER_NOT_FOUND", "warnings": ""})  # fmt: skip
    return rows


async def test_the_csv_parses_back_to_each_user_s_result_with_german_headers(
    api: Api, admin_token: str, clean_database: AsyncEngine
) -> None:
    job_id, ids = await finished_job(api, admin_token, clean_database)

    response = await download(api, admin_token, job_id, "CSV", "de")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == [
        "Nr.", "Benutzer-ID", "Anmeldename", "Ergebnis", "Aktion", "Ergebnis der Aktion",
        "Änderungen", "Fehler", "Warnungen",
    ]  # fmt: skip
    keys = ["position", "userId", "login", "status", "action", "actionStatus", "changes",
            "errors", "warnings"]  # fmt: skip
    assert [dict(zip(keys, row, strict=True)) for row in rows] == expected_rows(ids)


async def test_the_json_holds_the_same_rows_and_english_headers(
    api: Api, admin_token: str, clean_database: AsyncEngine
) -> None:
    job_id, ids = await finished_job(api, admin_token, clean_database)

    response = await download(api, admin_token, job_id, "JSON", "en")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert (body["job"], body["state"]) == (job_id, "SUCCEEDED")
    assert body["columns"]["login"] == "Login"
    assert body["rows"] == expected_rows(ids)


async def test_a_link_runs_out_and_a_forged_one_opens_nothing(
    api: Api, admin_token: str, clean_database: AsyncEngine
) -> None:
    job_id, _ = await finished_job(api, admin_token, clean_database)
    variables = {"id": job_id, "format": "CSV", "language": "en"}
    url = (await api.data(URL, variables, token=admin_token))["resetJob"]["reportUrl"]
    token = parse_qs(urlsplit(url).query)["token"][0]

    forged = await api.client.get(url[:-4] + "AAAA")
    lifetime = timedelta(seconds=REPORT_LINK_SECONDS)
    almost = worker(api, clean_database, datetime.now(UTC) + lifetime - timedelta(seconds=30))
    still = await almost.reset_reports.open(token)
    later = worker(api, clean_database, datetime.now(UTC) + lifetime + timedelta(seconds=1))
    expired = await later.reset_reports.open(token)

    assert forged.status_code == 404
    assert still is not None
    assert expired is None


def test_every_language_names_every_column_and_keeps_its_keys_sorted() -> None:
    from server.http.reset_report import COLUMNS, HEADERS

    for language, headers in HEADERS.items():
        assert list(headers) == sorted(COLUMNS), language
