"""End to end in a real browser: Debian's Chromium driven by Playwright (its own browser download is not
used). ``sourcetrace serve`` runs in a subprocess on a free loopback port; the seed article is pasted into
the form, and the report (served, and written to a file by ``sourcetrace demo -f html``) is checked for its
attributions, the Fars and Reuters conduits and the chain shown on click; nothing may be requested from
anywhere else, and no console error (a CSP violation included) may appear.

Run with ``python -m pytest tests/browser -m browser`` (or ``bash tests/browser/run.sh``, which installs
Chromium first when it is missing). ``SOURCETRACE_SCREENSHOT=docs/report-screenshot.png`` also saves the
screenshot used in the README.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from .support import serve

pytestmark = pytest.mark.browser

SEED = resources.files("sourcetrace.resources").joinpath("demo-article.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve() as base:
        yield base


class Watch:
    """Console errors, page errors and every request a page makes."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def assert_clean(self, allowed_origin: str | None) -> None:
        assert self.errors == []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("file", "data", "about"):
                continue
            assert allowed_origin is not None and url.startswith(allowed_origin), f"unexpected request: {url}"


def _check_report(page: Page) -> None:
    """The seed report's attributions, conduits and a chain shown in the popover on click."""
    cards = page.locator("#attributions .card.att")
    assert cards.count() >= 11
    expect(page.locator("#chains svg.graph")).to_contain_text("Fars News Agency")
    expect(page.locator("#chains svg.graph")).to_contain_text("Reuters")
    # The attribution that reached the article through Fars, clicked in the text.
    fars = cards.filter(has_text="Fars News Agency").first
    fars_id = fars.get_attribute("data-a")
    cue = page.locator(f"#cue-{fars_id}")
    cue.hover()
    expect(fars).to_have_class("card att hl")
    cue.click()
    popover = page.locator("#popover")
    expect(popover).to_be_visible()
    chain = popover.locator("ol.chain li")
    expect(chain).to_have_text(["Hakem al-Zameli", "Fars News Agency", "this article"])
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    # Through Reuters: the nested quote carries the outer speaker and the outlet in its chain.
    nested = cards.filter(has_text="Both the minister of defense").first
    page.locator(f"#cue-{nested.get_attribute('data-a')}").click()
    expect(popover.locator("ol.chain li").first).to_have_text("Both the minister of defense and the prime minister")
    expect(popover).to_contain_text("Joseph Dunford")
    expect(popover).to_contain_text("Reuters")
    page.mouse.click(5, 5)
    expect(popover).to_be_hidden()


def test_paste_the_seed_article_into_the_form(browser: Browser, server: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page)
    page.goto(server + "/")
    page.fill("textarea[name=text]", SEED)
    page.fill("input[name=url]", "http://usdefensewatch.com/2015/10/insult-to-injury/")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/report")
    expect(page.locator("h1")).to_have_text(
        "Insult to injury – Russia given the green light by Baghdad to hit ISIS in Iraq")
    _check_report(page)
    # Filtering the list fades the other claims in the text.
    page.fill("#filter", "reuters")
    visible = page.locator("#attributions .card.att:visible")
    assert 1 <= visible.count() < page.locator("#attributions .card.att").count()
    watch.assert_clean(server)
    page.close()


def test_form_errors_are_shown_on_the_form(browser: Browser, server: str) -> None:
    page = browser.new_page()
    page.goto(server + "/")
    page.fill("input[name=url]", "http://127.0.0.1:1/private")
    with page.expect_navigation():
        page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("refusing to fetch")
    page.close()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "seed-report.html"
    subprocess.run([sys.executable, "-m", "sourcetrace.cli", "demo", "--format", "html", "--output", str(path)],
                   check=True, capture_output=True)
    return path


def test_the_report_file_on_its_own(browser: Browser, report_file: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page)
    page.goto(report_file.as_uri())
    _check_report(page)
    watch.assert_clean(None)
    screenshot = os.environ.get("SOURCETRACE_SCREENSHOT")
    if screenshot:
        _screenshot(page, Path(screenshot))
    page.close()


def _screenshot(page: Page, path: Path) -> None:
    """The top of the report with the details of the first claim passed on through Fars open (the README's)."""
    page.set_viewport_size({"width": 1280, "height": 1180})
    page.evaluate("window.scrollTo(0, 0)")
    cards = page.locator("#attributions .card.att")
    page.locator(f"#cue-{cards.filter(has_text='Fars News Agency').first.get_attribute('data-a')}").click()
    page.wait_for_timeout(150)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def test_the_report_reads_without_javascript_and_prints(browser: Browser, report_file: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(report_file.as_uri())
    expect(page.locator("#filter")).to_be_hidden()
    expect(page.locator("#attributions")).to_contain_text("Fars News Agency")
    expect(page.locator("#chains svg.graph")).to_be_visible()
    page.click("a.ref >> nth=0")  # the superscript reference jumps to the attribution's card
    assert page.url.endswith("#att-a1")
    page.emulate_media(media="print")
    expect(page.locator("nav.toc")).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    context.close()
