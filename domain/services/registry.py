"""All the use cases, each built with exactly the ports it uses.

The composition root (``server/container.py``) makes one ``Services`` per caller:
its own unit of work (a unit of work runs one transaction at a time, and
resolvers run concurrently), the other adapters shared. A service is built on
first use, so a caller pays only for what it calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from domain.ports import (
    Clock,
    MailSender,
    MailTemplateEngine,
    PasswordHasher,
    RandomSource,
    SecretBox,
    Tracer,
    UnitOfWork,
    WebhookSender,
)
from domain.ports.tracing import NO_TRACING
from domain.services.administrators import Administrators
from domain.services.audit import Audit, AuditTrail
from domain.services.auth import Auth
from domain.services.config import ServiceConfig
from domain.services.credentials import Credentials
from domain.services.data_sources import DataSources
from domain.services.forgot_password import ForgotPassword
from domain.services.groups import Groups
from domain.services.locations import Locations
from domain.services.lookups import Lookups
from domain.services.mail import MailGateway
from domain.services.mail_templates import MailTemplates
from domain.services.me import Me
from domain.services.outbox import Outbox
from domain.services.password_links import PasswordLinks
from domain.services.progress import ProgressBroker
from domain.services.relationships import Relationships
from domain.services.reset import Resets
from domain.services.reset_job_runner import ResetJobRunner
from domain.services.reset_jobs import ResetJobs
from domain.services.reset_reports import ResetReports
from domain.services.reset_undo import ResetUndo
from domain.services.teams import Teams
from domain.services.users import Users
from domain.services.webhook_dispatch import WebhookDispatch
from domain.services.webhooks import Webhooks


@dataclass(frozen=True)
class Services:
    uow: UnitOfWork
    clock: Clock
    hasher: PasswordHasher
    random: RandomSource
    secrets: SecretBox
    mailer: MailSender
    # Renders the mails; the mail adapter's, in tests too (it is pure).
    templates: MailTemplateEngine
    config: ServiceConfig = field(default_factory=ServiceConfig)
    tracer: Tracer = NO_TRACING
    # Posts webhook deliveries; None where nothing delivers them (the tests' fakes).
    webhook_sender: WebhookSender | None = None

    @cached_property
    def audit_trail(self) -> AuditTrail:
        return AuditTrail(self.clock)

    @cached_property
    def administrators(self) -> Administrators:
        return Administrators(self.uow, self.clock, self.audit_trail, self.hasher)

    @cached_property
    def audit(self) -> Audit:
        return Audit(self.uow)

    @cached_property
    def auth(self) -> Auth:
        return Auth(self.uow, self.clock, self.audit_trail, self.hasher, self.random, self.config)

    @cached_property
    def credentials(self) -> Credentials:
        return Credentials(
            self.uow,
            self.clock,
            self.audit_trail,
            self.hasher,
            self.random,
            self.secrets,
            self.config,
        )

    @cached_property
    def data_sources(self) -> DataSources:
        return DataSources(self.uow, self.audit_trail)

    @cached_property
    def groups(self) -> Groups:
        return Groups(self.uow, self.audit_trail)

    @cached_property
    def locations(self) -> Locations:
        return Locations(self.uow, self.audit_trail, self.config.languages)

    @cached_property
    def lookups(self) -> Lookups:
        return Lookups(self.uow)

    @cached_property
    def mail(self) -> MailGateway:
        return MailGateway(
            self.uow, self.audit_trail, self.secrets, self.mailer,
            self.config.languages, self.config.default_language,
        )  # fmt: skip

    @cached_property
    def mail_templates(self) -> MailTemplates:
        return MailTemplates(
            self.uow,
            self.clock,
            self.audit_trail,
            self.secrets,
            self.mailer,
            self.templates,
            self.config,
        )

    @cached_property
    def forgot_password(self) -> ForgotPassword:
        return ForgotPassword(self.uow, self.clock, self.audit_trail, self.secrets, self.config)

    @cached_property
    def me(self) -> Me:
        return Me(self.uow, self.audit_trail)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(
            self.uow, self.clock, self.audit_trail, self.secrets, self.mailer, self.config
        )

    @cached_property
    def password_links(self) -> PasswordLinks:
        return PasswordLinks(self.uow, self.clock, self.hasher, self.config)

    @cached_property
    def relationships(self) -> Relationships:
        return Relationships(self.uow)

    @cached_property
    def reset(self) -> Resets:
        return Resets(
            self.uow,
            self.clock,
            self.audit_trail,
            self.hasher,
            self.random,
            self.secrets,
            self.config,
            self.tracer,
        )

    @cached_property
    def reset_jobs(self) -> ResetJobs:
        return ResetJobs(self.uow, self.clock)

    @cached_property
    def reset_reports(self) -> ResetReports:
        return ResetReports(
            self.uow, self.clock, self.secrets, self.reset_jobs, self.config.languages
        )

    def reset_job_runner(self, progress: ProgressBroker | None = None) -> ResetJobRunner:
        """The worker of reset jobs; ``progress`` reports to resetProgress."""
        return ResetJobRunner(self.uow, self.clock, self.reset, self.config, progress)

    @cached_property
    def reset_undo(self) -> ResetUndo:
        return ResetUndo(self.uow, self.clock, self.audit_trail, self.config)

    @cached_property
    def teams(self) -> Teams:
        return Teams(self.uow, self.audit_trail)

    @cached_property
    def users(self) -> Users:
        return Users(self.uow, self.audit_trail, self.hasher, self.config.languages)

    @cached_property
    def webhooks(self) -> Webhooks:
        return Webhooks(
            self.uow, self.clock, self.audit_trail, self.random, self.secrets, self.config
        )

    @cached_property
    def webhook_dispatch(self) -> WebhookDispatch:
        if self.webhook_sender is None:
            raise RuntimeError("no webhook sender is configured")
        return WebhookDispatch(
            self.uow, self.clock, self.audit_trail, self.secrets, self.webhook_sender, self.config
        )
