"""The text of each kind of mail: a subject, a plain-text part and an HTML part.

The parts are Jinja2 templates in ``templates/`` (``<kind>.txt``, ``<kind>.html``),
rendered with the message's context and its secret. HTML templates are autoescaped,
so a display name such as ``<script>`` arrives as text; undefined names are errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import jinja2

from domain.model import MailKind
from domain.ports import MailMessage

SUBJECTS: dict[MailKind, str] = {
    MailKind.PASSWORD: "Your Connect password was reset",
    MailKind.VOICEMAIL_PIN: "Your Connect voicemail PIN",
    MailKind.TEST: "Connect E-Mail Gateway test",
}

# The kinds whose text carries MailMessage.secret.
KINDS_WITH_SECRET = frozenset({MailKind.PASSWORD, MailKind.VOICEMAIL_PIN})


class MailRenderError(Exception):
    """The message cannot be rendered (a programming error, never the recipient's)."""


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("mail", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(message: MailMessage) -> RenderedMail:
    if message.kind in KINDS_WITH_SECRET and not message.secret:
        raise MailRenderError(f"a {message.kind.value} mail needs its secret")
    variables: dict[str, object] = {**message.context, "secret": message.secret}
    name = message.kind.value.lower()
    env = environment()
    try:
        text = env.get_template(f"{name}.txt").render(variables)
        html = env.get_template(f"{name}.html").render(variables)
    except jinja2.TemplateError as error:
        # The error names the template and the missing variable, never a value.
        raise MailRenderError(
            f"cannot render the {message.kind.value} mail: {type(error).__name__}: {error}"
        ) from None
    return RenderedMail(subject=SUBJECTS[message.kind], text=text, html=html)
