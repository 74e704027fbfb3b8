"""Regression tests: one per crash the fuzzers found (docs/reliability.md lists them), each on the smallest input
that showed it, asserting the fixed behaviour."""

from __future__ import annotations

import gzip
import io
import ipaddress
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from sourcetrace.article import fetch
from sourcetrace.article.ingest import article_from_bytes, article_from_text
from sourcetrace.corpus.sources import Failure, estimate, iter_inputs
from sourcetrace.errors import FetchError, InputError
from sourcetrace.models import Report
from sourcetrace.render.markdown import render_markdown
from sourcetrace.render.terminal import render_terminal

from . import targets
from .checks import check_html, check_markdown, check_terminal

# ---- ingest: lone surrogates (spaCy's tokenizer raised UnicodeEncodeError; the report JSON could not be written)


def test_a_lone_surrogate_in_the_text_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"unpaired surrogate \(U\+D800\) at character 12"):
        article_from_text("The minister\ud800 said the talks would continue.")


@pytest.mark.parametrize("field", ["title", "url", "site", "byline", "date"])
def test_a_lone_surrogate_in_the_metadata_is_an_input_error(field: str) -> None:
    with pytest.raises(InputError, match=f"the {field} is not valid Unicode"):
        article_from_text("The minister said the talks would continue.", **{field: "x\udfff"})
    if field in ("title", "url", "site"):
        with pytest.raises(InputError, match=f"the {field} is not valid Unicode"):
            article_from_bytes(b"The minister said the talks would continue.", **{field: "\ud800"})


# ---- fetch: addresses Python's ipaddress calls global, a URL with a line break, a redirect without a Location


@pytest.mark.parametrize("address", ["192.0.0.8", "192.0.0.200", "fec0::1", "::ffff:192.0.0.8"])
def test_special_purpose_addresses_are_refused(address: str) -> None:
    assert fetch.address_kind(ipaddress.ip_address(address)) is not None
    with targets.offline_resolver([address]), pytest.raises(FetchError, match="refusing to fetch"):
        fetch.check_url("https://news.example/story")


def test_public_addresses_still_pass() -> None:
    with targets.offline_resolver(["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]):
        assert len(fetch.check_url("https://news.example/story")) == 2


def test_a_url_with_a_line_break_is_refused_in_one_line() -> None:
    with pytest.raises(FetchError) as caught:
        fetch.check_url("https://.example/\n")
    assert str(caught.value) == ("refusing to fetch https://.example/\\n: it is not a valid URL (it holds control "
                                 "characters)")


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[httpx.Response]]:
    """fetch_url against scripted responses, every name resolving to a public address."""
    answers: list[httpx.Response] = []
    real_client = httpx.Client
    monkeypatch.setattr(fetch.httpx, "Client", lambda *a, **k: real_client(
        *a, transport=httpx.MockTransport(lambda request: answers.pop(0)), **k))
    with targets.offline_resolver(["93.184.215.14"]):
        yield answers


def test_a_redirect_without_a_location_is_a_fetch_error(fake_server: list[httpx.Response]) -> None:
    fake_server.append(httpx.Response(302))
    with pytest.raises(FetchError, match="HTTP 302 without a Location to follow"):
        fetch.fetch_url("http://news.example/story")


def test_a_redirect_to_a_private_address_is_still_refused(fake_server: list[httpx.Response],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    fake_server.append(httpx.Response(301, headers={"Location": "http://192.0.0.8/admin"}))
    # undone here, inside fake_server's resolver: undone at teardown, it would put that resolver back for good
    with monkeypatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", lambda host, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.0.8" if host == "192.0.0.8" else "93.184.215.14", 80))])
        with pytest.raises(FetchError, match=r"refusing to fetch http://192\.0\.0\.8/admin"):
            fetch.fetch_url("http://news.example/story")


# ---- corpus readers: a cut or corrupt .jsonl.gz (EOFError, zlib.error), field names with line breaks


def _jsonl_gz(tmp_path: Path, damage: str) -> Path:
    data = gzip.compress(b'{"text": "The minister said the talks would continue."}\n' * 50)
    data = data[:10] if damage == "cut" else data[:20] + bytes([data[20] ^ 0x10]) + data[21:]
    path = tmp_path / "batch.jsonl.gz"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("damage", ["cut", "corrupt"])
def test_a_damaged_jsonl_gz_is_a_failure_not_a_crash(tmp_path: Path, damage: str) -> None:
    path = _jsonl_gz(tmp_path, damage)
    assert estimate([path]) is not None
    items = list(iter_inputs([path]))
    assert isinstance(items[-1], Failure) and "truncated or corrupt" in items[-1].reason


def test_failure_reasons_stay_on_one_line(tmp_path: Path) -> None:
    jsonl = tmp_path / "odd.jsonl"
    jsonl.write_text(json.dumps({"\n": 1, "a\r\nb": 2}) + "\n", encoding="utf-8")
    csv = tmp_path / "odd.csv"
    csv.write_text('"bo\r\ndy",x\n1,2\n', encoding="utf-8")
    failures = [item for item in iter_inputs([jsonl, csv]) if isinstance(item, Failure)]
    assert len(failures) == 2
    assert all("\n" not in f.reason and "\r" not in f.reason for f in failures), failures


# ---- renderers: Markdown syntax and raw HTML in cells, rich markup and control characters in the terminal


@pytest.fixture
def hostile_report(seed_report: Report) -> Report:
    report = seed_report.model_copy(deep=True)
    attribution = next(a for a in report.attributions if a.source is not None)
    attribution.nested_in = "a1 | b"
    assert attribution.source is not None
    attribution.source.name = "x\\|<script>alert(1)</script>`code` [/] \x1b]0;pwned\x07"
    report.entities[0].name = "[/bold]\x1b[31mred"
    report.entities[0].role = "[link=javascript:alert(1)]click[/link]"
    report.warnings.append("[/] \x9b2J")
    return report


def test_markdown_escapes_cells_and_keeps_the_table_shape(hostile_report: Report) -> None:
    markdown = render_markdown(hostile_report)
    check_markdown(markdown)
    assert "x\\\\\\|\\<script\\>alert(1)\\</script\\>\\`code\\` \\[/\\]" in markdown
    nested = next(a for a in hostile_report.attributions if a.nested_in == "a1 | b")
    assert f"| {nested.id} (inside a1 \\| b) |" in markdown


def test_the_terminal_report_prints_markup_and_controls_as_text(hostile_report: Report) -> None:
    out = io.StringIO()
    render_terminal(hostile_report, Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    check_terminal(text)
    assert "[/bold]\\x1b[31mred" in text and "warning: [/] \\x9b2J" in text


def test_the_html_report_escapes_the_same_strings(hostile_report: Report) -> None:
    from sourcetrace.render.html import render_html

    check_html(render_html(hostile_report))


# ---- the web app: surrogates echoed in a validation error, ids and offsets past SQLite's integers


@pytest.fixture(scope="module")
def web() -> Iterator[targets.WebApp]:
    app = targets.WebApp()
    yield app
    app.close()


@pytest.mark.parametrize(("body", "status"), [
    ('{"text": ["\\ud800"]}', 422),
    ('{"text": 5, "\\ud800": 1}', 422),
    ('{"text": "The minister said the talks would continue.", "title": "\\ud800"}', 422),
    ('{"text": "The minister said the talks would continue.", "url": "https://x.example/\\udfff"}', 422),
])
def test_surrogates_in_a_request_are_a_4xx(web: targets.WebApp, body: str, status: int) -> None:
    response = web.client.post("/api/analyze", content=body.encode(), headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    assert "unpaired surrogate" in response.json()["error"] or "invalid request" in response.json()["error"]


@pytest.mark.parametrize(("path", "status"), [
    ("/corpus/articles/99999999999999999999", 404),
    ("/api/corpus/articles/99999999999999999999", 404),
    ("/api/corpus/search?q=talks&offset=99999999999999999999", 422),
])
def test_numbers_past_sqlite_integers_are_a_4xx(web: targets.WebApp, path: str, status: int) -> None:
    response: Any = web.client.get(path)
    assert response.status_code == status, response.text


def test_a_redirect_to_an_invalid_url_is_a_fetch_error(fake_server: list[httpx.Response]) -> None:
    fake_server.append(httpx.Response(302, headers={"Location": "http:abc"}))
    with pytest.raises(FetchError, match="the server redirected to an invalid URL"):
        fetch.fetch_url("http://news.example/story")


# ---- found by the long runs: an inverted role span from the pipeline, a field name breaking a 422's message


def test_an_appositive_past_the_source_gives_no_inverted_role(pipeline: Any) -> None:
    from .checks import check_report

    report = pipeline.analyze("he : The")
    check_report(report)
    assert all(a.source is None or a.source.role is None or a.source.role.start < a.source.role.end
               for a in report.attributions)


def test_a_field_name_with_line_breaks_stays_on_one_line(web: targets.WebApp) -> None:
    response = web.client.post("/api/analyze", content=b'{"\\n\\n": 1}', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid request: \\n\\n: Extra inputs are not permitted"
