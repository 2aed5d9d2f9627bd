"""The composition root: the adapters behind the domain's ports, wired from the settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.hashing import Argon2PasswordHasher
from adapters.randomness import SecretsRandomSource
from adapters.secret_box import FernetSecretBox
from domain.ports import Clock, MailSender
from domain.services.config import ServiceConfig
from domain.services.registry import Services
from mail.smtp import SmtpMailSender
from persistence.unit_of_work import SqlAlchemyUnitOfWork
from server.settings import Settings, resolve_secret_key


def service_config(settings: Settings) -> ServiceConfig:
    defaults = ServiceConfig()
    return ServiceConfig(
        session_ttl=timedelta(minutes=settings.session_ttl_minutes),
        temporary_password_ttl=timedelta(hours=settings.temporary_password_hours),
        max_page_size=settings.max_page_size,
        default_page_size=min(defaults.default_page_size, settings.max_page_size),
        mail_claim_lease=timedelta(seconds=settings.mail_claim_seconds),
        reset_undo_ttl=timedelta(days=settings.reset_undo_days),
    )


def services_factory(
    engine: AsyncEngine,
    settings: Settings,
    *,
    mailer: MailSender | None = None,
    clock: Clock | None = None,
) -> Callable[[], Services]:
    """Makes fresh :class:`Services` per call: their own unit of work, the other ports shared.

    A unit of work is one transaction at a time, so concurrent callers (requests,
    resolvers) each take their own ``Services`` from the factory. ``mailer`` replaces
    the SMTP sender, ``clock`` the system clock (tests).
    """
    clock = clock if clock is not None else SystemClock()
    hasher = Argon2PasswordHasher()
    random = SecretsRandomSource()
    secrets = FernetSecretBox(resolve_secret_key(settings))
    sender: MailSender = mailer if mailer is not None else SmtpMailSender()
    config = service_config(settings)

    def make() -> Services:
        return Services(
            uow=SqlAlchemyUnitOfWork(engine),
            clock=clock,
            hasher=hasher,
            random=random,
            secrets=secrets,
            mailer=sender,
            config=config,
        )

    return make


def build_services(engine: AsyncEngine, settings: Settings) -> Services:
    """One :class:`Services`, for one caller at a time (the command line, a test)."""
    return services_factory(engine, settings)()
