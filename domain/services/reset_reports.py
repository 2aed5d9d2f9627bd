"""A reset job's report: each user's result per action, downloadable as CSV or JSON.

The API hands out a download link (``ResetJob.reportUrl``) whose token is the
ticket, encrypted and authenticated with the secret box: the job, the format, the
reader's language, the administrator it was made for and when it runs out
(``REPORT_LINK_SECONDS``). The download reads the job as that administrator is
then (not found once it is deleted or blocked, or no longer sees the job), so a
link serves its caller only, and only for a few minutes. The results are kept as
long as the reset's undo (``ResetJob.keep_until``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from domain.errors import DomainError, Forbidden
from domain.ports import Clock, SecretBox, UnitOfWork
from domain.principals import Principal, require_admin
from domain.reset_job_model import ResetJob, ResetJobResult
from domain.services.auth import admin_principal
from domain.services.reset_jobs import ResetJobs

__all__ = ["REPORT_FORMATS", "REPORT_LINK_SECONDS", "REPORT_PATH", "Report", "ResetReports"]

REPORT_LINK_SECONDS = 300
# Where the server answers a download link (server/http/reset_report.py).
REPORT_PATH = "/reports/reset-job"
REPORT_FORMATS = ("csv", "json")


@dataclass(frozen=True)
class Report:
    """What a download link opens: the job and its results, as the reader asked."""

    job: ResetJob
    results: list[ResetJobResult]
    format: str
    language: str


@dataclass(frozen=True)
class ResetReports:
    uow: UnitOfWork
    clock: Clock
    secrets: SecretBox
    jobs: ResetJobs
    languages: tuple[str, ...] = ("de", "en")

    async def link(self, actor: Principal, job_id: int, format: str, language: str | None) -> str:
        """A download link of the job's report for this administrator: the path with
        its token, relative to the server's address."""
        admin = require_admin(actor)
        job = await self.jobs.job(actor, job_id)
        expires = self.clock.now() + timedelta(seconds=REPORT_LINK_SECONDS)
        ticket = {
            "job": job.id,
            "admin": admin.admin_id,
            "format": format if format in REPORT_FORMATS else REPORT_FORMATS[0],
            "language": language if language in self.languages else self.languages[-1],
            "expires": expires.isoformat(),
        }
        token = self.secrets.encrypt(json.dumps(ticket))
        return f"{REPORT_PATH}?{urlencode({'token': token})}"

    async def open(self, token: str) -> Report | None:
        """The report a token names; None for a token that is not one of ours, has run
        out, or whose administrator no longer sees the job."""
        try:
            ticket = json.loads(self.secrets.decrypt(token))
            expires = datetime.fromisoformat(ticket["expires"])
            job_id, admin_id = int(ticket["job"]), int(ticket["admin"])
            format, language = str(ticket["format"]), str(ticket["language"])
        except Exception:
            return None
        if expires <= self.clock.now():
            return None
        async with self.uow.reading() as uow:
            admin = await uow.administrators.get(admin_id)
        if admin is None or admin.blocked:
            return None
        try:
            job, results = await self.jobs.report(admin_principal(admin), job_id)
        except (DomainError, Forbidden):
            # Forbidden: the administrator must change its password first.
            return None
        return Report(job, results, format, language)
