"""Ingest: bytes, files, stdin or URLs in; one ``Article`` out, or a one-line ``InputError`` saying why not.

``Article.text`` is the text every offset refers to. Plain text is kept exactly as given, apart from line
endings (normalised to ``\\n``) and a leading byte-order mark, so a span can be found again in the user's
own file. HTML has no such text to keep: its main text is extracted with trafilatura and laid out the way
a plain-text article is written ("title", "By byline", then the paragraphs, blank lines between), so the
layout stages read both kinds of input alike.
"""

from __future__ import annotations

import codecs
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import tldextract

from sourcetrace.errors import InputError
from sourcetrace.models import Article, Span

MAX_INPUT_BYTES = 10_000_000  # raw bytes read from a file, standard input or a URL
MAX_TEXT_CHARS = 1_000_000  # spaCy's own default limit; a long news article is 50,000
MAX_TITLE_CHARS = 300
BYLINE_SEARCH_LINES = 5  # a byline stands within the first few non-blank lines, or it is something else
HTML_HEAD_PARAGRAPHS = 10  # where an extracted page repeats its headline and byline, after leftover menus
MIN_PROSE_WORDS = 25  # an HTML page whose extracted text has fewer words in sentences has no article

# Magic numbers of the files people most often pass by mistake, to name them in the message; short magics a
# headline could start with ("MZ", "ID3", "BZh", "RIFF") are left out: those files are caught by their NULs.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"), (b"\x89PNG\r\n\x1a\n", "PNG image"), (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"), (b"GIF89a", "GIF image"), (b"PK\x03\x04", "ZIP archive or office document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy office document"), (b"\x1f\x8b", "gzip archive"),
    (b"\xfd7zXZ\x00", "xz archive"), (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"), (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "executable"), (b"OggS", "audio or video file"), (b"SQLite format 3\x00", "SQLite database"),
    (b"\x00asm", "WebAssembly module"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"), (codecs.BOM_UTF8, "utf-8-sig"),
)
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body|<meta|<title)",
    re.IGNORECASE | re.DOTALL,
)
_BLOCK_TAG = re.compile(
    rb"<(?:p|div|br|h[1-6]|li|ul|ol|article|section|main|header|footer|nav|table|tr|td|blockquote|figure)\b[^>]*>",
    re.IGNORECASE,
)
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_LOOKS_LIKE_HOST = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)+(?:/|$)")

# "By NAME", "By NAME and NAME", "BY NAME, Reuters", "Written by: NAME | Agency". A name is a run of
# capitalised words, with the lowercase particles names carry (al-, bin, de, van, von ...).
_NAME_WORD = r"(?:[A-Z]|(?:al|el|bin|ibn|de|da|di|du|dos|das|van|von|der|den|la|le)\b)[\w.’'\-]*"
_NAME = rf"[A-Z][\w.’'\-]*(?:[ \t]+{_NAME_WORD}){{0,4}}"
_BYLINE = re.compile(
    rf"^[ \t]*(?:By|BY|Written by|WRITTEN BY)[ \t]*:?[ \t]+(?P<name>{_NAME}(?:[ \t]+(?:and|&)[ \t]+{_NAME})*)"
    r"(?:[ \t]*(?:,|\||-|–|—)[ \t]*[^\n]*)?[ \t]*$"
)
_PROSE_END = re.compile(r"[.!?:;\"”’')\]]$")


def _domain_extractor() -> tldextract.TLDExtract:
    from sourcetrace.article.resources import load_resources

    return load_resources().domain_extractor


def build_domain_extractor() -> tldextract.TLDExtract:
    """A new domain extractor (uncached: the process's resource bundle holds the shared one)."""
    return tldextract.TLDExtract(suffix_list_urls=())  # the bundled public-suffix snapshot, never the network


def registered_domain(url_or_host: str) -> str | None:
    """``https://www.bbc.co.uk/news/x`` → ``bbc.co.uk``: the name a source registry lists an outlet under."""
    return _domain_extractor()(url_or_host).top_domain_under_public_suffix or None


def article_from_text(text: str, *, url: str | None = None, title: str | None = None, site: str | None = None,
                      byline: str | None = None, date: str | None = None) -> Article:
    """An article from plain text, kept exactly as given so that offsets point into the user's own text.

    The first non-blank line is taken as the title when it looks like one (a single-paragraph text has
    none) and a "By NAME" line among the first few as the byline. Explicit metadata wins over what is
    detected; the spans still mark where the headline and byline stand in the text.
    """
    _check_metadata(url=url, title=title, site=site, byline=byline, date=date)
    text = _normalise(text)
    _check_text(text)
    title_span, byline_span = _title_and_byline_spans(text)
    return Article(
        text=text,
        title=title if title is not None else (" ".join(title_span.text.split()) if title_span else None),
        byline=byline if byline is not None else (byline_span.text if byline_span else None),
        date=date,
        site=_site(site, url),
        url=url,
        input_format="text",
        title_span=title_span,
        byline_span=byline_span,
    )


def article_from_bytes(data: bytes, *, url: str | None = None, content_type: str | None = None,
                       title: str | None = None, site: str | None = None) -> Article:
    """An article from raw bytes of unknown kind: plain text or an HTML page, told apart here.

    ``content_type`` is the HTTP Content-Type (or an upload's), used for "is it HTML" and for its charset.
    """
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"the input is {len(data):,} bytes; sourcetrace reads at most {MAX_INPUT_BYTES:,} bytes "
                         "(pass a single article)")
    _check_metadata(url=url, title=title, site=site)
    bom_encoding = next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)
    if bom_encoding in ("utf-16", "utf-32"):
        # a UTF-16/32 file is full of NUL bytes, so it is decoded before the binary check could misjudge it
        text = _decode_as(data, bom_encoding, declared="a byte-order mark")
        is_html = _looks_like_html(text[:20_000].encode("utf-8"), content_type)
    else:
        kind = _binary_kind(data)
        if kind is not None:
            what = f"a binary file ({kind})" if kind else "a binary file"
            raise InputError(f"the input looks like {what}, not text or HTML")
        is_html = _looks_like_html(data, content_type)
        text = _decode(data, html=is_html, content_type=content_type)
    if not text.strip("\ufeff \t\r\n\f\v"):
        raise InputError("the input is empty")
    if is_html:
        return _article_from_html(text, url=url, title=title, site=site)
    return article_from_text(text, url=url, title=title, site=site)


def load_article(source: str, *, allow_private: bool = False, url: str | None = None, title: str | None = None,
                 site: str | None = None, stdin: BinaryIO | None = None) -> Article:
    """An article from a file path, an http(s) URL, or "-" for standard input (``stdin`` or ``sys.stdin``).

    ``url``, ``title`` and ``site`` override what is detected; for a fetched URL the final URL after
    redirects is the article's URL unless ``url`` is given.
    """
    if _URL_SCHEME.match(source):
        from sourcetrace.article.fetch import fetch_url  # httpx is only needed for URLs

        page = fetch_url(source, allow_private=allow_private, max_bytes=MAX_INPUT_BYTES)
        return article_from_bytes(page.data, url=url or page.url, content_type=page.content_type,
                                  title=title, site=site)
    if source == "-":
        data = (stdin if stdin is not None else sys.stdin.buffer).read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            raise InputError(f"standard input is more than {MAX_INPUT_BYTES:,} bytes; sourcetrace reads at most "
                             f"{MAX_INPUT_BYTES:,} bytes (pass a single article)")
        return article_from_bytes(data, url=url, title=title, site=site)
    return article_from_bytes(read_article_file(source), url=url, title=title, site=site)


def read_article_file(source: str) -> bytes:
    """The bytes of one article file, refused in one line when missing, a directory, unreadable or too large."""
    path = Path(source)
    try:
        if not path.exists():
            hint = " (for a web page, give the full URL with https://)" if _LOOKS_LIKE_HOST.match(source) else ""
            raise InputError(f"no such file: {source}{hint}")
        if path.is_dir():
            raise InputError(f"{source} is a directory, not an article file")
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{source} is {size:,} bytes; sourcetrace reads at most {MAX_INPUT_BYTES:,} bytes "
                             "(pass a single article)")
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)  # a device or pipe may report size 0 and never end
    except OSError as error:
        raise InputError(f"cannot read {source}: {(error.strerror or str(error)).lower()}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{source} is more than {MAX_INPUT_BYTES:,} bytes; sourcetrace reads at most "
                         f"{MAX_INPUT_BYTES:,} bytes (pass a single article)")
    return data


# --- plain text -----------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """The only rewriting plain text gets: one line-ending convention, no byte-order mark."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


# Characters that text never carries in bulk: C0 controls other than whitespace and ESC, DEL, C1 controls, and
# U+FFFD (what undecodable bytes become). The bytes path refuses binary before decoding (_binary_kind); this
# catches binary that reaches sourcetrace already as a string (the JSON API, ``sourcetrace.analyze``).
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f-\x9f\ufffd]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # found by fuzzing: spaCy's tokenizer raised UnicodeEncodeError on one


def _check_text(text: str) -> None:
    if not text.strip():
        raise InputError("the input is empty")
    odd = len(_NOT_TEXT.findall(text))
    if "\x00" in text or odd > 0.05 * len(text):
        nul = " (NUL among them)" if "\x00" in text else ""
        raise InputError(f"the text looks like binary data, not an article: {odd:,} of its {len(text):,} characters "
                         f"are control characters{nul}; pass the article as plain text")
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:  # only a str can hold one (JSON "\ud800", the API); no encoder or parser takes it
        raise InputError(f"the text is not valid Unicode: an unpaired surrogate (U+{ord(surrogate.group()):04X}) at "
                         f"character {surrogate.start():,}; pass the article as UTF-8 text")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"the text is {len(text):,} characters; sourcetrace analyses at most {MAX_TEXT_CHARS:,} characters "
            "per article (split it or pass a single article)"
        )


def _check_metadata(**fields: str | None) -> None:
    """Metadata given as str (the JSON API, the Python API) may hold lone surrogates too: found by fuzzing, they
    passed the analysis and then broke the report's JSON (a 500 on the web)."""
    for name, value in fields.items():
        found = _SURROGATE.search(value) if value else None
        if found is not None:
            raise InputError(f"the {name} is not valid Unicode: an unpaired surrogate (U+{ord(found.group()):04X}) "
                             f"at character {found.start():,}")


def _title_and_byline_spans(text: str) -> tuple[Span | None, Span | None]:
    lines = [match for match in re.finditer(r"[^\n]+", text) if match.group().strip()][:BYLINE_SEARCH_LINES]
    byline_span = None
    byline_line = None
    for index, line in enumerate(lines):
        match = _BYLINE.match(line.group())
        if match:
            byline_span = Span.of(text, line.start() + match.start("name"), line.start() + match.end("name"))
            byline_line = index
            break
    title_span = None
    if lines and byline_line != 0 and len(lines) > 1:
        first = lines[0]
        words = first.group().split()
        # a headline is short; some feeds end it with a period, while a prose paragraph runs longer
        if len(first.group().strip()) <= MAX_TITLE_CHARS and (not words[-1].endswith(".") or len(words) <= 25):
            start = first.start() + len(first.group()) - len(first.group().lstrip())
            title_span = Span.of(text, start, first.start() + len(first.group().rstrip()))
    return title_span, byline_span


def _site(site: str | None, url: str | None) -> str | None:
    if site is not None:
        return site
    return registered_domain(url) if url else None


# --- bytes: binary, encodings, HTML ---------------------------------------------------------------------


def _binary_kind(data: bytes) -> str | None:
    """What kind of binary file ``data`` is ("" when unknown), or None for text; judged on the first 8 KB."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[4:8] == b"ftyp":
        return "MP4 or QuickTime video"
    head = data[:8192]
    if b"\x00" in head:
        return ""
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return "" if head and controls / len(head) > 0.05 else None


def _looks_like_html(data: bytes, content_type: str | None) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    head = data[:20_000]
    if _HTML_START.match(head):
        return True
    # a fragment without <html>: several block tags, and densely enough that it is markup, not prose about it
    tags = len(_BLOCK_TAG.findall(head))
    return tags >= 5 and tags * 1000 >= len(head)


def _decode(data: bytes, *, html: bool, content_type: str | None) -> str:
    """Decode with the charset the input declares (HTTP header; for HTML also <meta>), else UTF-8."""
    declared = _charset(content_type, data if html else None)
    if declared is not None:
        name, where = declared
        try:
            return _decode_as(data, name, declared=where)
        except LookupError:
            pass  # an unknown charset name: UTF-8 is the best remaining guess
    return _decode_as(data, "utf-8-sig", declared=None)


def _charset(content_type: str | None, markup: bytes | None) -> tuple[str, str] | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    if match:
        return _html_charset(match.group(1)), "the Content-Type"
    if markup is not None:
        meta = _DECLARED_CHARSET.search(markup[:4096])
        if meta:
            name = _html_charset(meta.group(1).decode("ascii", "replace"))
            # a page that reached us as bytes in an ASCII-compatible encoding cannot really be UTF-16
            return ("utf-8" if name.startswith("utf-16") else name), "its <meta charset>"
    return None


def _html_charset(name: str) -> str:
    """Browsers read pages labelled Latin-1 or ASCII as windows-1252 (WHATWG Encoding), and so do we."""
    lowered = name.lower()
    if lowered in ("iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"):
        return "cp1252"
    return lowered


def _decode_as(data: bytes, encoding: str, *, declared: str | None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        if encoding == "cp1252":  # five byte values are unassigned in windows-1252; Latin-1 has them all
            return data.decode("latin-1")
        line = data.count(b"\n", 0, error.start) + 1
        name = "UTF-8" if encoding in ("utf-8", "utf-8-sig") else encoding
        why = f" (as declared by {declared})" if declared else ""
        raise InputError(
            f"the input is not valid {name}{why}: byte 0x{data[error.start]:02x} at byte offset {error.start:,} "
            f"(line {line:,}) cannot be decoded; convert the file to UTF-8 first"
        ) from None


@dataclass
class _Extracted:
    paragraphs: list[str]
    title: str | None
    byline: str | None
    date: str | None
    url: str | None
    site_name: str | None


def _extract_html(markup: str, url: str | None) -> _Extracted:
    """Main text and metadata of an HTML page, with trafilatura's default (balanced) settings.

    Not ``favor_precision``: on trafilatura's own 750-page benchmark it trades 3 points of recall for 2
    of precision (F1 0.902 against 0.909 for the default), and on the pages tried here it returned nothing
    at all for an old table-and-<br> layout that the default reads. A leftover line of boilerplate is
    labelled by the voice stage; a lost paragraph is a lost claim.
    """
    import trafilatura  # slow to import; plain-text users never need it

    document: Any = trafilatura.bare_extraction(markup, url=url, with_metadata=True, include_comments=False,
                                                include_tables=False, include_images=False)
    body = (getattr(document, "text", None) or "") if document is not None else ""

    def field(name: str) -> str | None:
        value = getattr(document, name, None) if document is not None else None
        return " ".join(value.split()) if isinstance(value, str) and value.strip() else None

    return _Extracted(
        paragraphs=[" ".join(line.split()) for line in body.splitlines() if line.strip()],
        title=field("title"), byline=field("author"), date=field("date"), url=field("url"),
        site_name=field("sitename"),
    )


def _article_from_html(markup: str, *, url: str | None, title: str | None, site: str | None) -> Article:
    page = _extract_html(markup, url)
    prose_words = sum(len(p.split()) for p in page.paragraphs if len(p.split()) >= 6 and _PROSE_END.search(p))
    if prose_words < MIN_PROSE_WORDS:
        raise InputError("no article text found in the HTML page (it may be a front page or a list of links, or "
                         "need JavaScript to show the article); save the article's text and pass that instead")
    title = " ".join(title.split()) if title else page.title
    paragraphs = _drop_repeated_head(page.paragraphs, title, page.byline)
    byline_line = f"By {page.byline}" if page.byline else None
    if byline_line is None:
        # no author in the metadata: a "By NAME" paragraph near the top of the body is the byline
        for index, paragraph in enumerate(paragraphs[:HTML_HEAD_PARAGRAPHS]):
            if _BYLINE.match(paragraph):
                byline_line = paragraphs.pop(index)
                break
    head = [line for line in (title, byline_line) if line]
    text = "\n\n".join([*head, *paragraphs]) + "\n"
    _check_text(text)
    title_span = Span.of(text, 0, len(title)) if title else None
    byline_span = None
    if byline_line is not None:
        line_start = len(title) + 2 if title else 0
        match = _BYLINE.match(byline_line)
        start, end = (match.start("name"), match.end("name")) if match else (3, len(byline_line))
        byline_span = Span.of(text, line_start + start, line_start + end)
    final_url = url or page.url
    return Article(
        text=text,
        title=title,
        byline=page.byline or (byline_span.text if byline_span else None),
        date=page.date,
        # the registered domain, not og:site_name: it is the key source registries use, and site names are
        # unreliable ("U.S." on a Reuters page)
        site=site or (registered_domain(final_url) if final_url else None) or page.site_name,
        url=final_url,
        input_format="html",
        title_span=title_span,
        byline_span=byline_span,
    )


def _drop_repeated_head(paragraphs: list[str], title: str | None, byline: str | None) -> list[str]:
    """The body without the page's own headline and byline lines near its top: the layout puts them first."""
    def same(paragraph: str, other: str | None) -> bool:
        return other is not None and paragraph.casefold().strip(" .") == other.casefold().strip(" .")

    head, rest = paragraphs[:HTML_HEAD_PARAGRAPHS], paragraphs[HTML_HEAD_PARAGRAPHS:]
    seen_title = seen_byline = False
    kept = []
    for paragraph in head:
        if not seen_title and same(paragraph, title):
            seen_title = True
        elif not seen_byline and byline and (same(paragraph, byline) or same(paragraph, f"by {byline}")):
            seen_byline = True
        else:
            kept.append(paragraph)
    return kept + rest
