"""The web app: the form flow and the JSON API answer reports, and every kind of bad request gets a
one-line JSON error with the right status while the server keeps serving."""

from __future__ import annotations

import sys
import threading
import types
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sourcetrace import Pipeline
from sourcetrace.web.app import create_app

with warnings.catch_warnings():  # Starlette 1.10 nudges towards httpx2; the pinned httpx works as it is
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

GERMAN = (
    "Die Bundesregierung hat am Dienstag neue Maßnahmen gegen die steigenden Energiepreise beschlossen. "
    "Der Minister sagte, die Lage sei ernst, aber man werde alles tun, um die Bürger zu schützen. "
    "Kritiker bemängeln, dass die Schritte zu spät kämen und nicht weit genug gingen."
)


@pytest.fixture(scope="module")
def client(pipeline: Pipeline) -> Iterator[TestClient]:
    with TestClient(create_app(pipeline=pipeline, max_body_bytes=200_000)) as test_client:
        yield test_client


def _error(response: object, status: int, *fragments: str) -> str:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/json")  # type: ignore[attr-defined]
    message = response.json()["error"]  # type: ignore[attr-defined]
    assert "\n" not in message and "Traceback" not in message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message
    return str(message)


def test_analyze_text_answers_the_report_json(client: TestClient, seed_text: str) -> None:
    response = client.post("/api/analyze", json={"text": seed_text, "url": "https://example.com/story"})
    assert response.status_code == 200
    report = response.json()
    assert report["article"]["url"] == "https://example.com/story"
    assert len(report["attributions"]) >= 11
    chains = [" → ".join([a["source"]["name"], *(c["name"] for c in a["conduits"])])
              for a in report["attributions"] if a["source"]]
    assert "Hakem al-Zameli → Fars News Agency" in chains
    assert response.headers["x-content-type-options"] == "nosniff"


def test_schema_and_openapi_without_cdn_docs(client: TestClient) -> None:
    assert client.get("/api/schema").json()["title"] == "Report"
    assert "/api/analyze" in client.get("/openapi.json").json()["paths"]
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_form_page_and_html_report(client: TestClient, seed_text: str) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'action="/report"' in page.text and 'name="text"' in page.text and 'type="file"' in page.text
    assert "http://" not in page.text.replace("http://www.w3.org/2000/svg", "")
    report = client.post("/report", data={"text": seed_text, "url": "https://example.com/story"})
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/html")
    assert 'id="att-a1"' in report.text and "Fars News Agency" in report.text
    assert 'href="/"' in report.text  # back to the form


def test_form_upload_of_a_text_file(client: TestClient, seed_text: str) -> None:
    response = client.post("/report", files={"file": ("seed.txt", seed_text.encode(), "text/plain")})
    assert response.status_code == 200
    assert "Reuters" in response.text


def test_form_errors_come_back_on_the_form(client: TestClient) -> None:
    response = client.post("/report", data={"text": "   "})
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "nothing to analyse" in response.text


def test_oversize_body_is_refused(client: TestClient) -> None:
    _error(client.post("/api/analyze", json={"text": "word " * 60_000}), 413, "limit")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold on the streamed body
        yield b'{"text": "'
        for _ in range(300):
            yield b"word " * 200
        yield b'"}'

    _error(client.post("/api/analyze", content=chunks(), headers={"content-type": "application/json"}), 413)
    response = client.post("/report", files={"file": ("big.txt", b"word " * 60_000, "text/plain")})
    assert response.status_code == 413


def test_empty_and_malformed_requests(client: TestClient) -> None:
    _error(client.post("/api/analyze", json={"text": "  \n "}), 422, "empty")
    _error(client.post("/api/analyze", json={}), 422, "text", "url")
    _error(client.post("/api/analyze", json={"text": "x", "bogus": 1}), 422, "bogus")
    _error(client.post("/api/analyze", content=b"{not json", headers={"content-type": "application/json"}),
           422, "JSON")


def test_binary_upload_is_refused(client: TestClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    response = client.post("/report", files={"file": ("photo.txt", png, "text/plain")})
    assert response.status_code == 422
    assert "binary" in response.text


def test_non_english_text_names_the_language(client: TestClient) -> None:
    _error(client.post("/api/analyze", json={"text": GERMAN}), 422, "German")


def test_short_non_english_paragraph_is_refused_not_analysed(client: TestClient) -> None:
    german = ("Die Regierung in Bagdad hat Russland erlaubt, Stellungen der Extremisten aus der Luft anzugreifen, "
              "sagte ein Sprecher am Freitag.")
    _error(client.post("/api/analyze", json={"text": german}), 422, "German")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/article", "http://localhost/article", "file:///etc/passwd",
                                 "/etc/passwd"])
def test_private_and_non_http_urls_are_refused(client: TestClient, url: str) -> None:
    _error(client.post("/api/analyze", json={"url": url}), 400, "refusing")


def test_urls_are_fetched_when_private_addresses_are_allowed(pipeline: Pipeline, seed_text: str) -> None:
    page = seed_text.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/missing":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with TestClient(create_app(pipeline=pipeline, allow_private=True)) as local:
            response = local.post("/api/analyze", json={"url": f"{base}/story"})
            assert response.status_code == 200, response.text
            assert response.json()["article"]["url"] == f"{base}/story"
            assert len(response.json()["attributions"]) >= 11
            _error(local.post("/api/analyze", json={"url": f"{base}/missing"}), 502, "404")
            form = local.post("/report", data={"url": f"{base}/story"})
            assert form.status_code == 200 and "Fars News Agency" in form.text
    finally:
        server.shutdown()
        server.server_close()


def test_unknown_outlet_is_a_json_404(client: TestClient) -> None:
    _error(client.get("/api/outlets/no-such-outlet-anywhere"), 404, "no-such-outlet-anywhere")


def test_outlets_come_from_the_registry_module(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = types.ModuleType("sourcetrace.outlets.registry")
    records = {"reuters": {"id": "reuters", "name": "Reuters", "labels": [{"label": "wire_service"}]}}
    registry.get_outlet = records.get  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sourcetrace.outlets.registry", registry)
    assert client.get("/api/outlets/reuters").json()["name"] == "Reuters"
    _error(client.get("/api/outlets/nobody"), 404, "nobody")


def test_the_server_still_answers(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.post("/api/analyze", json={"text": "Trade talks resume\n\nThe minister said the talks "
                                                         "would resume on Monday, according to Reuters.\n"})
    assert response.status_code == 200
    assert response.json()["attributions"][0]["conduits"][0]["name"] == "Reuters"


def test_a_binary_body_is_a_one_line_4xx(client: TestClient) -> None:
    """Issue 20: an executable posted as application/octet-stream was a 500 (UnicodeDecodeError)."""
    body = bytes([0x00, 0xFF, 0xFE, 0x7F]) + b"ELF" + bytes(range(256)) * 8
    _error(client.post("/api/analyze", content=body, headers={"content-type": "application/octet-stream"}),
           415, "binary", "application/json")
    _error(client.post("/api/analyze", content=b"The minister said so.", headers={"content-type": "text/plain"}),
           415, "text/plain", "not JSON")


def test_binary_looking_text_in_json_is_refused(client: TestClient) -> None:
    """Issue 21: an executable's bytes sent as the "text" string came back as a report with NUL "entities"."""
    executable = (b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x03\x00>\x00\x01\x00\x00\x00" + bytes(range(256)) * 40)
    response = client.post("/api/analyze", json={"text": "Headline\n\n" + executable.decode("latin-1")})
    _error(response, 422, "binary", "NUL")


def test_an_unresolvable_host_is_a_502_not_a_400(client: TestClient) -> None:
    """The README documents 502 for a page that cannot be fetched; only a refused URL is the client's 400."""
    _error(client.post("/api/analyze", json={"url": "https://no-such-host.invalid/story"}), 502, "could not resolve")


def test_outlets_are_found_by_domain_or_name_as_the_cli_does(client: TestClient) -> None:
    """Issue 21: /api/outlets/rt.com was 404 while `sourcetrace outlets show rt.com` worked."""
    for key in ("rt-com", "rt.com", "RT", "https://www.rt.com/news/1"):
        response = client.get(f"/api/outlets/{key}")
        assert response.status_code == 200, (key, response.text)
        assert response.json()["id"] == "rt-com"
