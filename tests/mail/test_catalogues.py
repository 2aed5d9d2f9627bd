"""The mails' message catalogues: every sentence of the built-in templates is in every
catalogue, translated, with the same placeholders; the sandbox refuses what it must."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from domain.model import MailKind
from domain.ports import MailMessage, TemplateFault, TemplateSource
from mail import catalogues
from mail.render import JinjaMailTemplates, render, sample

TEMPLATES = Path(str(resources.files("mail") / "templates"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def template_messages() -> set[str | tuple[str, ...]]:
    found = extract_from_dir(
        str(TEMPLATES),
        method_map=[("**", "jinja2.ext.babel_extract")],
        options_map={"**": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True"}},
    )
    return {message for _, _, message, _, _ in found}


def catalogue(language: str) -> dict[str | tuple[str, ...], object]:
    path = resources.files("mail") / "locales" / language / "LC_MESSAGES" / "mails.po"
    with path.open("rb") as po:
        read = read_po(po, locale=language)
    assert not [m.id for m in read if m.id and m.fuzzy], f"{language}: fuzzy entries"
    return {m.id: m.string for m in read if m.id}


def test_german_and_english_are_there() -> None:
    assert catalogues.languages() == ("de", "en")


@pytest.mark.parametrize("language", catalogues.languages())
def test_every_sentence_is_translated_with_its_placeholders(language: str) -> None:
    translated = catalogue(language)
    messages = {m if isinstance(m, str) else m[0] for m in template_messages()}
    assert messages == {m if isinstance(m, str) else m[0] for m in translated}
    for message_id, string in translated.items():
        ids = (message_id,) if isinstance(message_id, str) else message_id
        strings = (string,) if isinstance(string, str) else tuple(string)  # type: ignore[arg-type]
        assert all(strings), f"{language}: {ids[0]!r} is not translated"
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(ids[0]))


@pytest.mark.parametrize("kind", list(MailKind))
@pytest.mark.parametrize("language", catalogues.languages())
def test_every_kind_renders_in_every_language(kind: MailKind, language: str) -> None:
    context, secret = sample(kind, location="Ærø", sign_in_hint="connect.example.dk")
    mail = render(MailMessage("<x@y>", kind, "a@b.example", context, secret, language=language))
    assert "\n" not in mail.subject
    assert "connect.example.dk" in mail.text
    assert f'<html lang="{language}">' in mail.html


def test_an_unknown_language_falls_back_to_english() -> None:
    context, secret = sample(MailKind.TEST, location="", sign_in_hint=None)
    mail = render(MailMessage("<x@y>", MailKind.TEST, "a@b.example", context, language="xx"))
    assert mail.subject == "Connect E-Mail Gateway test"
    assert secret is None


@pytest.mark.parametrize(
    ("source", "fault"),
    [
        ("{{ ''.__class__.__mro__ }}", TemplateFault.UNSAFE),
        ("{{ login.__class__ }}", TemplateFault.UNSAFE),
        ("{{ login.center(1000000000) }}", TemplateFault.UNSAFE),
        ("{{ 'x' * 100000000 }}", TemplateFault.UNSAFE),
        ("{{ [1, 2] * 100000000 }}", TemplateFault.UNSAFE),
        ("{{ 3 * ('x' * 999) }}", TemplateFault.UNSAFE),
        ("{{ 9 ** 9 ** 9 }}", TemplateFault.UNSAFE),
        ("{% set a = login ~ login %}{{ a }}", TemplateFault.UNSAFE),
        ("{% autoescape false %}{{ display_name }}{% endautoescape %}", TemplateFault.UNSAFE),
        ("{% include 'password.html' %}", TemplateFault.UNSAFE),
        ("{{ range(10) }}", TemplateFault.UNKNOWN_VARIABLE),
        ("{% if false %}{{ secret_key }}{% endif %}", TemplateFault.UNKNOWN_VARIABLE),
        ("{{ display_name | safe }}", TemplateFault.SYNTAX),
        ("{{ login | center(9) }}", TemplateFault.SYNTAX),
        ("{{ 1 / 0 }}", TemplateFault.RENDER_FAILED),
        ("{% if %}", TemplateFault.SYNTAX),
    ],
)
def test_the_sandbox_refuses(source: str, fault: TemplateFault) -> None:
    template = TemplateSource(subject="Hallo", html=source, text="ok")
    [problem] = JinjaMailTemplates().problems(MailKind.PASSWORD, template)
    assert (problem.part, problem.fault) == ("html", fault)


def test_the_test_mail_has_no_user_variables() -> None:
    template = TemplateSource(subject="{{ login }}", html="", text="")
    [problem] = JinjaMailTemplates().problems(MailKind.TEST, template)
    assert problem.fault is TemplateFault.UNKNOWN_VARIABLE


def test_what_a_template_may_use_renders() -> None:
    template = TemplateSource(
        subject="{{ location | upper }}: {{ display_name | default('?') }}",
        html="{% if sign_in_hint %}{{ sign_in_hint | urlize }}{% endif %}{{ password }}",
        text="{{ expires_hours * 2 }} h, {{ expires_at }}, {{ login[:5] ~ '…' }}{{ '-' * 20 }}",
    )
    assert JinjaMailTemplates().problems(MailKind.PASSWORD, template) == []
