"""The fuzz targets: one function per parser of untrusted input, shared by the hypothesis tests (test_*.py) and
the atheris harness (atheris_fuzz.py).

Each target takes a :class:`~.draw.Draw`, builds one input from it, runs the parser and checks the invariant every
parser keeps: a clean result (itself checked: spans point into the text, HTML escaped) or one of the documented
errors in :mod:`sourcetrace.errors` — never another exception. A violation escapes as that exception or an
AssertionError, which both harnesses report as a crash. Nothing here touches the network: name resolution is
replaced by :func:`offline_resolver` wherever a URL could be fetched.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import ipaddress
import json
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sourcetrace.errors import FetchError, InputError

from .checks import (
    check_article,
    check_html,
    check_markdown,
    check_report,
    check_terminal,
)
from .draw import Draw

_WORK = Path(tempfile.mkdtemp(prefix="sourcetrace-fuzz-"))


# ---- text decoding and HTML extraction (article/ingest.py) ---------------------------------------------

CONTENT_TYPES = (None, "text/plain", "text/html", "text/html; charset=utf-8", "text/plain; charset=utf-16",
                 "text/html; charset=latin-1", "text/html; charset=x-nonsense", "application/octet-stream",
                 "text/html; charset=\"utf-32\"", "TEXT/HTML;CHARSET=UTF-7", "text/html; charset=cp1252")
PREFIXES = (b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"%PDF-",
            b"<!doctype html><html><head><meta charset=\"latin-1\"><title>T</title></head><body>",
            b"<?xml version=\"1.0\"?><html>", b"<p>", b"\x1f\x8b", b"GIF89a", b"    ftyp")


def ingest_bytes(draw: Draw) -> None:
    """article_from_bytes on raw bytes, with a content type and a prefix that steers it (BOMs, magic numbers,
    HTML heads); the text may also be Unicode encoded in one of the encodings the input could declare."""
    from sourcetrace.article.ingest import MAX_TEXT_CHARS, article_from_bytes

    prefix = draw.choice(PREFIXES)
    if draw.bool():
        body = draw.raw(400)
    else:
        encoding = draw.choice(("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "cp1252", "latin-1"))
        body = draw.text(300).encode(encoding, "replace") if encoding != "utf-8" else \
            draw.text(300).encode("utf-8", "surrogatepass")
    url = draw.choice((None, "https://www.example.co.uk/news/1", draw.text(30)))
    try:
        article = article_from_bytes(prefix + body, content_type=draw.choice(CONTENT_TYPES), url=url)
    except InputError:
        return
    check_article(article, max_chars=MAX_TEXT_CHARS)


def ingest_text(draw: Draw) -> None:
    """article_from_text keeps the text exactly (line endings and a leading BOM apart) or refuses it."""
    from sourcetrace.article.ingest import MAX_TEXT_CHARS, article_from_text

    text = draw.text(400)
    url = draw.choice((None, "https://example.com/a", draw.text(40)))
    try:
        article = article_from_text(text, url=url, title=draw.choice((None, draw.text(20))))
    except InputError:
        return
    check_article(article, max_chars=MAX_TEXT_CHARS)
    assert article.text == text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


_SENTENCE = "The minister said on Monday that the talks would continue next week, according to officials."
_TAGS = ("p", "div", "article", "main", "h1", "title", "script", "style", "li", "a", "table", "td", "br",
         "meta", "span", "noscript", "template", "iframe", "svg", "x-fuzz")


def html_page(draw: Draw) -> None:
    """HTML extraction (trafilatura) over generated pages: nested tags, attributes, prose and junk."""
    from sourcetrace.article.ingest import MAX_TEXT_CHARS, article_from_bytes

    parts = ["<!doctype html><html><head>"]
    if draw.bool():
        parts.append(f"<title>{draw.text(40)}</title>")
    if draw.bool():
        parts.append(f'<meta charset="{draw.choice(("utf-8", "latin-1", "utf-16", "nonsense", draw.text(8)))}">')
    if draw.bool():
        parts.append(f'<meta name="author" content="{draw.text(20)}">')
    parts.append("</head><body>")
    open_tags: list[str] = []
    for _ in range(draw.int(0, 25)):
        action = draw.int(0, 4)
        if action == 0:
            tag = draw.choice(_TAGS)
            attrs = f' {draw.choice(("class", "id", "href", "content", "x"))}="{draw.text(15)}"' if draw.bool() else ""
            parts.append(f"<{tag}{attrs}>")
            open_tags.append(tag)
        elif action == 1 and open_tags:
            parts.append(f"</{open_tags.pop()}>")
        elif action == 2:
            parts.append(_SENTENCE)
        else:
            parts.append(draw.text(80))
    parts.append("</body></html>" if draw.bool() else "")
    markup = "".join(parts)
    try:
        article = article_from_bytes(markup.encode("utf-8", "surrogatepass"), content_type="text/html",
                                     url=draw.choice((None, "https://example.com/story")))
    except InputError:
        return
    check_article(article, max_chars=MAX_TEXT_CHARS)


# ---- the corpus readers (corpus/sources.py) and the worker's task → article ------------------------------


def _json_value(draw: Draw, depth: int = 0) -> Any:
    kind = draw.int(0, 7 if depth < 2 else 4)
    if kind == 0:
        return None
    if kind == 1:
        return draw.bool()
    if kind == 2:
        return draw.choice((0, -1, 2**64, 1.5, 1e308))
    if kind in (3, 4):
        return draw.text(60)
    if kind == 5:
        return [_json_value(draw, depth + 1) for _ in range(draw.int(0, 3))]
    return {draw.text(8): _json_value(draw, depth + 1) for _ in range(draw.int(0, 3))}


_FIELDS = ("text", "html", "content", "url", "title", "date", "published", "outlet", "site", "id", "crawl_date",
           "TEXT", "extra")


def _record(draw: Draw) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for _ in range(draw.int(0, 5)):
        name = draw.choice(_FIELDS)
        record[name] = draw.choice((_SENTENCE + " " + draw.text(40), draw.text(40), "2024-02-30", "yesterday",
                                    "https://example.com/2024/05/01/story", _json_value(draw)))
    return record


def _jsonl(draw: Draw) -> bytes:
    lines = []
    for _ in range(draw.int(0, 4)):
        how = draw.int(0, 3)
        if how == 0:
            lines.append(draw.raw(80))
        elif how == 1:
            lines.append(json.dumps(_json_value(draw)).encode())
        else:
            lines.append(json.dumps(_record(draw)).encode("utf-8", "surrogatepass"))
    data = b"\n".join(lines)
    return data[: draw.int(0, len(data))] if draw.bool() else data


def _csv(draw: Draw) -> bytes:
    import csv

    columns = [draw.choice(_FIELDS) for _ in range(draw.int(0, 4))]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for _ in range(draw.int(0, 3)):
        writer.writerow([draw.text(40) for _ in range(draw.int(0, len(columns) + 1))])
    data = out.getvalue().encode("utf-8", "surrogatepass")
    if draw.bool():  # break the quoting or the encoding somewhere
        at = draw.int(0, len(data))
        data = data[:at] + draw.choice((b'"', b"\x00", b"\xff", b"\r", draw.raw(10))) + data[at:]
    return data


def _warc(draw: Draw) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    for _ in range(draw.int(0, 3)):
        body = draw.choice((f"<html><body><p>{_SENTENCE}</p></body></html>", draw.text(100))).encode(
            "utf-8", "surrogatepass")
        content_type = draw.choice(("text/html", "text/plain", "image/png", draw.text(12)))
        status = draw.choice(("200 OK", "404 Not Found", "301 Moved", draw.text(8)))
        try:
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(draw.choice(("https://example.com/a", draw.text(20))),
                                               draw.choice(("response", "resource", "request", "metadata")),
                                               payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(record)
        except (UnicodeError, ValueError):
            continue  # warcio cannot write this record at all; the reader never sees it
    data = out.getvalue()
    if draw.bool() and data:
        how = draw.int(0, 2)
        # a position as a share of the length: records carry the time and a random id, so the length varies from
        # one replay to the next, and a draw must not depend on it (hypothesis checks that it does not)
        at = len(data) * draw.int(0, 999) // 1000
        if how == 0:
            data = data[:at]
        elif how == 1:
            data = data[:at] + bytes([data[at] ^ (1 << draw.int(0, 7))]) + data[at + 1:]
        else:
            data = data[:at] + draw.raw(30) + data[at:]
    return data


def corpus_file(draw: Draw) -> None:
    """A JSONL, CSV, TSV, WARC or URL-list file (plain or gzip) through the streaming readers: each record is
    a Task or a one-line Failure; a Task then becomes an article or an InputError in the worker's hands."""
    from sourcetrace.corpus.sources import Failure, Task, estimate, iter_inputs
    from sourcetrace.corpus.worker import Analyzer

    kind = draw.choice(("jsonl", "csv", "tsv", "warc", "urls", "raw"))
    data = {"jsonl": _jsonl, "csv": _csv, "tsv": _csv, "warc": _warc}.get(kind, lambda d: d.raw(300))(draw)
    suffix = {"raw": draw.choice((".jsonl", ".csv", ".warc", ".txt"))}.get(kind, "." + kind)
    if kind == "urls":
        suffix = ".txt"
    if draw.bool() and kind in ("jsonl", "warc"):
        data, suffix = gzip.compress(data, mtime=0), suffix + ".gz"
        if draw.bool():  # cut it, or flip a bit in the compressed stream
            at = len(data) * draw.int(0, 999) // 1000
            data = data[:at] if draw.bool() else data[:at] + bytes([data[at] ^ (1 << draw.int(0, 7))]) + data[at + 1:]
    path = _WORK / f"input{suffix}"
    path.write_bytes(data)
    sources, url_lists = ([], [path]) if kind == "urls" else ([path], [])
    estimate(sources, url_lists=url_lists)
    analyzer = Analyzer(None)
    for item in iter_inputs(sources, url_lists=url_lists):
        assert isinstance(item, Task | Failure), item
        if isinstance(item, Failure):
            assert "\n" not in item.reason and item.reason, item
            continue
        assert item.origin.startswith(str(path.resolve()))
        if item.kind in ("text", "html", "bytes"):
            try:
                article, _metadata = analyzer._article(item)
            except InputError:
                continue
            check_article(article, max_chars=10**7)


# ---- URL handling and the private-address refusal (article/fetch.py) -------------------------------------

# Networks no fetch may reach without --allow-private (IANA special-purpose registries, RFC 6890 and after),
# written out here as an oracle independent of the ``ipaddress`` properties fetch.py relies on.
NOT_PUBLIC = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",
    "240.0.0.0/4", "::/128", "::1/128", "::/96", "100::/64", "2001:db8::/32", "2001::/32", "fc00::/7", "fe80::/10",
    "fec0::/10", "ff00::/8", "64:ff9b:1::/48",
)]
_EMBEDDING = ("::ffff:0:0/96", "2002::/16", "64:ff9b::/96")  # an IPv4 address inside: that one is reached


def _embedded(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address in ipaddress.ip_network("::ffff:0:0/96") or address in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in ipaddress.ip_network("2002::/16"):
        return ipaddress.IPv4Address((int(address) >> 80) & 0xFFFFFFFF)
    return None


def must_refuse(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and (inner := _embedded(address)) is not None:
        return must_refuse(inner)
    return any(address in network for network in NOT_PUBLIC if network.version == address.version)


def _address(draw: Draw) -> str:
    """An address near the edges that matter: inside a special network, in an embedding, or anywhere."""
    how = draw.int(0, 3)
    if how == 0:
        network = draw.choice(NOT_PUBLIC)
        return str(network[draw.int(0, min(network.num_addresses - 1, 2**32))])
    if how == 1:
        embedding = ipaddress.ip_network(draw.choice(_EMBEDDING))
        inner = int(draw.choice(NOT_PUBLIC[:14])[draw.int(0, 255)]) if draw.bool() else draw.int(0, 2**32 - 1)
        if embedding.network_address == ipaddress.IPv6Address("2002::"):
            return str(ipaddress.IPv6Address(int(embedding.network_address) | inner << 80))
        return str(ipaddress.IPv6Address(int(embedding.network_address) | inner))
    if how == 2:
        return str(ipaddress.IPv4Address(draw.int(0, 2**32 - 1)))
    return str(ipaddress.IPv6Address(draw.int(0, 2**128 - 1)))


@contextlib.contextmanager
def offline_resolver(answers: list[str] | None = None) -> Iterator[list[str]]:
    """``socket.getaddrinfo`` answering ``answers`` (default: one private address) for every name, so a fetch
    is decided by the address check and never leaves the machine; the names asked for are collected."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        asked.append(str(host))
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 80))
                for a in (answers or ["10.0.0.1"])]

    socket.getaddrinfo = fake  # type: ignore[assignment]
    try:
        yield asked
    finally:
        socket.getaddrinfo = real  # type: ignore[assignment]


def url_check(draw: Draw) -> None:
    """check_url on any string with fuzzed DNS answers: a FetchError, or the addresses when every one is public;
    an address in a non-public network is always refused, and so is a URL that is not http(s) with a host."""
    from sourcetrace.article.fetch import address_kind, check_url

    url = draw.choice((draw.text(60), f"http://{draw.text(20)}/", f"https://{draw.text(10)}.example/{draw.text(10)}",
                       f"{draw.choice(('http', 'HTTP', 'ftp', 'file', 'javascript', ''))}:{draw.text(30)}"))
    answers = [_address(draw) for _ in range(draw.int(1, 3))]
    for answer in answers:
        address = ipaddress.ip_address(answer)
        if must_refuse(address):
            assert address_kind(address) is not None, f"{address} is not public but passes the address check"
    with offline_resolver(answers):
        try:
            found = check_url(url)
        except FetchError as error:
            assert "\n" not in str(error)
            return
    assert not any(must_refuse(a) for a in found), f"{url} with {answers} was allowed"
    assert url.lower().startswith(("http://", "https://")), f"{url!r} accepted"


def redirects(draw: Draw) -> None:
    """fetch_url through a fake server whose answers (status, Location, headers, body) are fuzzed: every hop is
    checked, a redirect to a refused address is refused, and only FetchError escapes."""
    import httpx

    from sourcetrace.article import fetch

    def handler(request: httpx.Request) -> httpx.Response:
        status = draw.choice((200, 301, 302, 303, 307, 308, 404, 500, 204))
        headers: list[tuple[str, str | bytes]] = []
        if 300 <= status < 400 and draw.int(0, 5):
            location = draw.choice((draw.text(40), "http://127.0.0.1/admin", "//169.254.169.254/latest",
                                    "http://[::ffff:10.0.0.1]/", "/next", "https://public.example/x",
                                    "file:///etc/passwd", "http://localhost:80/"))
            headers.append(("Location", location.encode("utf-8", "surrogatepass")))
        if draw.bool():
            headers.append(("Content-Type", draw.choice(("text/html", "image/png", "video/mp4", "text/plain"))))
        if draw.bool():
            headers.append(("Content-Length", draw.choice(("10", "99999999999", "-1", "x"))))
        return httpx.Response(status, headers=headers, content=draw.raw(100))

    real_client = httpx.Client

    def client(*args: Any, **kwargs: Any) -> httpx.Client:
        return real_client(*args, transport=httpx.MockTransport(handler), **kwargs)

    public = "93.184.215.14"
    addresses = {"public.example": public, "127.0.0.1": "127.0.0.1", "169.254.169.254": "169.254.169.254",
                 "localhost": "127.0.0.1", "::ffff:10.0.0.1": "::ffff:10.0.0.1"}
    real = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        answer = addresses.get(str(host).strip("[]"), public)
        return [(socket.AF_INET6 if ":" in answer else socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, 80))]

    socket.getaddrinfo = resolve  # type: ignore[assignment]
    fetch.httpx.Client = client  # type: ignore[misc]
    try:
        page = fetch.fetch_url("http://public.example/start", timeout=5, max_bytes=50)
    except FetchError as error:
        assert "\n" not in str(error)
        return
    finally:
        socket.getaddrinfo = real  # type: ignore[assignment]
        fetch.httpx.Client = real_client  # type: ignore[misc]
    host = httpx.URL(page.url).host
    assert addresses.get(host, public) == public, f"fetched {page.url}"
    assert len(page.data) <= 50


# ---- the user registry file (outlets/registry.py) --------------------------------------------------------

_REGISTRY_KEYS = ("name", "domains", "aliases", "country", "labels", "registry", "snapshot", "licence", "url", "id",
                  "sections", "extra")


def _registry_value(draw: Draw, key: str) -> Any:
    if key in ("domains", "aliases", "labels") and draw.int(0, 3):
        return [draw.choice((draw.text(20), "example.com", "https://www.example.org/x", "state_media",
                             "quality_score:0.5", {"label": draw.text(10), "value": _json_value(draw)},
                             _json_value(draw))) for _ in range(draw.int(0, 3))]
    if key == "sections" and draw.bool():
        return {draw.text(10): [draw.text(10)] for _ in range(draw.int(0, 2))}
    return draw.choice((draw.text(30), _json_value(draw)))


def registry_file(draw: Draw) -> None:
    """read_user_registry on a CSV/TSV/JSON file, then each outlet merged into a registry: InputError or outlets
    that every lookup accepts."""
    from sourcetrace.outlets.registry import Outlet, Registry, read_user_registry

    suffix = draw.choice((".csv", ".tsv", ".json", ".txt", ".JSON", ".xml"))
    if suffix.lower() == ".json" and draw.int(0, 3):
        entries = [{draw.choice(_REGISTRY_KEYS): _registry_value(draw, key) for key in
                    [draw.choice(_REGISTRY_KEYS) for _ in range(draw.int(0, 5))]} for _ in range(draw.int(0, 3))]
        document: Any = {"outlets": entries} if draw.bool() else entries
        if not draw.int(0, 5):
            document = _json_value(draw)
        data = json.dumps(document, indent=draw.choice((None, 2))).encode("utf-8", "surrogatepass")
    elif suffix in (".csv", ".tsv", ".txt") and draw.int(0, 3):
        columns = [draw.choice(_REGISTRY_KEYS) for _ in range(draw.int(0, 4))]
        sep = "\t" if suffix == ".tsv" else ","
        rows = [sep.join(columns)] + [sep.join(draw.choice((draw.text(20), "a.com;b.org", "state_media;reliable",
                                                            "\"x\ny\"", ""))
                                               for _ in range(draw.int(0, len(columns) + 1)))
                                      for _ in range(draw.int(0, 3))]
        data = "\n".join(rows).encode("utf-8", "surrogatepass")
    else:
        data = draw.raw(300)
    path = _WORK / f"registry{suffix}"
    path.write_bytes(data)
    try:
        outlets = read_user_registry(path)
    except InputError as error:
        assert "\n" not in str(error) or "line" in str(error), error
        return
    registry = Registry(outlets={"bundled": Outlet(id="bundled", name="Bundled Outlet", domains=["bundled.com"])})
    for outlet in outlets:
        stored = registry.add(outlet)
        for domain in stored.domains:
            assert registry.lookup_domain(domain) is not None, domain
        registry.lookup_name(stored.name)
        registry.search(stored.name)


# ---- the renderers (render/html.py, markdown.py, terminal.py) --------------------------------------------


def synthetic_report(draw: Draw) -> Any:
    """A report over fuzzed text whose every string (names, ids, roles, URLs, labels, explanations) is fuzzed and
    whose spans overlap and nest at random, as a hostile page or a corrupt store could make them."""
    from sourcetrace.models import (
        Article,
        Attribution,
        AttributionKind,
        Conduit,
        Credibility,
        CueType,
        Entity,
        EntityKind,
        Evidence,
        EvidenceKind,
        Mention,
        OutletLink,
        OutletRole,
        RegistryLabel,
        Report,
        Sentence,
        Signal,
        SignalLevel,
        Source,
        SourceType,
        Span,
        Voice,
        VoiceShare,
    )

    text = draw.text(300) or "x"
    size = len(text)

    def span() -> Span:
        start = draw.int(0, size)
        return Span.of(text, start, draw.int(start, size))

    def maybe(make: Callable[[], Any]) -> Any:
        return make() if draw.bool() else None

    def ident() -> str:
        return draw.choice(("a1", "s2", draw.text(8)))

    sentences = [Sentence(id=ident(), span=span(), paragraph=draw.int(0, 4), voice=draw.choice(list(Voice)),
                          evidence=[Evidence(kind=draw.choice(list(EvidenceKind)), span=maybe(span), note=draw.text(20))
                                    for _ in range(draw.int(0, 2))])
                 for _ in range(draw.int(0, 4))]
    entities = [Entity(id=ident(), name=draw.text(20), kind=draw.choice(list(EntityKind)),
                       aliases=[draw.text(10) for _ in range(draw.int(0, 2))], role=maybe(lambda: draw.text(15)),
                       mentions=[Mention(span=span(), entity_id=ident()) for _ in range(draw.int(0, 3))])
                for _ in range(draw.int(0, 3))]

    def source() -> Source:
        return Source(span=span(), name=draw.text(20), type=draw.choice(list(SourceType)), anonymous=draw.bool(),
                      role=maybe(span), resolved_from=maybe(span), entity_id=maybe(ident))

    attributions = [Attribution(id=ident(), source=maybe(source), cue=span(),
                                content=[span() for _ in range(draw.int(0, 2))],
                                kind=draw.choice(list(AttributionKind)), cue_type=draw.choice(list(CueType)),
                                conduits=[Conduit(span=span(), cue=span(), name=draw.text(15),
                                                  type=draw.choice(list(SourceType))) for _ in range(draw.int(0, 2))],
                                nested_in=maybe(ident))
                    for _ in range(draw.int(0, 4))]
    label = lambda: RegistryLabel(label=draw.choice(("quality_score", "state_media", draw.text(10))),  # noqa: E731
                                  registry=draw.text(15), value=maybe(lambda: draw.text(10)),
                                  url=maybe(lambda: draw.text(25)))
    outlets = [OutletLink(name=draw.text(20), registry_id=maybe(ident), roles=[draw.choice(list(OutletRole))],
                          domains=[draw.text(12)], country=maybe(lambda: draw.text(4)),
                          labels=[label() for _ in range(draw.int(0, 2))], evidence=[span()])
               for _ in range(draw.int(0, 2))]
    credibility = maybe(lambda: Credibility(summary=draw.text(40), method=draw.text(20), signals=[
        Signal(id=ident(), name=draw.text(15), value=draw.choice((1, 0.5, True, draw.text(10))),
               level=draw.choice(list(SignalLevel)), explanation=draw.text(40), evidence=[span()])
        for _ in range(draw.int(0, 3))]))
    shares = [VoiceShare(voice=voice, sentences=draw.int(0, 3), characters=draw.int(0, 100),
                         share=draw.int(0, 100) / 100) for voice in list(Voice)[: draw.int(0, len(Voice))]]
    article = Article(text=text, title=maybe(lambda: draw.text(30)), byline=maybe(lambda: draw.text(20)),
                      date=maybe(lambda: draw.text(10)), site=maybe(lambda: draw.text(15)),
                      url=draw.choice((None, "https://example.com/a", draw.text(30), "javascript:alert(1)")))
    return Report(generator=draw.text(20), article=article, sentences=sentences, entities=entities,
                  attributions=attributions, voice_breakdown=shares, outlets=outlets, credibility=credibility,
                  warnings=[draw.text(30) for _ in range(draw.int(0, 2))])


def render_report(report: Any) -> None:
    """All three renderers on one report: escaped HTML, Markdown that renders to no foreign markup, a terminal
    report with no control characters."""
    from rich.console import Console

    from sourcetrace.render.html import render_html
    from sourcetrace.render.markdown import render_markdown
    from sourcetrace.render.terminal import render_terminal

    check_html(render_html(report, home_url="/"))
    check_markdown(render_markdown(report))
    out = io.StringIO()
    render_terminal(report, Console(file=out, width=100, color_system=None, force_terminal=False))
    check_terminal(out.getvalue())


def renderers(draw: Draw) -> None:
    render_report(synthetic_report(draw))


# ---- the full article pipeline ---------------------------------------------------------------------------


@functools.cache
def _pipeline() -> Any:
    from sourcetrace import Pipeline

    return Pipeline()


_WORDS = ("The", "minister", "said", "told", "Reuters", "that", "the", "talks", "would", "continue", "according",
          "to", "officials", "\"", "“", "”", "he", "she", "they", "added", ",", ".", ":", "\n", "\n\n", "By John Smith",
          "Mr.", "Smith", "who", "which", "on", "Monday", "in", "Kabul", "(Reuters)", "-", "quoted", "as", "saying",
          "declined", "comment", "sources", "an", "official", "citing", "AFP", "Fars", "News", "Agency")


def analyze(draw: Draw) -> None:
    """The whole article pipeline on short texts built from words it reacts to, mixed with fuzzed text: a
    report whose spans all point into the text (and that all renderers accept), or an InputError."""
    words = [draw.choice(_WORDS) if draw.int(0, 4) else draw.text(12) for _ in range(draw.int(0, 40))]
    text = " ".join(words)
    try:
        report = _pipeline().analyze(text, url=draw.choice((None, "https://www.reuters.com/world/x")))
    except InputError:
        return
    try:
        check_report(report)
    except AssertionError as error:
        raise AssertionError(f"{error}, analysing {text!r}") from None
    render_report(report)


# ---- the web app's request bodies (web/app.py, corpus/web.py) -------------------------------------------


class WebApp:
    """The app with an in-process pipeline and a small corpus store, through FastAPI's TestClient."""

    def __init__(self) -> None:
        import warnings

        from sourcetrace.corpus.api import Corpus
        from sourcetrace.corpus.web import corpus_router
        from sourcetrace.web.app import create_app

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
            from fastapi.testclient import TestClient

        db = _WORK / "corpus.db"
        if not db.exists():
            with Corpus(db) as corpus:
                corpus.add_text("Talks to continue\n\n" + _SENTENCE + " He added that <b>nothing</b> was agreed.",
                                url="https://example.com/talks", id="first")
                corpus.add_text("Second story\n\nThe mayor told Reuters that the bridge would open in May, "
                                "and critics said it was \"far too late\".", url="https://example.org/bridge")
        app = create_app(pipeline=_pipeline(), max_body_bytes=100_000)
        app.include_router(corpus_router(db))
        self.client = TestClient(app, raise_server_exceptions=False)
        self.client.__enter__()

    def close(self) -> None:
        self.client.__exit__(None, None, None)


@functools.cache
def web_app() -> WebApp:
    return WebApp()


_BODY_TYPES = ("application/json", "text/plain", "application/x-www-form-urlencoded", None,
               "multipart/form-data; boundary=x", "multipart/form-data", "application/json; charset=latin-1")


def _segment(draw: Draw) -> str:
    value = draw.choice((draw.text(20), "1", "0", "-1", "99999999999999999999", "9223372036854775808", "1e3"))
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def web_request(draw: Draw, app: WebApp | None = None) -> None:
    """One request of any shape: never a 500 (or any 5xx: a URL is never fetched, the resolver answers a private
    address), API errors as one-line JSON, HTML pages escaped."""
    client = (app or web_app()).client
    how = draw.int(0, 8)
    headers: dict[str, str] = {}
    with offline_resolver():
        if how == 0:
            content_type = draw.choice(_BODY_TYPES)
            if content_type:
                headers["content-type"] = content_type
            response = client.post(draw.choice(("/api/analyze", "/report")), content=draw.raw(300), headers=headers)
        elif how in (1, 2):
            body = _json_value(draw) if how == 1 else {draw.choice(("text", "url", "title", "site", "x")):
                                                      draw.choice((_SENTENCE + draw.text(30), _json_value(draw)))
                                                      for _ in range(draw.int(0, 3))}
            response = client.post("/api/analyze", content=json.dumps(body).encode(),
                                   headers={"content-type": "application/json"})
        elif how == 3:
            fields = {name: draw.choice((draw.text(40), _SENTENCE, "https://example.com/x", "http://127.0.0.1/"))
                      for name in ("text", "url", "title") if draw.bool()}
            data = {k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for k, v in fields.items()}
            files = {"file": (draw.choice(("a.txt", "", draw.text(10).encode("utf-8", "replace").decode())),
                              draw.raw(200), draw.choice(("text/plain", "text/html", "image/png")))} \
                if draw.bool() else None
            response = client.post("/report", data=data, files=files)
        elif how == 4:
            response = client.get(f"/api/outlets/{_segment(draw)}")
        elif how == 5:
            query = "&".join(f"{name}={_segment(draw)}" for name in ("q", "limit", "offset") if draw.int(0, 3))
            response = client.get(f"/api/corpus/search?{query}")
        elif how == 6:
            query = "&".join(f"{name}={_segment(draw)}" for name in ("q", "page") if draw.bool())
            response = client.get(f"/corpus?{query}")
        elif how == 7:
            response = client.get(f"{draw.choice(('/corpus/articles/', '/api/corpus/articles/'))}{_segment(draw)}")
        else:
            response = client.request(draw.choice(("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")),
                                      "/" + _segment(draw), content=draw.raw(40))
    status = response.status_code
    assert status < 500, (f"{response.request.method} {response.request.url} {response.request.content[:200]!r} → "
                          f"{status}: {response.text[:300]}")
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("text/html"):
        check_html(response.text)
    elif status >= 400 and response.request.url.path.startswith("/api/"):
        assert content_type.startswith("application/json"), content_type
        message = response.json()["error"]
        assert isinstance(message, str) and "\n" not in message, (response.request.url, message)
    elif status == 200 and response.request.url.path == "/api/analyze":
        from sourcetrace.models import Report

        check_report(Report.model_validate_json(response.content))


TARGETS: dict[str, Callable[[Draw], None]] = {
    "ingest_bytes": ingest_bytes,
    "ingest_text": ingest_text,
    "html_page": html_page,
    "corpus_file": corpus_file,
    "url_check": url_check,
    "redirects": redirects,
    "registry_file": registry_file,
    "renderers": renderers,
    "web_request": web_request,
    "analyze": analyze,
}
