"""GET/POST /set-password?token=…: the page of the one-time link a reset mailed
instead of a password (domain/services/password_links.py).

The page speaks the user's language (the mails' rules: the user's, else the
location's, else the system's), with its own small table of sentences
(set_password_texts.py). It works without JavaScript: the POST is checked against the
location's password policy and the page shows what the password breaks; a small
inline script (by nonce, as the Web Administration's) shows the same as the user
types. The link's token is the form's secret, so another site cannot post it (CSRF);
a POST a browser marks as cross-site is refused all the same. Nothing is cached and
no referrer leaves the page (the token is in its URL).
"""

from __future__ import annotations

import html
import json
import secrets
from collections.abc import Callable
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain.services.password_links import SET_PASSWORD_PATH, LinkState, OpenedLink
from domain.services.registry import Services
from server.http.set_password_texts import LANGUAGES, gettext

CSP = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
MAX_FIELD = 4096
_STATUS = {
    LinkState.UNKNOWN: 404, LinkState.USED: 410, LinkState.EXPIRED: 410, LinkState.REVOKED: 410,
}  # fmt: skip
_GONE = {
    LinkState.UNKNOWN: "This link is not valid. Check that you opened the whole link from "
    "the mail.",
    LinkState.USED: "This link was already used. If you did not set the password yourself, "
    "contact your administrator.",
    LinkState.EXPIRED: "This link has expired. Ask your administrator to reset your password "
    "again.",
    LinkState.REVOKED: "This link is no longer valid: your account is blocked, or your password "
    "was changed or reset again since. Contact your administrator.",
}
RULES = {
    "min": "The password must have at least %(num)s characters.",
    "max": "The password must have at most %(num)s characters.",
    "upper": "The password needs an uppercase letter.",
    "lower": "The password needs a lowercase letter.",
    "digit": "The password needs a digit.",
    "symbol": "The password needs a symbol.",
    "login": "The password must not contain the login.",
    "differ": "The two passwords differ.",
}
_SCRIPT = """
const form = document.getElementById("set-password");
const rules = JSON.parse(form.dataset.rules);
const box = document.getElementById("live");
function broken(p, r) {
  const out = [];
  if ([...p].length < rules.min) out.push(r.min);
  if ([...p].length > rules.max) out.push(r.max);
  if (rules.upper && !/[A-Z]/.test(p)) out.push(r.upper);
  if (rules.lower && !/[a-z]/.test(p)) out.push(r.lower);
  if (rules.digit && !/[0-9]/.test(p)) out.push(r.digit);
  if (rules.symbol && !/[!-\\/:-@\\[-`{-~]/.test(p)) out.push(r.symbol);
  const again = form.elements.repeat.value;
  if (again && again !== p) out.push(r.differ);
  return out;
}
function show() {
  const list = broken(form.elements.password.value, rules.texts);
  const item = (t) => Object.assign(document.createElement("li"), {textContent: t});
  box.replaceChildren(...list.map(item));
}
form.elements.password.addEventListener("input", show);
form.elements.repeat.addEventListener("input", show);
"""
STYLE = (
    "body{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}"
    "label{display:block;margin-top:1rem}input{width:100%}ul.errors{color:#a00}"
)


class SetPasswordPage:
    def __init__(self, make_services: Callable[[], Services]) -> None:
        self._services = make_services

    async def endpoint(self, request: Request) -> Response:
        links = self._services().password_links
        if request.method == "GET":
            opened = await links.open(request.query_params.get("token", "")[:MAX_FIELD])
            return _page(opened, token=request.query_params.get("token", ""))
        # A plain urlencoded form (the body is bounded by server/http/limits.py).
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        token, password, repeat = (
            (form.get(name) or [""])[0][:MAX_FIELD] for name in ("token", "password", "repeat")
        )
        if request.headers.get("sec-fetch-site") == "cross-site":
            return Response("cross-site form posts are refused", status_code=403, headers=HEADERS)
        if password != repeat:
            opened = await links.open(token)
            return _page(opened, token=token, broken=("differ",), status=400)
        outcome = await links.set_password(token, password)
        if outcome.done:
            return _page(outcome.opened, token="", done=True)
        return _page(outcome.opened, token=token, broken=outcome.broken, status=400)


def _page(
    opened: OpenedLink,
    *,
    token: str,
    broken: tuple[str, ...] = (),
    done: bool = False,
    status: int = 200,
) -> HTMLResponse:
    language = opened.language if opened.language in LANGUAGES else "en"
    t = gettext(language)
    nonce = secrets.token_urlsafe(18)
    policy = opened.policy
    body: str
    if done:
        body = (
            f"<p role=status>{html.escape(t('Your new password is set. Sign in with it now.'))}</p>"
        )
    elif opened.state is not LinkState.VALID or policy is None:
        status = _STATUS.get(opened.state, 410)
        body = f"<p role=alert>{html.escape(t(_GONE[opened.state]))}</p>"
    else:
        texts = {key: t(text) % {"num": policy.min_length if key == "min" else policy.max_length}
                 if "%(num)s" in text else t(text) for key, text in RULES.items()}  # fmt: skip
        rules = {
            "min": policy.min_length, "max": policy.max_length,
            "upper": policy.require_uppercase, "lower": policy.require_lowercase,
            "digit": policy.require_digit, "symbol": policy.require_symbol, "texts": texts,
        }  # fmt: skip
        errors = "".join(f"<li>{html.escape(texts[key])}</li>" for key in broken)
        body = f"""<p>{html.escape(t("Login:"))} <code>{html.escape(opened.login)}</code></p>
<ul class=errors id=errors role=alert>{errors}</ul>
<form id=set-password method=post action="{SET_PASSWORD_PATH}"
 data-rules="{html.escape(json.dumps(rules))}">
<input type=hidden name=token value="{html.escape(token)}">
<label>{html.escape(t("New password"))}
<input type=password name=password autocomplete=new-password required
 maxlength={policy.max_length}></label>
<label>{html.escape(t("Repeat the new password"))}
<input type=password name=repeat autocomplete=new-password required></label>
<ul class=errors id=live aria-live=polite></ul>
<p><button type=submit>{html.escape(t("Set password"))}</button></p>
</form>
<script nonce="{nonce}">{_SCRIPT}</script>"""
    return html_page(language, t("Set your new Connect password"), body, nonce, status)


def html_page(language: str, title: str, body: str, nonce: str, status: int) -> HTMLResponse:
    """One of the users' pages: ``title`` (text) as its title and heading, ``body``
    (HTML), the style and any script allowed by ``nonce`` only."""
    title = html.escape(title)
    page = f"""<!doctype html>
<html lang="{language}"><head><meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1">
<title>{title}</title><style nonce="{nonce}">{STYLE}</style></head>
<body><h1>{title}</h1>
{body}
</body></html>
"""
    headers = {**HEADERS, "Content-Security-Policy": CSP.format(nonce=nonce)}
    return HTMLResponse(page, status_code=status, headers=headers)
