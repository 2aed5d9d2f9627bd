"""GraphiQL's first tab, SignIn, as a newcomer meets it: its Variables pane holds the
login and an empty password on first load, the welcome comment fits a 1280 px wide
window (as do the other tabs), and typing the password into Variables and running the
tab answers a token, without the password ever standing in the page's address."""

from __future__ import annotations

from playwright.sync_api import expect, sync_playwright

from tests.browser.test_graphiql import (
    ADMIN_PASSWORD,
    CHROMIUM,
    CHROMIUM_ARGS,
    OUTPUT,
    TIMEOUT_MS,
    Offline,
    pytestmark,
    replace_text,
    server,
)

__all__ = ["pytestmark", "server"]  # the module's marks and its fixture

# How far the longest line's text reaches past the query editor's visible right edge.
WIDEST_LINE_OVERFLOW = """editor => {
  const edge = editor.querySelector(".CodeMirror").getBoundingClientRect().right;
  const ends = [...editor.querySelectorAll(".CodeMirror-line > span")].map(
    line => line.getBoundingClientRect().right);
  return Math.max(...ends) - edge;
}"""


def test_sign_in_shows_its_variables_on_first_load_and_runs(server: str) -> None:
    offline = Offline()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.route("**/*", offline.only_local)
            page.on("request", lambda request: offline.requested.append(request.url))
            page.on("console", offline.console)
            page.on("pageerror", lambda error: offline.problems.append(f"page error: {error}"))
            try:
                page.goto(f"{server}/graphql", wait_until="load")
                query = page.locator(".graphiql-query-editor")
                expect(query).to_contain_text("mutation SignIn")

                # The Variables pane, as it opens, without switching tabs first.
                pane = page.locator(".graphiql-editor-tool")
                expect(pane).to_contain_text('"login": "admin"')
                expect(pane).to_contain_text('"password": ""')
                # The welcome comment is not cut at the right edge.
                overflow = query.evaluate(WIDEST_LINE_OVERFLOW)
                assert overflow <= 0, f"a line of the query sticks out by {overflow} px"

                replace_text(
                    page,
                    ".graphiql-editor-tool",
                    f'{{"login": "admin", "password": "{ADMIN_PASSWORD}"}}',
                )
                page.locator(".graphiql-execute-button").click()
                answer = page.locator(".graphiql-response")
                expect(answer).to_contain_text('"token": "cas_')
                expect(answer).to_contain_text('"errors": []')
                assert ADMIN_PASSWORD not in page.url

                # Every example tab fits as well.
                for title in ("UsersPage", "ResetUsers", "ResetProgress"):
                    page.get_by_role("tab").filter(has_text=title).click()
                    expect(query).to_contain_text(title)
                    overflow = query.evaluate(WIDEST_LINE_OVERFLOW)
                    assert overflow <= 0, f"{title}: a line sticks out by {overflow} px"
                page.screenshot(path=str(OUTPUT / "graphiql-sign-in.png"))
            except BaseException:
                page.screenshot(path=str(OUTPUT / "graphiql-sign-in-failed.png"))
                raise
        finally:
            browser.close()

    offline.assert_only_local()
