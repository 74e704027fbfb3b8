"""Ingest: bytes, files, stdin or URLs in; one ``Article`` out, or a one-line ``InputError`` saying why not.

``Article.text`` is the text every offset refers to. Plain text is kept as given (line endings normalised,
a leading BOM dropped). For HTML the main text is extracted with trafilatura and laid out as
"title, byline, paragraphs", one paragraph per line with blank lines between, so the layout stages see
the same shape as in a plain-text article.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path
from typing import BinaryIO

import tldextract

from sourcetrace.errors import InputError
from sourcetrace.fetch import DEFAULT_MAX_BYTES, fetch_url
from sourcetrace.models import Article, Span

MAX_INPUT_BYTES = DEFAULT_MAX_BYTES
MAX_TEXT_CHARS = 1_000_000  # spaCy's own default limit; an article is rarely over 50,000
MAX_TITLE_CHARS = 300

_MAGIC = {
    b"%PDF": "PDF", b"\x89PNG": "PNG image", b"\xff\xd8\xff": "JPEG image", b"GIF8": "GIF image",
    b"PK\x03\x04": "ZIP archive (or an office document)", b"\x1f\x8b": "gzip archive", b"\x7fELF": "executable",
}
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<\?xml[^>]*>\s*<html|<!--)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.IGNORECASE)
_NAME = r"[A-Z][\w.’'\-]*(?:\s+[A-Z][\w.’'\-]*){0,4}"
_BYLINE = re.compile(rf"^\s*By\s+({_NAME}(?:\s+and\s+{_NAME})?)\s*$")


@cache
def _domain_extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=())  # the bundled public-suffix snapshot, never the network


def registered_domain(url_or_host: str) -> str | None:
    parts = _domain_extractor()(url_or_host)
    return parts.top_domain_under_public_suffix or None


def _check_size(text: str) -> None:
    if not text.strip():
        raise InputError("the input is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"the text is {len(text):,} characters; sourcetrace analyses at most {MAX_TEXT_CHARS:,} characters "
            "per article (split it or pass a single article)"
        )


def article_from_text(text: str, *, url: str | None = None, title: str | None = None,
                      site: str | None = None, byline: str | None = None, date: str | None = None,
                      input_format: str = "text") -> Article:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    _check_size(text)
    title_span = byline_span = None
    lines = [m for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    first_line = lines[0].group().strip() if lines else ""
    # a headline is short; some feeds end it with a period, prose paragraphs are longer
    if first_line and len(first_line) <= MAX_TITLE_CHARS and (
        not first_line.endswith(".") or len(first_line.split()) <= 25
    ) and len(lines) > 1:
        first = lines[0]
        start = first.start() + len(first.group()) - len(first.group().lstrip())
        title_span = Span.of(text, start, first.start() + len(first.group().rstrip()))
    for line in lines[1:5]:
        match = _BYLINE.match(line.group())
        if match:
            byline_span = Span.of(text, line.start() + match.start(1), line.start() + match.end(1))
            break
    if title is None and title_span is not None:
        title = " ".join(title_span.text.split())
    if byline is None and byline_span is not None:
        byline = byline_span.text
    if site is None and url:
        site = registered_domain(url)
    return Article(text=text, title=title, byline=byline, date=date, site=site, url=url,
                   input_format=input_format, title_span=title_span, byline_span=byline_span)


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    head = data[:4096]
    if b"\x00" in head:
        return "binary data"
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    return "binary data" if head and controls / len(head) > 0.05 else None


def _looks_like_html(data: bytes, content_type: str | None) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    return bool(_HTML_START.match(data[:1024])) or len(re.findall(rb"</?(p|div|span|a|br)\b", data[:20000])) > 20


def _decode(data: bytes, *, html: bool, content_type: str | None) -> str:
    encodings = ["utf-8"]
    if html:
        declared = re.search(r"charset=([\w-]+)", content_type or "") or _META_CHARSET.search(data[:4096])
        if declared:
            name = declared.group(1)
            encodings.insert(0, name.decode("ascii") if isinstance(name, bytes) else name)
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"the input is not valid UTF-8 (invalid byte 0x{data[error.start]:02x} at byte offset {error.start}); "
            "convert it to UTF-8 first"
        ) from None
    raise AssertionError("unreachable")


def _article_from_html(markup: str, *, url: str | None, title: str | None, site: str | None) -> Article:
    import trafilatura

    document = trafilatura.bare_extraction(markup, url=url, with_metadata=True, include_comments=False,
                                           include_tables=False, favor_precision=True)
    field = (lambda name: getattr(document, name, None))  # noqa: E731 - trafilatura's Document is untyped
    body = field("text") or ""
    if len(body.split()) < 5:
        raise InputError("no article text found in the HTML page (it may be a front page, a menu or need JavaScript)")
    paragraphs = [" ".join(line.split()) for line in body.split("\n") if line.strip()]
    title = title or field("title")
    byline = field("author")
    head = [title] if title else []
    if byline:
        head.append(f"By {byline}")
    text = "\n\n".join([*head, *paragraphs]) + "\n"
    return article_from_text(text, url=url or field("url"), title=title, byline=byline, date=field("date"),
                             site=site or field("sitename") or None, input_format="html")


def article_from_bytes(data: bytes, *, url: str | None = None, content_type: str | None = None,
                       title: str | None = None, site: str | None = None) -> Article:
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"the input is {len(data):,} bytes; the limit is {MAX_INPUT_BYTES:,} bytes")
    if not data.strip():
        raise InputError("the input is empty")
    kind = _binary_kind(data)
    if kind is not None:
        raise InputError(f"the input looks like a binary file ({kind}), not text or HTML")
    html = _looks_like_html(data, content_type)
    text = _decode(data, html=html, content_type=content_type)
    if html:
        return _article_from_html(text, url=url, title=title, site=site)
    return article_from_text(text, url=url, title=title, site=site)


def load_article(source: str, *, allow_private: bool = False, url: str | None = None, title: str | None = None,
                 site: str | None = None, stdin: BinaryIO | None = None) -> Article:
    """``source`` is a file path, an http(s) URL, or "-" for standard input."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source):
        page = fetch_url(source, allow_private=allow_private)
        return article_from_bytes(page.data, url=url or page.url, content_type=page.content_type,
                                  title=title, site=site)
    if source == "-":
        data = (stdin or sys.stdin.buffer).read(MAX_INPUT_BYTES + 1)
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(f"no such file: {source}")
        if path.is_dir():
            raise InputError(f"{source} is a directory, not an article file")
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as error:
            raise InputError(f"cannot read {source}: {error.strerror}") from None
    return article_from_bytes(data, url=url, title=title, site=site)
