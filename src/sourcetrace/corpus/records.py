"""What the store keeps of one article: its identity (content hash, URL key) and the row built from its report.

The content hash is the SHA-256 of the article text with whitespace runs collapsed and case folded, so the
same story saved as a text file and extracted from its HTML page, or re-saved with other line endings, is one
article. The URL key is the URL without what does not change the page: scheme case, ``www.``, default ports,
the fragment, a trailing slash and tracking parameters (``utm_*``, ``fbclid``, ``gclid`` ...).

Reports are stored as zlib-compressed JSON with ``article.text`` left empty (the text has its own column), and
put back together by :func:`decode_report`.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sourcetrace.corpus.store import ArticleRow
from sourcetrace.models import Report

_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "dclid", "mc_cid", "mc_eid", "_ga", "ocid", "cmpid", "smid")
_COMPRESSION_LEVEL = 6


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()


def url_key(url: str | None) -> str | None:
    """A key under which two spellings of one page's URL are equal; None for no URL or one without a host."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return None
    port = parts.port if parts.port not in (None, 80, 443) else None
    query = urlencode(sorted((key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
                             if not key.lower().startswith(_TRACKING_PARAMS)))
    path = parts.path.rstrip("/") or ""
    return urlunsplit(("", f"{host}:{port}" if port else host, path, query, "")).removeprefix("//")


@dataclass(frozen=True)
class Metadata:
    """What an input says about an article beyond its text; every field optional."""

    external_id: str | None = None
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    date_source: str | None = None
    crawl_date: str | None = None


def encode_report(report: Report) -> bytes:
    stripped = report.model_copy(update={"article": report.article.model_copy(update={"text": ""})})
    return zlib.compress(stripped.model_dump_json(exclude_defaults=False).encode("utf-8"), _COMPRESSION_LEVEL)


def decode_report(blob: bytes, text: str) -> Report:
    """The stored report with its text put back; a StoreError (one line, no traceback) when there is none to
    read: an article stored bare (``stories.reuse.store_bare_texts``, the benchmarks' stores) or a damaged blob."""
    from sourcetrace.errors import StoreError

    if not blob:
        raise StoreError("this store holds texts without their analysis (stored bare, as the scale benchmarks "
                         "write them): copied passages and stories work on it, reports and claims do not; "
                         "add the texts with sourcetrace corpus add to a new store for those")
    try:
        data = json.loads(zlib.decompress(blob))
        data["article"]["text"] = text
        return Report.model_validate(data)
    except (zlib.error, ValueError, KeyError, TypeError) as error:
        raise StoreError(f"a stored report cannot be read ({type(error).__name__}): the store is damaged; "
                         "add its articles again with sourcetrace corpus add --reanalyze-outdated, or to a new "
                         "store") from error


def speaker_key(name: str | None) -> str | None:
    return " ".join(name.casefold().split()) if name else None


def article_row(report: Report, metadata: Metadata, *, origin: str, version: str) -> ArticleRow:
    """The store row of an analysed article (computed in the worker process, written by the main one)."""
    article = report.article
    attributions = []
    for attribution in report.attributions:
        source = attribution.source
        attributions.append((
            attribution.id,
            source.name if source else None,
            speaker_key(source.name) if source else None,
            source.type.value if source else None,
            int(source.anonymous) if source else 0,
            attribution.cue.text,
            attribution.kind.value,
            " → ".join(conduit.name for conduit in attribution.conduits),
        ))
    outlets = [(link.name, link.registry_id, ",".join(role.value for role in link.roles),
                ",".join(sorted({label.label for label in link.labels})), link.country) for link in report.outlets]
    speakers = "\n".join(dict.fromkeys(a.source.name for a in report.attributions if a.source))
    contents = "\n".join(" … ".join(span.text for span in a.content) for a in report.attributions)
    return ArticleRow(
        external_id=metadata.external_id,
        url=article.url,
        url_key=url_key(article.url),
        content_hash=content_hash(article.text),
        title=article.title,
        byline=article.byline,
        site=article.site,
        outlet=metadata.outlet,
        published=metadata.published,
        date_source=metadata.date_source,
        crawl_date=metadata.crawl_date,
        input_format=article.input_format,
        origin=origin,
        sourcetrace_version=version,
        report_schema=report.schema_version,
        n_sentences=len(report.sentences),
        n_attributions=len(report.attributions),
        n_entities=len(report.entities),
        text=article.text,
        speakers=speakers,
        contents=contents,
        report=encode_report(report),
        attributions=attributions,
        outlets=outlets,
    )
