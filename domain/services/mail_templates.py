"""The locations' own mail texts: listed, saved (only when they render), removed,
previewed with sample data and sent as a test.

Where a location has no text of its own for a kind and language, the built-in one
is sent. A text is checked when saved (``MailTemplateEngine.problems``: syntax, the
kind's variables, the sandbox), so that it fails at send time only through what no
check can foresee; then the built-in text goes out and the audit says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import DomainError, Problem, not_found
from domain.model import Location, MailKind, MailTemplate
from domain.ports import (
    Clock,
    Delivery,
    DeliveryOutcome,
    MailMessage,
    MailSender,
    MailTemplateEngine,
    RenderedMail,
    SecretBox,
    TemplateFault,
    TemplateSource,
    UnitOfWork,
)
from domain.principals import Principal, require_admin
from domain.services.audit import AuditTrail
from domain.services.config import ServiceConfig
from domain.services.mail import new_message_id, smtp_settings, usable_gateway
from domain.services.validation import Problems

FAULT_CODES = {
    TemplateFault.SYNTAX: ErrorCode.MAIL_TEMPLATE_SYNTAX_ERROR,
    TemplateFault.UNKNOWN_VARIABLE: ErrorCode.MAIL_TEMPLATE_UNKNOWN_VARIABLE,
    TemplateFault.UNSAFE: ErrorCode.MAIL_TEMPLATE_UNSAFE,
    TemplateFault.RENDER_FAILED: ErrorCode.MAIL_TEMPLATE_RENDER_FAILED,
}
MAX_SUBJECT_LENGTH = 1_000
MAX_BODY_LENGTH = 100_000


@dataclass(frozen=True)
class TemplateKey:
    location_id: int
    kind: MailKind
    language: str


@dataclass(frozen=True)
class MailTemplates:
    uow: UnitOfWork
    clock: Clock
    audit: AuditTrail
    secrets: SecretBox
    mailer: MailSender
    engine: MailTemplateEngine
    config: ServiceConfig

    async def _location(self, actor: Principal, location_id: int) -> Location:
        admin = require_admin(actor)
        if not visibility.sees_location(admin, location_id):
            raise not_found(ErrorCode.LOCATION_NOT_FOUND, "locationId")
        async with self.uow.reading() as uow:
            location = await uow.locations.get(location_id)
        if location is None:
            raise not_found(ErrorCode.LOCATION_NOT_FOUND, "locationId")
        return location

    def _language(self, language: str) -> str:
        problems = Problems()
        checked = problems.language(language, self.config.languages, "language")
        if checked is None:
            problems.add(ErrorCode.REQUIRED, "Must not be empty.", "language")
        problems.raise_if_any()
        assert checked is not None
        return checked

    def _checked(self, kind: MailKind, source: TemplateSource) -> TemplateSource:
        """The source, or DomainError with every part's problem."""
        problems = Problems()
        problems.text(source.subject, MAX_SUBJECT_LENGTH, "subject", header=True)
        if not source.subject.strip():
            problems.add(ErrorCode.REQUIRED, "Must not be empty.", "subject")
        problems.text(source.html, MAX_BODY_LENGTH, "html")
        problems.text(source.text, MAX_BODY_LENGTH, "text")
        problems.raise_if_any()
        found = self.engine.problems(kind, source)
        if found:
            raise DomainError([Problem(FAULT_CODES[p.fault], p.message, (p.part,)) for p in found])
        return source

    def languages_for(self, actor: Principal) -> tuple[tuple[str, ...], str]:
        """The languages mails exist in, and the system's."""
        require_admin(actor)
        return self.config.languages, self.config.default_language

    async def list_templates(self, actor: Principal, location_id: int) -> list[MailTemplate]:
        await self._location(actor, location_id)
        async with self.uow.reading() as uow:
            return await uow.mail_templates.for_location(location_id)

    async def save_template(
        self, actor: Principal, key: TemplateKey, source: TemplateSource
    ) -> MailTemplate:
        await self._location(actor, key.location_id)
        language = self._language(key.language)
        self._checked(key.kind, source)
        template = MailTemplate(
            location_id=key.location_id,
            kind=key.kind,
            language=language,
            subject=source.subject,
            html=source.html,
            text=source.text,
            updated_at=self.clock.now(),
            updated_by=actor.login,
        )
        async with self.uow as uow:
            if await uow.locations.get(key.location_id) is None:
                raise not_found(ErrorCode.LOCATION_NOT_FOUND, "locationId")
            await uow.mail_templates.save(template)
            await self.audit.record(uow, actor, "MAIL_TEMPLATE_SAVED",
                scope_location_id=key.location_id, location_id=key.location_id,
                kind=key.kind.value, language=language,
            )  # fmt: skip
            await uow.commit()
        return template

    async def delete_template(self, actor: Principal, key: TemplateKey) -> bool:
        """Back to the built-in text; whether the location had one of its own."""
        await self._location(actor, key.location_id)
        async with self.uow as uow:
            deleted = await uow.mail_templates.delete(key.location_id, key.kind, key.language)
            if deleted:
                await self.audit.record(uow, actor, "MAIL_TEMPLATE_DELETED",
                    scope_location_id=key.location_id, location_id=key.location_id,
                    kind=key.kind.value, language=key.language,
                )  # fmt: skip
                await uow.commit()
        return deleted

    async def _sample(
        self, actor: Principal, key: TemplateKey, source: TemplateSource | None, recipient: str
    ) -> MailMessage:
        location = await self._location(actor, key.location_id)
        language = self._language(key.language)
        if source is None:
            async with self.uow.reading() as uow:
                own = await uow.mail_templates.get(key.location_id, key.kind, language)
            if own is not None:
                source = TemplateSource(own.subject, own.html, own.text)
        else:
            self._checked(key.kind, source)
        context, secret = self.engine.sample(
            key.kind, location=location.name, sign_in_hint=location.sign_in_hint
        )
        return MailMessage(
            message_id="<preview@connect-admin>",
            kind=key.kind,
            recipient=recipient,
            context=context,
            secret=secret,
            language=language,
            template=source,
        )

    async def preview(
        self, actor: Principal, key: TemplateKey, source: TemplateSource | None
    ) -> RenderedMail:
        """The mail with sample data: of ``source`` when given (checked as when saved),
        else of what the location sends now (its own text, or the built-in one)."""
        return self.engine.render(await self._sample(actor, key, source, ""))

    async def send_test(
        self, actor: Principal, key: TemplateKey, source: TemplateSource | None, to: str
    ) -> Delivery:
        """``preview``'s mail sent at once to ``to``; its secret is a sample, no one's."""
        problems = Problems()
        recipient = problems.email(to, "to")
        if recipient is None:
            problems.add(ErrorCode.REQUIRED, "Must not be empty.", "to")
        problems.raise_if_any()
        assert recipient is not None
        sample = await self._sample(actor, key, source, recipient)
        async with self.uow.reading() as uow:
            gateway = usable_gateway(await uow.email_gateway.get())
        message = MailMessage(
            message_id=new_message_id(gateway),
            kind=sample.kind,
            recipient=recipient,
            context=sample.context,
            secret=sample.secret,
            language=sample.language,
            template=sample.template,
        )
        [delivery] = await self.mailer.send(smtp_settings(self.secrets, gateway), [message])
        sent = delivery.outcome is DeliveryOutcome.SENT
        async with self.uow as uow:
            await self.audit.record(uow, actor, "MAIL_SENT" if sent else "MAIL_FAILED",
                scope_location_id=key.location_id, kind=key.kind.value, template_test=True,
                language=sample.language, message_id=message.message_id,
                reply_code=delivery.reply_code,
            )  # fmt: skip
            await uow.commit()
        if not sent:
            code = f" {delivery.reply_code}" if delivery.reply_code else ""
            raise DomainError.of(
                ErrorCode.MAIL_DELIVERY_FAILED, f"The SMTP server answered{code}: {delivery.detail}"
            )
        return delivery
