"""The shared web app (issue 26) in a real browser: with access tokens set, a visitor gets the login form,
signs in with the token, and then uses the analysis form as before (its CSRF token travels in the form, the
session in an HttpOnly, SameSite=Strict cookie script cannot read); no page breaks its own
Content-Security-Policy (a violation is a console error) or requests anything from elsewhere.

Run with the other browser tests: ``bash tests/browser/run.sh``.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, ConsoleMessage, expect

from .support import serve

pytestmark = pytest.mark.browser

EDITOR_TOKEN = "browser-test-editor-token-0123456789abcdef"
ARTICLE = ("Port city approves harbour dredging\n\n"
           "The city council approved the dredging of the old harbour on Tuesday, the mayor said. "
           "\"The port must stay open to larger ships,\" the mayor told reporters.")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    # a token set: loopback needs it too, and /healthz answers 401 until one is given
    with serve(["--workers", "1"], env={"SOURCETRACE_EDITOR_TOKEN": EDITOR_TOKEN}, ready_status=401) as base:
        yield base


def test_sign_in_then_analyse(browser: Browser, server: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and "401" not in message.text:  # the login page itself answers 401
            errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(server + "/")
    expect(page.locator("h1")).to_have_text("sourcetrace")
    page.fill("input[name=token]", "not-the-token-not-the-token")
    with page.expect_navigation():
        page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("not valid")
    page.fill("input[name=token]", EDITOR_TOKEN)
    with page.expect_navigation():
        page.click("button[type=submit]")
    expect(page.locator("textarea[name=text]")).to_be_visible()
    assert page.evaluate("document.cookie") == ""  # HttpOnly: the session is out of any script's reach
    assert page.locator("form.analyze input[name=csrf_token]").get_attribute("value")
    page.fill("textarea[name=text]", ARTICLE)
    with page.expect_navigation():
        page.click("form.analyze button[type=submit]")
    assert page.url.endswith("/report")
    expect(page.locator("h1")).to_have_text("Port city approves harbour dredging")
    assert page.locator("#attributions .card.att").count() >= 1
    page.go_back()
    with page.expect_navigation():
        page.click("form.signout button[type=submit]")
    expect(page.locator("input[name=token]")).to_be_visible()  # signed out: the sign-in form again
    assert errors == []
    assert all(urlsplit(url).scheme in ("data", "about") or url.startswith(server) for url in requests)
    page.close()
