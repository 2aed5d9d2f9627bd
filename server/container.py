"""The composition root: the adapters behind the domain's ports, wired from the settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.hashing import Argon2PasswordHasher
from adapters.randomness import SecretsRandomSource
from adapters.secret_box import FernetSecretBox
from adapters.webhook_sender import HttpWebhookSender
from domain.ports import NO_TRACING, Clock, MailSender, WebhookSender
from domain.services.config import ServiceConfig
from domain.services.registry import Services
from mail import catalogues
from mail.render import JinjaMailTemplates
from mail.smtp import SmtpMailSender
from persistence.unit_of_work import SqlAlchemyUnitOfWork
from server.settings import Settings, resolve_secret_key
from server.tracing import OpenTelemetryTracer, TracedMailSender, tracing_on


def service_config(settings: Settings) -> ServiceConfig:
    defaults = ServiceConfig()
    return ServiceConfig(
        session_ttl=timedelta(minutes=settings.session_ttl_minutes),
        temporary_password_ttl=timedelta(hours=settings.temporary_password_hours),
        public_url=settings.public_url,
        password_link_ttl=timedelta(hours=settings.password_link_hours),
        max_page_size=settings.max_page_size,
        default_page_size=min(defaults.default_page_size, settings.max_page_size),
        mail_claim_lease=timedelta(seconds=settings.mail_claim_seconds),
        reset_undo_ttl=timedelta(days=settings.reset_undo_days),
        sign_in_max_failures=settings.sign_in_max_failures,
        sign_in_login_ceiling=settings.sign_in_login_ceiling,
        sign_in_slowdown=timedelta(seconds=settings.sign_in_slowdown_seconds),
        webhook_allow_private=settings.webhooks_allow_private,
        webhook_timeout=timedelta(seconds=settings.webhook_timeout_seconds),
        webhook_claim_lease=timedelta(seconds=settings.webhook_claim_seconds),
        webhook_max_attempts=settings.webhook_max_attempts,
        webhook_switch_off_after=settings.webhook_switch_off_after,
        languages=catalogues.languages(),
        default_language=settings.default_language,
    )


def services_factory(
    engine: AsyncEngine,
    settings: Settings,
    *,
    mailer: MailSender | None = None,
    clock: Clock | None = None,
    webhook_sender: WebhookSender | None = None,
) -> Callable[[], Services]:
    """Makes fresh :class:`Services` per call: their own unit of work, the other ports shared.

    A unit of work is one transaction at a time, so concurrent callers (requests,
    resolvers) each take their own ``Services`` from the factory. ``mailer`` replaces
    the SMTP sender, ``clock`` the system clock, ``webhook_sender`` the HTTP one (tests).
    """
    clock = clock if clock is not None else SystemClock()
    hasher = Argon2PasswordHasher()
    random = SecretsRandomSource()
    secrets = FernetSecretBox(resolve_secret_key(settings))
    sender: MailSender = mailer if mailer is not None else SmtpMailSender()
    config = service_config(settings)
    templates = JinjaMailTemplates()
    webhooks: WebhookSender = webhook_sender or HttpWebhookSender(
        timeout_seconds=settings.webhook_timeout_seconds,
        allow_private=settings.webhooks_allow_private,
    )
    # Traces, when this process records them (server/tracing.py): each mail sent, each
    # batch of a reset.
    traced = tracing_on()
    if traced:
        sender = TracedMailSender(sender)
    tracer = OpenTelemetryTracer() if traced else NO_TRACING

    def make() -> Services:
        return Services(
            uow=SqlAlchemyUnitOfWork(engine),
            clock=clock,
            hasher=hasher,
            random=random,
            secrets=secrets,
            mailer=sender,
            templates=templates,
            config=config,
            tracer=tracer,
            webhook_sender=webhooks,
        )

    return make


def build_services(engine: AsyncEngine, settings: Settings) -> Services:
    """One :class:`Services`, for one caller at a time (the command line, a test)."""
    return services_factory(engine, settings)()
