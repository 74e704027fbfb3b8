"""HTML pages and fetched URLs become articles with their metadata; offsets refer to the laid-out text."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sourcetrace.errors import FetchError
from sourcetrace.ingest import article_from_bytes, load_article

PAGE = """<!doctype html>
<html><head><title>Officials say talks will resume | Example News</title>
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<meta property="og:site_name" content="Example News"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Officials say talks will resume</h1>
<p>Negotiators from both countries will meet again next week in Geneva, officials said on Tuesday.</p>
<p>“We expect a difficult round,” the foreign minister told reporters after the meeting, according to Reuters.</p>
<p>The previous round ended without agreement in January, when both delegations left early.</p>
<p>Analysts said the economic pressure on both sides had grown since then, making a deal more likely.</p>
</article><footer>© 2024 Example News. All rights reserved.</footer></body></html>"""


def test_html_article_with_metadata() -> None:
    article = article_from_bytes(PAGE.encode(), url="https://www.example.com/world/talks")
    assert article.input_format == "html"
    assert article.title == "Officials say talks will resume"
    assert article.byline == "Jane Reporter"
    assert article.date == "2024-03-05"
    assert "Home" not in article.text and "All rights reserved" not in article.text
    paragraphs = [p for p in article.text.split("\n\n") if p.strip()]
    assert any(p.startswith("Negotiators from both countries") for p in paragraphs)
    assert article.title_span is not None
    assert article.text[article.title_span.start : article.title_span.end] == article.title


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_fetch_local_page_when_allowed(local_server: str) -> None:
    article = load_article(f"{local_server}/world/talks", allow_private=True)
    assert article.title == "Officials say talks will resume"
    assert article.url is not None and article.url.startswith(local_server)


def test_loopback_refused_by_default(local_server: str) -> None:
    with pytest.raises(FetchError, match="loopback"):
        load_article(f"{local_server}/world/talks")


def test_unsupported_scheme_refused(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        load_article(f"file://{tmp_path}/x.txt")
