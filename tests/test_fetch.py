"""The URL fetcher: refuses the user's own network unless allowed, checks every redirect hop, stays bounded.

Everything here runs against a real HTTP server on 127.0.0.1 started inside the test; nothing needs the
network.
"""

from __future__ import annotations

import http.server
import ipaddress
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sourcetrace.article.fetch import MAX_REDIRECTS, address_kind, check_url, fetch_url, user_agent
from sourcetrace.article.ingest import load_article
from sourcetrace.errors import FetchError

ARTICLE = (Path(__file__).parent / "data" / "article.html").read_bytes()


@dataclass
class Server:
    base: str
    port: int
    requests: list[dict[str, str]] = field(default_factory=list)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.log.append({"path": self.path, "host": self.headers.get("Host", ""),
                                "user_agent": self.headers.get("User-Agent", "")})
        route = self.path.split("?")[0]
        if route == "/article":
            self._send(200, ARTICLE, "text/html; charset=utf-8")
        elif route == "/moved":
            self._redirect("/article")
        elif route == "/to-localhost":
            self._redirect(f"http://localhost:{self.server.server_address[1]}/article")
        elif route == "/to-ftp":
            self._redirect("ftp://example.com/article.txt")
        elif route == "/to-invalid":
            self._redirect("http://nonexistent.invalid/article")
        elif route == "/loop":
            self._redirect("/loop")
        elif route == "/image":
            self._send(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png")
        elif route == "/big-declared":
            self._send(200, b"x" * 5000, "text/plain")
        elif route == "/big-streamed":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")  # no Content-Length: the body runs until the socket closes
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"y" * 1000)
        elif route == "/slow":
            time.sleep(2)
            self._send(200, b"late", "text/plain")
        else:
            self._send(404, b"not here", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    log: list[dict[str, str]]


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.log = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    yield Server(base=f"http://127.0.0.1:{port}", port=port, requests=httpd.log)
    httpd.shutdown()
    httpd.server_close()


# --- refusals before any connection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/admin", "127.0.0.1 is a loopback address"),
        ("http://localhost:8080/", "localhost resolves to 127.0.0.1, a loopback address"),
        ("http://10.0.0.7/", "10.0.0.7 is a private address"),
        ("http://192.168.1.1/", "192.168.1.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]:8000/", "::1 is a loopback address"),
        ("http://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1 is a private address"),
        ("http://100.64.0.1/", "100.64.0.1 is a shared (carrier-grade NAT) address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://2130706433/", "2130706433 resolves to 127.0.0.1, a loopback address"),  # 127.0.0.1 as an integer
    ],
)
def test_private_addresses_refused(url: str, reason: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_url(url)
    assert str(caught.value) == f"refusing to fetch {url}: {reason} (use --allow-private to allow it)"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/article.txt", "gopher://example.com/"])
def test_other_schemes_refused(url: str) -> None:
    with pytest.raises(FetchError, match=r"only http and https URLs are supported$"):
        fetch_url(url, allow_private=True)


def test_load_article_passes_urls_to_the_fetcher() -> None:
    with pytest.raises(FetchError, match=r"^refusing to fetch file:///etc/passwd: only http and https"):
        load_article("file:///etc/passwd")


def test_unresolvable_host() -> None:
    with pytest.raises(FetchError) as caught:
        fetch_url("http://nonexistent.invalid/")
    assert str(caught.value) == (
        "could not fetch http://nonexistent.invalid/: could not resolve host nonexistent.invalid"
    )


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("172.16.5.4", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("fe80::1", "a link-local address"),
        ("224.0.0.251", "a multicast address"),
        ("240.0.0.1", "a private address"),  # reserved 240/4; Python files it under is_private too
        ("2002:7f00:1::", "a loopback address"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", "a private address"),  # NAT64 reaching 10.0.0.1
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


# --- a real server on 127.0.0.1 ---------------------------------------------------------------------------


def test_local_page_fetched_and_extracted_when_allowed(server: Server) -> None:
    article = load_article(f"{server.base}/article", allow_private=True)
    assert article.input_format == "html"
    assert article.title == "Port strike enters second week as talks stall"
    assert article.byline == "Maria Lindqvist"
    assert article.url == f"{server.base}/article"
    assert server.requests[0]["user_agent"] == user_agent()
    assert user_agent().startswith("sourcetrace/") and "(+https://github.com/sourcetrace)" in user_agent()


def test_loopback_server_refused_by_default(server: Server) -> None:
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is a loopback address \(use --allow-private"):
        load_article(f"{server.base}/article")
    assert server.requests == []  # refused before connecting


def test_redirects_followed_and_final_url_kept(server: Server) -> None:
    page = fetch_url(f"{server.base}/moved", allow_private=True)
    assert page.url == f"{server.base}/article"
    assert page.status == 200 and page.data == ARTICLE
    assert page.content_type == "text/html; charset=utf-8"


def test_host_name_kept_while_connecting_to_the_checked_address(server: Server) -> None:
    page = fetch_url(f"{server.base}/to-localhost", allow_private=True)
    assert page.url == f"http://localhost:{server.port}/article"
    assert server.requests[-1]["host"] == f"localhost:{server.port}"  # the name, though the socket went to the IP


def test_every_redirect_hop_is_checked(server: Server) -> None:
    with pytest.raises(FetchError, match=r"^refusing to fetch ftp://example\.com/article\.txt: only http and https"):
        fetch_url(f"{server.base}/to-ftp", allow_private=True)
    with pytest.raises(FetchError, match=r"could not resolve host nonexistent\.invalid$"):
        fetch_url(f"{server.base}/to-invalid", allow_private=True)
    # A redirect from a public page to this server is refused by the same check every hop goes through:
    target = f"http://localhost:{server.port}/article"
    with pytest.raises(FetchError, match=r"localhost resolves to 127\.0\.0\.1, a loopback address"):
        check_url(target, allow_private=False)
    assert check_url(target, allow_private=True)[0] == ipaddress.ip_address("127.0.0.1")


def test_redirect_loop_stops(server: Server) -> None:
    with pytest.raises(FetchError, match=rf"more than {MAX_REDIRECTS} redirects$"):
        fetch_url(f"{server.base}/loop", allow_private=True)
    assert len(server.requests) == MAX_REDIRECTS + 1


def test_http_errors_are_one_line(server: Server) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_url(f"{server.base}/missing", allow_private=True)
    assert str(caught.value) == f"could not fetch {server.base}/missing: HTTP 404 Not Found"


def test_size_limits(server: Server) -> None:
    with pytest.raises(FetchError, match=r"the page is 5,000 bytes; the limit is 1,000$"):
        fetch_url(f"{server.base}/big-declared", allow_private=True, max_bytes=1000)
    with pytest.raises(FetchError, match=r"the page is larger than the 10,000-byte limit$"):
        fetch_url(f"{server.base}/big-streamed", allow_private=True, max_bytes=10_000)
    assert len(fetch_url(f"{server.base}/big-streamed", allow_private=True).data) == 50_000


def test_media_refused_on_its_content_type(server: Server) -> None:
    with pytest.raises(FetchError, match=r"the server sent image/png, not an article page$"):
        fetch_url(f"{server.base}/image", allow_private=True)


def test_timeout_and_refused_connection(server: Server) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 0\.5 s$"):
        fetch_url(f"{server.base}/slow", allow_private=True, timeout=0.5)
    assert time.monotonic() - started < 1.9
    with pytest.raises(FetchError, match=r"^could not fetch http://127\.0\.0\.1:1/: could not connect to 127\.0\.0\.1"):
        fetch_url("http://127.0.0.1:1/", allow_private=True)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a test certificate")
def test_https_keeps_the_host_name_for_sni_and_certificate_check(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The socket goes to the checked IP, yet TLS still names and verifies the host the user asked for."""
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=sourcetrace test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "site.key", "-out", "site.csr", "-subj", "/CN=localhost")
    (tmp_path / "ext.cnf").write_text("subjectAltName=DNS:localhost\n")
    openssl("x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "site.pem", "-days", "2", "-extfile", "ext.cnf")
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # httpx trusts it, as it would a company CA

    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.log = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "site.pem", tmp_path / "site.key")
    server_names: list[str | None] = []
    context.sni_callback = lambda _socket, name, _context: server_names.append(name)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    port = httpd.server_address[1]
    try:
        page = fetch_url(f"https://localhost:{port}/article", allow_private=True)
        assert page.url == f"https://localhost:{port}/article" and page.data == ARTICLE
        assert server_names == ["localhost"] and httpd.log[0]["host"] == f"localhost:{port}"
        # the certificate names localhost, not the address: asking for the IP must fail verification
        with pytest.raises(FetchError, match=r"its TLS certificate could not be verified\)$"):
            fetch_url(f"https://127.0.0.1:{port}/article", allow_private=True)
    finally:
        httpd.shutdown()
        httpd.server_close()
