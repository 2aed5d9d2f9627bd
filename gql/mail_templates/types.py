"""The mails' languages and the locations' own templates, as read and as given."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import model
from domain.ports import RenderedMail, TemplateSource
from domain.services.mail_templates import TemplateKey
from gql.enums import MailKind
from gql.ids import pk_of

LANGUAGE = "A language there are mails in (see mailLanguages): de or en."
SUBJECT = "The subject, one line (Jinja; the variables of its kind, see the docs' mails page)."
HTML = "The HTML part (Jinja, autoescaped: variables show as text)."
TEXT = "The plain-text part (Jinja)."


@strawberry.type(description="The languages mails exist in, and the system's default.")
class MailLanguages:
    available: list[str] = strawberry.field(
        description="Each language with a message catalogue: every mail exists in each."
    )
    system_default: str = strawberry.field(
        description="The language of users whose user and location name none "
        "(CONNECT_DEFAULT_LANGUAGE)."
    )


@strawberry.type(
    description="A location's own text of one kind of mail in one language; where a location "
    "has none, the built-in text is sent."
)
class MailTemplate:
    kind: MailKind = strawberry.field(description="The kind of mail.")
    language: str = strawberry.field(description="Its language.")
    subject: str = strawberry.field(description=SUBJECT)
    html: str = strawberry.field(description=HTML)
    text: str = strawberry.field(description=TEXT)
    updated_at: datetime | None = strawberry.field(description="When it was saved (UTC).")
    updated_by: str | None = strawberry.field(description="Who saved it (a login).")

    @classmethod
    def from_domain(cls, template: model.MailTemplate) -> MailTemplate:
        return cls(
            kind=template.kind,
            language=template.language,
            subject=template.subject,
            html=template.html,
            text=template.text,
            updated_at=template.updated_at,
            updated_by=template.updated_by,
        )


@strawberry.type(description="A mail as it would be sent, rendered with sample data.")
class MailPreview:
    subject: str = strawberry.field(description="The subject.")
    html: str = strawberry.field(description="The HTML part.")
    text: str = strawberry.field(description="The plain-text part.")

    @classmethod
    def from_domain(cls, rendered: RenderedMail) -> MailPreview:
        return cls(subject=rendered.subject, html=rendered.html, text=rendered.text)


@strawberry.input(
    description="A location's own text of one kind of mail in one language, all three parts."
)
class MailTemplateInput:
    location_id: strawberry.ID = strawberry.field(description="The location.")
    kind: MailKind = strawberry.field(description="The kind of mail.")
    language: str = strawberry.field(description=LANGUAGE)
    subject: str = strawberry.field(description=SUBJECT)
    html: str = strawberry.field(description=HTML)
    text: str = strawberry.field(description=TEXT)

    def key(self) -> TemplateKey:
        return TemplateKey(
            pk_of(self.location_id, "Location", "locationId"), self.kind, self.language
        )

    def source(self) -> TemplateSource:
        return TemplateSource(self.subject, self.html, self.text)


@strawberry.input(
    description="Which mail to render with sample data: a location's kind and language, and "
    "optionally a text to try (all three parts); without one, what the location sends now."
)
class MailSampleInput:
    location_id: strawberry.ID = strawberry.field(description="The location.")
    kind: MailKind = strawberry.field(description="The kind of mail.")
    language: str = strawberry.field(description=LANGUAGE)
    subject: str | None = strawberry.field(default=None, description=SUBJECT)
    html: str | None = strawberry.field(default=None, description=HTML)
    text: str | None = strawberry.field(default=None, description=TEXT)

    def key(self) -> TemplateKey:
        return TemplateKey(
            pk_of(self.location_id, "Location", "locationId"), self.kind, self.language
        )

    def source(self) -> TemplateSource | None:
        if self.subject is None and self.html is None and self.text is None:
            return None
        return TemplateSource(self.subject or "", self.html or "", self.text or "")
