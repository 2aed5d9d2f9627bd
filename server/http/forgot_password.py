"""GET/POST /forgot-password: the page where a user asks for a set-password link by
login or e-mail address (domain/services/forgot_password.py), beside the set-password
page (set_password.py), whose headers, style and table of sentences it shares.

Nobody is signed in, so the page speaks the browser's language (Accept-Language,
German or English). It works without JavaScript and has none. The answer after the
form is the same whether or not such a user exists; only the limit on requests
answers otherwise (429). A POST a browser marks as cross-site is refused.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Callable
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain.errors import DomainError
from domain.services.registry import Services
from server.http.set_password import HEADERS, MAX_FIELD, html_page
from server.http.set_password_texts import LANGUAGES, gettext

FORGOT_PASSWORD_PATH = "/forgot-password"
ASKED = (
    "If your location allows it and the login or address is known, a link to set a new "
    "password is on its way to your e-mail address. It works once. If no mail arrives, "
    "contact your administrator."
)
LIMITED = "Too many requests. Try again in 15 minutes."


def language_of(accept_language: str) -> str:
    """The first of our languages the browser accepts, by its q-values; else English."""
    best, best_q = "en", 0.0
    for part in accept_language.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and q > best_q:
            best, best_q = base, q
    return best


class ForgotPasswordPage:
    def __init__(self, make_services: Callable[[], Services]) -> None:
        self._services = make_services

    async def endpoint(self, request: Request) -> Response:
        language = language_of(request.headers.get("accept-language", ""))
        if request.method == "GET":
            return _page(language, form=True)
        if request.headers.get("sec-fetch-site") == "cross-site":
            return Response("cross-site form posts are refused", status_code=403, headers=HEADERS)
        # A plain urlencoded form (the body is bounded by server/http/limits.py).
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        given = (form.get("login") or [""])[0][:MAX_FIELD]
        client = request.client.host if request.client is not None else ""
        try:
            await self._services().forgot_password.request_link(given, client)
        except DomainError:
            return _page(language, form=True, alert=LIMITED, status=429)
        return _page(language, form=False, status_text=ASKED)


def _page(
    language: str,
    *,
    form: bool,
    alert: str = "",
    status_text: str = "",
    status: int = 200,
) -> HTMLResponse:
    t = gettext(language)
    nonce = secrets.token_urlsafe(18)
    title = t("Forgot your Connect password?")
    parts = []
    if alert:
        parts.append(f"<p role=alert>{html.escape(t(alert))}</p>")
    if status_text:
        parts.append(f"<p role=status>{html.escape(t(status_text))}</p>")
    if form:
        parts.append(f"""<p>{html.escape(t("Enter your login or e-mail address. We mail you a link to set a new password."))}</p>
<form method=post action="{FORGOT_PASSWORD_PATH}">
<label>{html.escape(t("Login or e-mail address"))}
<input name=login autocomplete=username required maxlength=254></label>
<p><button type=submit>{html.escape(t("Send link"))}</button></p>
</form>""")  # noqa: E501
    return html_page(language, title, "\n".join(parts), nonce, status)
