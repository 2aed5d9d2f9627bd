"""A location's own mail texts: Jinja templates in an immutable sandbox.

What a template may use is small on purpose, so that neither its output nor its
work can grow beyond its own size many times over: the documented variables of its
kind (``VARIABLES``), a few filters that cannot blow a text up (``FILTERS``), ``if``
and expressions; no attributes or methods (``''.__class__``, ``login.center(…)``),
no loops, macros, ``set``, ``with``, includes or imports, no globals, no ``**``, and
``*`` on text only within bounds. Undefined names are errors (StrictUndefined). The
HTML part is autoescaped, so a user's data shows as text there; neither ``safe`` nor
``{% autoescape false %}`` is offered.
``problems`` runs at save time: the parse, the names, and a render with sample data.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from domain.model import MailKind
from domain.ports import TemplateFault, TemplateProblem, TemplateSource

COMMON = ("language", "location", "sign_in_hint")
USER = ("login", "display_name")
VARIABLES: dict[MailKind, tuple[str, ...]] = {
    MailKind.PASSWORD: (*COMMON, *USER, "password", "expires_hours", "expires_at"),
    MailKind.VOICEMAIL_PIN: (*COMMON, *USER, "pin"),
    MailKind.TEST: COMMON,
    MailKind.PASSWORD_LINK: (*COMMON, *USER, "link", "expires_hours", "expires_at", "requested"),
}
FILTERS = (
    "capitalize", "d", "default", "e", "escape", "length", "lower", "striptags", "title",
    "trim", "truncate", "upper", "urlize",
)  # fmt: skip
_FORBIDDEN = (
    nodes.For, nodes.Macro, nodes.CallBlock, nodes.Include, nodes.Import, nodes.FromImport,
    nodes.Extends, nodes.Assign, nodes.AssignBlock, nodes.With, nodes.EvalContextModifier,
)  # fmt: skip
MAX_TEXT_PRODUCT = 1_000
PARTS = ("subject", "html", "text")


class _MailSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        if op == "**":
            raise SecurityError("the power operator is not available in mail templates")
        sequence, times = (right, left) if isinstance(left, int) else (left, right)
        # Text, a list or a tuple repeated: never beyond what a mail needs.
        if not isinstance(sequence, int | float) and (
            not isinstance(times, int) or len(sequence) * times > MAX_TEXT_PRODUCT
        ):
            raise SecurityError("a text repeated beyond what a mail needs")
        return operator.mul(left, right)


@cache
def environment(*, html: bool) -> jinja2.Environment:
    env = _MailSandbox(
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    offered = {name: env.filters[name] for name in FILTERS}
    env.filters.clear()
    env.filters.update(offered)
    env.tests = {name: env.tests[name] for name in ("defined", "none", "number", "string")}
    env.globals.clear()
    return env


def render_part(part: str, source: str, variables: Mapping[str, object]) -> str:
    """Renders one part; raises whatever Jinja raises."""
    template = environment(html=part == "html").from_string(source)
    return template.render(dict(variables))


def _problem(part: str, code: TemplateFault, message: str) -> TemplateProblem:
    return TemplateProblem(part, code, f"{part}: {message}")


def part_problem(
    kind: MailKind, part: str, source: str, sample: Mapping[str, object]
) -> TemplateProblem | None:
    env = environment(html=part == "html")
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError as error:
        return _problem(part, TemplateFault.SYNTAX, _syntax(error))
    if any(True for _ in tree.find_all(_FORBIDDEN)):
        return _problem(
            part,
            TemplateFault.UNSAFE,
            "loops, macros, set, with, autoescape, includes and imports are not available "
            "in mail templates",
        )
    try:
        named = meta.find_undeclared_variables(tree)
    except jinja2.TemplateSyntaxError as error:
        # An unknown filter or test is found when the template is compiled.
        return _problem(part, TemplateFault.SYNTAX, _syntax(error))
    unknown = sorted(named - set(VARIABLES[kind]))
    if unknown:
        return _problem(
            part,
            TemplateFault.UNKNOWN_VARIABLE,
            f"unknown variable {', '.join(unknown)}; a {kind.value} mail has "
            f"{', '.join(VARIABLES[kind])}",
        )
    return _render_problem(part, lambda: render_part(part, source, sample))


def _render_problem(part: str, render: Callable[[], str]) -> TemplateProblem | None:
    try:
        render()
    except SecurityError as error:
        return _problem(part, TemplateFault.UNSAFE, f"not allowed: {error}")
    except jinja2.UndefinedError as error:
        return _problem(part, TemplateFault.UNKNOWN_VARIABLE, str(error))
    except jinja2.TemplateSyntaxError as error:
        # An unknown filter or test is found when the template is compiled.
        return _problem(part, TemplateFault.SYNTAX, _syntax(error))
    except Exception as error:
        return _problem(part, TemplateFault.RENDER_FAILED, f"{type(error).__name__}: {error}")
    return None


def _syntax(error: jinja2.TemplateSyntaxError) -> str:
    return f"line {error.lineno}: {error.message}"


def problems(
    kind: MailKind, source: TemplateSource, sample: Mapping[str, object]
) -> list[TemplateProblem]:
    found = (part_problem(kind, part, getattr(source, part), sample) for part in PARTS)
    return [problem for problem in found if problem is not None]
