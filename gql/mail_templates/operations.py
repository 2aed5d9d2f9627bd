"""System settings > Mail templates: the languages, a location's own texts, their preview
and test send."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.services.mail_templates import TemplateKey
from gql.context import Info
from gql.enums import MailKind
from gql.errors import UserError
from gql.ids import pk_of
from gql.mail_templates.types import (
    LANGUAGE,
    MailLanguages,
    MailPreview,
    MailSampleInput,
    MailTemplate,
    MailTemplateInput,
)
from gql.payloads import PAYLOAD_ERRORS, MutationResult, Payload, payload_mutation

TEMPLATE_ERRORS = (
    "MAIL_TEMPLATE_SYNTAX_ERROR, MAIL_TEMPLATE_UNKNOWN_VARIABLE, MAIL_TEMPLATE_UNSAFE, "
    "MAIL_TEMPLATE_RENDER_FAILED (each with the part as its field), LANGUAGE_UNKNOWN, "
    "LOCATION_NOT_FOUND, REQUIRED, INVALID_CHARACTERS (a line break in the subject), "
    "VALUE_TOO_LONG"
)

LocationId = Annotated[strawberry.ID, strawberry.argument(description="The location.")]
Kind = Annotated[MailKind, strawberry.argument(description="The kind of mail.")]
Language = Annotated[str, strawberry.argument(description=LANGUAGE)]
Recipient = Annotated[str, strawberry.argument(description="The recipient's e-mail address.")]


@strawberry.type(description="The answer of setMailTemplate.")
class MailTemplatePayload(Payload):
    mail_template: MailTemplate | None = strawberry.field(
        description="The template as stored; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type
class MailTemplatesQuery:
    @strawberry.field(description="The languages mails exist in. Administrators.")
    def mail_languages(self, info: Info) -> MailLanguages:
        available, default = info.context.services().mail_templates.languages_for(
            info.context.principal
        )
        return MailLanguages(available=list(available), system_default=default)

    @strawberry.field(
        description="A location's own mail texts (those not listed are the built-in ones). "
        "Administrators of the location."
    )
    async def mail_templates(self, info: Info, location_id: LocationId) -> list[MailTemplate]:
        ctx = info.context
        templates = await ctx.services().mail_templates.list_templates(
            ctx.principal, pk_of(location_id, "Location", "locationId")
        )
        return [MailTemplate.from_domain(t) for t in templates]

    @strawberry.field(
        description="A mail rendered with sample data (Bernd Müller, a sample password or "
        "PIN, the location's name and sign-in hint): of the text given, checked as "
        "setMailTemplate checks it (its problems are a BAD_USER_INPUT error), else of what "
        f"the location sends now. Administrators of the location. Errors: {TEMPLATE_ERRORS}."
    )
    async def mail_preview(
        self,
        info: Info,
        input: Annotated[MailSampleInput, strawberry.argument(description="What to render.")],
    ) -> MailPreview:
        ctx = info.context
        rendered = await ctx.services().mail_templates.preview(
            ctx.principal, input.key(), input.source()
        )
        return MailPreview.from_domain(rendered)


@strawberry.type
class MailTemplatesMutation:
    @payload_mutation(
        description="Stores a location's own text of one kind of mail in one language, "
        "replacing the one before; only a text that renders with sample data is stored. A "
        "MAIL_TEMPLATE_SAVED audit event. Administrators of the location. Errors: "
        f"{TEMPLATE_ERRORS}."
    )
    async def set_mail_template(
        self,
        info: Info,
        input: Annotated[MailTemplateInput, strawberry.argument(description="The template.")],
    ) -> MailTemplatePayload:
        ctx = info.context
        template = await ctx.services().mail_templates.save_template(
            ctx.principal, input.key(), input.source()
        )
        return MailTemplatePayload(mail_template=MailTemplate.from_domain(template), errors=[])

    @payload_mutation(
        description="Removes a location's own text of a kind and language: the built-in one "
        "is sent again. A MAIL_TEMPLATE_DELETED audit event when there was one. "
        "Administrators of the location. Errors: LOCATION_NOT_FOUND."
    )
    async def delete_mail_template(
        self, info: Info, location_id: LocationId, kind: Kind, language: Language
    ) -> MutationResult:
        ctx = info.context
        key = TemplateKey(pk_of(location_id, "Location", "locationId"), kind, language)
        await ctx.services().mail_templates.delete_template(ctx.principal, key)
        return MutationResult.done()

    @payload_mutation(
        description="Sends mailPreview's mail at once to the given address, through the "
        "E-Mail Gateway, and waits for the SMTP server's answer; its password or PIN is a "
        "sample, no one's. A MAIL_SENT or MAIL_FAILED audit event. Administrators of the "
        f"location. Errors: {TEMPLATE_ERRORS}, MAIL_GATEWAY_NOT_CONFIGURED, "
        "MAIL_GATEWAY_INVALID, MAIL_DELIVERY_FAILED (with the SMTP reply), INVALID_EMAIL."
    )
    async def send_mail_template_test(
        self,
        info: Info,
        input: Annotated[MailSampleInput, strawberry.argument(description="What to send.")],
        to: Recipient,
    ) -> MutationResult:
        ctx = info.context
        await ctx.services().mail_templates.send_test(
            ctx.principal, input.key(), input.source(), to
        )
        return MutationResult.done()
