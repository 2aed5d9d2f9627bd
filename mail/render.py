"""The text of each kind of mail in the recipient's language: a subject, a plain-text
part and an HTML part; implements :class:`domain.ports.MailTemplateEngine`.

The built-in texts are Jinja2 templates in ``templates/`` (``<kind>.subject.txt``,
``<kind>.txt``, ``<kind>.html``) whose sentences come from the message catalogues
(``catalogues.py``, gettext through Jinja's i18n extension); dates are formatted
by Babel in the language. A location's own text is a sandboxed template
(``sandbox.py``); should it fail when sent, the built-in text goes out instead and
the result says why. HTML is autoescaped, so a display name such as ``<script>``
arrives as text; undefined names are errors. A subject is one line: line breaks
and control characters a variable brings become spaces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache

import jinja2
from babel.dates import format_datetime

from domain.model import MailKind
from domain.ports import MailMessage, RenderedMail, TemplateProblem, TemplateSource
from mail import catalogues, sandbox

# The kinds whose text carries MailMessage.secret, and the variable that names it.
SECRET_VARIABLES = {
    MailKind.PASSWORD: "password",
    MailKind.VOICEMAIL_PIN: "pin",
    MailKind.PASSWORD_LINK: "link",
}
KINDS_WITH_SECRET = frozenset(SECRET_VARIABLES)
FALLBACK_LANGUAGE = "en"
_NOT_ONE_LINE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class MailRenderError(Exception):
    """The message cannot be rendered (a programming error, never the recipient's)."""


@cache
def environment(language: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mail", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]
        catalogues.translations(language), newstyle=True
    )
    return env


def one_line(subject: str) -> str:
    return _NOT_ONE_LINE.sub(" ", subject).strip()


def _language(language: str) -> str:
    return language if language in catalogues.languages() else FALLBACK_LANGUAGE


def _when(value: object, language: str) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return ""
    return format_datetime(moment, "long", tzinfo=UTC, locale=language)


def variables(message: MailMessage) -> dict[str, object]:
    """The documented variables of the message's kind (``sandbox.VARIABLES``)."""
    language = _language(message.language)
    context = message.context
    values: dict[str, object] = {
        "language": language,
        "location": str(context.get("location") or ""),
        "sign_in_hint": str(context.get("sign_in_hint") or ""),
    }
    if message.kind is not MailKind.TEST:
        values["login"] = str(context.get("login") or "")
        values["display_name"] = str(context.get("display_name") or values["login"])
    if message.kind in (MailKind.PASSWORD, MailKind.PASSWORD_LINK):
        values["expires_hours"] = int(str(context.get("expires_hours") or 0))
        values["expires_at"] = _when(context.get("expires_at"), language)
    if message.kind is MailKind.PASSWORD_LINK:
        values["requested"] = context.get("requested") is True
    if message.kind in SECRET_VARIABLES:
        values[SECRET_VARIABLES[message.kind]] = message.secret
    return values


def _built_in(kind: MailKind, language: str, values: Mapping[str, object]) -> RenderedMail:
    env = environment(language)
    name = kind.value.lower()
    return RenderedMail(
        subject=one_line(env.get_template(f"{name}.subject.txt").render(values)),
        text=env.get_template(f"{name}.txt").render(values),
        html=env.get_template(f"{name}.html").render(values),
    )


def _own(source: TemplateSource, values: Mapping[str, object]) -> RenderedMail:
    return RenderedMail(
        subject=one_line(sandbox.render_part("subject", source.subject, values)),
        text=sandbox.render_part("text", source.text, values),
        html=sandbox.render_part("html", source.html, values),
    )


def render(message: MailMessage) -> RenderedMail:
    if message.kind in KINDS_WITH_SECRET and not message.secret:
        raise MailRenderError(f"a {message.kind.value} mail needs its secret")
    values = variables(message)
    fallback = None
    if message.template is not None:
        try:
            return _own(message.template, values)
        except Exception as error:
            # The error's kind only: its message could quote the secret.
            fallback = f"the location's template failed ({type(error).__name__})"
    try:
        rendered = _built_in(message.kind, _language(message.language), values)
    except jinja2.TemplateError as error:
        # The error names the template and the missing variable, never a value.
        raise MailRenderError(
            f"cannot render the {message.kind.value} mail: {type(error).__name__}: {error}"
        ) from None
    if fallback is None:
        return rendered
    return RenderedMail(rendered.subject, rendered.text, rendered.html, fallback=fallback)


SAMPLE_PASSWORD = "Tx7#kRm4-Wq9pLd2&Hs"
SAMPLE_PIN = "274958"
SAMPLE_LINK = "https://connect.example.com/set-password?token=sample"


def sample(
    kind: MailKind, *, location: str, sign_in_hint: str | None
) -> tuple[dict[str, object], str | None]:
    """A sample message: Bernd Müller of the location, a password or PIN that is none."""
    context: dict[str, object] = {"location": location, "sign_in_hint": sign_in_hint or ""}
    if kind is not MailKind.TEST:
        context |= {"login": "bernd.mueller", "display_name": "Bernd Müller"}
    if kind in (MailKind.PASSWORD, MailKind.PASSWORD_LINK):
        expires = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=72)
        context |= {"expires_hours": 72, "expires_at": expires.isoformat()}
    secret = {
        MailKind.PASSWORD: SAMPLE_PASSWORD,
        MailKind.VOICEMAIL_PIN: SAMPLE_PIN,
        MailKind.PASSWORD_LINK: SAMPLE_LINK,
    }.get(kind)
    return context, secret


class JinjaMailTemplates:
    """Implements :class:`domain.ports.MailTemplateEngine`."""

    @property
    def languages(self) -> tuple[str, ...]:
        return catalogues.languages()

    def problems(self, kind: MailKind, source: TemplateSource) -> list[TemplateProblem]:
        context, secret = sample(kind, location="Berlin HQ", sign_in_hint="connect.example.com")
        values = variables(MailMessage("", kind, "", context, secret))
        return sandbox.problems(kind, source, values)

    def sample(
        self, kind: MailKind, *, location: str, sign_in_hint: str | None
    ) -> tuple[dict[str, object], str | None]:
        return sample(kind, location=location, sign_in_hint=sign_in_hint)

    def render(self, message: MailMessage) -> RenderedMail:
        return render(message)
