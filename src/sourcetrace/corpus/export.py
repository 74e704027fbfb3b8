"""Getting data out of a store: articles, attributions, sentences or outlets as JSONL, CSV or Parquet.

Each table's columns are a pydantic model below, so they have one definition, a JSON schema
(``sourcetrace corpus schema --what …``) and documented meanings (docs/corpus.md is generated from these
descriptions and checked by a test). Rows are built from the stored reports, which are the truth; the store's
own summary tables only serve queries. Writing streams: Parquet row groups of 2,000 rows, so a large store is
never held in memory. Lists stay lists in JSONL and Parquet and are joined with ``" | "`` in CSV.
"""

from __future__ import annotations

import csv
import json
import types
import typing
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, ConfigDict, Field

from sourcetrace.models import Report, Voice

PARQUET_ROW_GROUP = 2_000


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    passim = "passim"  # issue 25: passim's input, JSONL of id, series, date, text (articles only)


class ExportTable(StrEnum):
    articles = "articles"
    attributions = "attributions"
    sentences = "sentences"
    outlets = "outlets"
    stories = "stories"
    reuse = "reuse"


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArticleRecord(_Row):
    """One stored article (``--what articles``)."""

    article_id: int = Field(description="The article's id in the store (`corpus show ID`)")
    external_id: str | None = Field(description="The input's own id field, when it had one")
    url: str | None = Field(description="The article's URL (final URL after redirects when fetched)")
    title: str | None = Field(description="Title, from the input, the page's metadata or the first line")
    byline: str | None = Field(description="Author(s) as written")
    site: str | None = Field(description="Registered domain of the publisher (bbc.co.uk)")
    outlet: str | None = Field(description="The input's outlet/domain field, as given")
    published: str | None = Field(description="Publication date, YYYY-MM-DD (or YYYY-MM)")
    date_source: str | None = Field(description="Where `published` came from: input, html_metadata, url, file_name "
                                    "or crawl_date")
    crawl_date: str | None = Field(description="When the page was crawled or fetched (WARC-Date, scraped_at)")
    input_format: str = Field(description="text or html")
    content_hash: str = Field(description="SHA-256 of the text with whitespace collapsed and case folded")
    origin: str = Field(description="Where it was read: file, file:line, file.warc@offset or urls-file:line")
    added_at: str = Field(description="When it was stored (UTC, ISO 8601)")
    sourcetrace_version: str = Field(description="The sourcetrace version whose report is stored")
    n_sentences: int = Field(description="Sentences in the report")
    n_attributions: int = Field(description="Attributions (who claims what) in the report")
    n_entities: int = Field(description="Canonical entities in the report")
    share_reported: float = Field(description="Share of sentence characters in the reported voice, 0..1")
    share_direct_quote: float = Field(description="Share in direct quotes, 0..1")
    share_author_assertion: float = Field(description="Share in the author's own factual assertions, 0..1")
    share_author_opinion: float = Field(description="Share in the author's opinion, 0..1")
    text: str = Field(description="The analysed text; every offset in the other tables points into it")


class AttributionRecord(_Row):
    """One attribution: who claims what, through whom (``--what attributions``)."""

    article_id: int = Field(description="The article's id in the store")
    attribution_id: str = Field(description="The attribution's id within its article's report")
    speaker: str | None = Field(description="Canonical name of the source; empty when the text names none")
    speaker_type: str | None = Field(description="person, organization, outlet, anonymous, group or unknown")
    anonymous: bool = Field(description="Whether the source is anonymous ('an official', 'sources')")
    speaker_role: str | None = Field(description="The source's role or affiliation as written")
    speaker_start: int | None = Field(description="Character offset of the source span in the article text")
    speaker_end: int | None = Field(description="End offset (exclusive) of the source span")
    cue: str = Field(description="The cue as written ('said', 'according to')")
    cue_type: str = Field(description="speech, cognition or source_phrase")
    cue_start: int = Field(description="Character offset of the cue")
    cue_end: int = Field(description="End offset (exclusive) of the cue")
    kind: str = Field(description="direct (all quoted), indirect (paraphrase) or mixed")
    content: str = Field(description="What is attributed; interrupted pieces joined with ' … '")
    content_start: int = Field(description="Offset of the content's first piece")
    content_end: int = Field(description="End offset (exclusive) of the content's last piece")
    conduits: list[str] = Field(description="Outlets or people the claim passed through, nearest the speaker first")
    chain: str = Field(description="speaker → conduits → this article")
    nested_in: str | None = Field(description="Id of the attribution whose content contains this one")
    sentence_ids: list[str] = Field(description="Ids of the sentences it touches")
    method: str = Field(description="Which extractor produced it (rules, tagger, …)")


class SentenceRecord(_Row):
    """One sentence and whose voice it is in (``--what sentences``)."""

    article_id: int = Field(description="The article's id in the store")
    sentence_id: str = Field(description="The sentence's id within its article's report")
    paragraph: int = Field(description="Index of its paragraph (block between blank lines)")
    voice: str = Field(description="reported, direct_quote, author_assertion, author_opinion, caption, headline, "
                       "marker or boilerplate")
    start: int = Field(description="Character offset in the article text")
    end: int = Field(description="End offset (exclusive)")
    text: str = Field(description="The sentence")
    attribution_ids: list[str] = Field(description="Attributions touching it")
    evidence: list[str] = Field(description="Why this voice: 'kind: note' per piece of evidence")


class OutletRecord(_Row):
    """One outlet an article leans on, with its registry labels (``--what outlets``)."""

    article_id: int = Field(description="The article's id in the store")
    name: str = Field(description="The outlet's name")
    registry_id: str | None = Field(description="Id in the outlet registry (`sourcetrace outlets show ID`)")
    roles: list[str] = Field(description="publisher, conduit, source and/or mentioned")
    domains: list[str] = Field(description="The outlet's domains in the registry")
    country: str | None = Field(description="Country in the registry")
    labels: list[str] = Field(description="Registry labels (state_controlled, wire_service, unreliable, …)")
    n_attributions: int = Field(description="Attributions in this article that pass through or come from it")


class StoryRecord(_Row):
    """One article and its story (``--what stories``; ``sourcetrace corpus stories`` groups them first)."""

    story_id: int | None = Field(description="The story's id (`corpus stories --story ID`); null when left out")
    id: int = Field(description="The article's id in the store")
    url: str | None = Field(description="The article's URL")
    title: str | None = Field(description="The article's title")
    published: str | None = Field(description="Publication date, YYYY-MM-DD (or YYYY-MM); null when undated")
    date_source: str | None = Field(description="Where `published` came from")
    site: str | None = Field(description="Registered domain of the publisher, or the input's outlet")
    story_label: str | None = Field(description="The story's label: key entities · key terms")
    status: str = Field(description="opened (first article of its story), joined, or excluded")
    probability: float | None = Field(description="The merge model's probability for the story joined (best "
                                      "candidate's when it opened one)")
    reason: str | None = Field(description="Why the article is in no story (not English, too short)")


class ReuseRecord(_Row):
    """One passage shared by two articles (``--what reuse``; the reuse index is brought up to date first)."""

    source_id: int = Field(description="The earlier article's id (by publication date, then store id; undated last)")
    source_url: str | None = Field(description="The earlier article's URL")
    target_id: int = Field(description="The later article's id")
    target_url: str | None = Field(description="The later article's URL")
    source_start: int = Field(description="Start of the passage in the earlier article's text (character offset)")
    source_end: int = Field(description="End of the passage in the earlier article's text")
    target_start: int = Field(description="Start of the passage in the later article's text")
    target_end: int = Field(description="End of the passage in the later article's text")
    kind: str = Field(description="copy, shared_quote (both quote the same third party) or boilerplate (a site's "
                      "standard text)")
    credited: bool = Field(description="Whether the later article names the earlier one's outlet in or around the "
                           "passage, in words of its own")
    credit: str | None = Field(description="The name as the later article writes it, when credited")
    source_date: str | None = Field(description="The earlier article's publication date (null: undated)")
    target_date: str | None = Field(description="The later article's publication date (null: undated)")
    dated: bool = Field(description="Whether earlier/later rests on two dates (false: on the store order)")
    words: int = Field(description="Aligned words")
    similarity: float = Field(description="Aligned words over the longer of the two spans, 0..1")


RECORDS: dict[ExportTable, type[_Row]] = {
    ExportTable.articles: ArticleRecord,
    ExportTable.attributions: AttributionRecord,
    ExportTable.sentences: SentenceRecord,
    ExportTable.outlets: OutletRecord,
    ExportTable.stories: StoryRecord,
    ExportTable.reuse: ReuseRecord,
}


def _share(report: Report, voice: Voice) -> float:
    return round(sum(share.share for share in report.voice_breakdown if share.voice is voice), 4)


def records(article: dict[str, Any], report: Report, table: ExportTable) -> Iterator[_Row]:
    """The rows of one stored article for ``table``; ``article`` holds its store columns."""
    article_id = int(article["id"])
    if table is ExportTable.articles:
        yield ArticleRecord(
            article_id=article_id, external_id=article["external_id"], url=article["url"], title=article["title"],
            byline=article["byline"], site=article["site"], outlet=article["outlet"], published=article["published"],
            date_source=article["date_source"], crawl_date=article["crawl_date"],
            input_format=article["input_format"], content_hash=article["content_hash"], origin=article["origin"],
            added_at=article["added_at"], sourcetrace_version=article["sourcetrace_version"],
            n_sentences=len(report.sentences), n_attributions=len(report.attributions),
            n_entities=len(report.entities), share_reported=_share(report, Voice.REPORTED),
            share_direct_quote=_share(report, Voice.DIRECT_QUOTE),
            share_author_assertion=_share(report, Voice.AUTHOR_ASSERTION),
            share_author_opinion=_share(report, Voice.AUTHOR_OPINION), text=report.article.text)
    elif table is ExportTable.attributions:
        for a in report.attributions:
            source = a.source
            yield AttributionRecord(
                article_id=article_id, attribution_id=a.id, speaker=source.name if source else None,
                speaker_type=source.type.value if source else None, anonymous=bool(source and source.anonymous),
                speaker_role=source.role.text if source and source.role else None,
                speaker_start=source.span.start if source else None, speaker_end=source.span.end if source else None,
                cue=a.cue.text, cue_type=a.cue_type.value, cue_start=a.cue.start, cue_end=a.cue.end,
                kind=a.kind.value, content=" … ".join(span.text for span in a.content),
                content_start=a.content[0].start if a.content else a.cue.end,
                content_end=a.content[-1].end if a.content else a.cue.end,
                conduits=[conduit.name for conduit in a.conduits], chain=" → ".join(a.chain),
                nested_in=a.nested_in, sentence_ids=list(a.sentence_ids), method=a.method)
    elif table is ExportTable.sentences:
        for s in report.sentences:
            yield SentenceRecord(
                article_id=article_id, sentence_id=s.id, paragraph=s.paragraph, voice=s.voice.value,
                start=s.span.start, end=s.span.end, text=s.span.text, attribution_ids=list(s.attribution_ids),
                evidence=[f"{e.kind.value}: {e.note}" for e in s.evidence])
    elif table is ExportTable.outlets:
        for link in report.outlets:
            yield OutletRecord(
                article_id=article_id, name=link.name, registry_id=link.registry_id,
                roles=[role.value for role in link.roles], domains=list(link.domains), country=link.country,
                labels=sorted({label.label for label in link.labels}), n_attributions=len(link.attribution_ids))


def write(rows: Iterable[_Row], table: ExportTable, fmt: ExportFormat, path: Path) -> int:
    """Write ``rows`` to ``path`` in ``fmt``; returns how many were written."""
    model = RECORDS[table]
    if fmt is ExportFormat.parquet:
        return _write_parquet(rows, model, path)
    if fmt is ExportFormat.passim:
        if table is not ExportTable.articles:
            from sourcetrace.errors import InputError

            raise InputError("--format passim writes articles only: drop --what, or give --what articles")
        with path.open("w", encoding="utf-8", newline="") as handle:
            return _write_passim(rows, handle)
    with path.open("w", encoding="utf-8", newline="") as handle:
        return _write_jsonl(rows, handle) if fmt is ExportFormat.jsonl else _write_csv(rows, model, handle)


def _write_jsonl(rows: Iterable[_Row], handle: TextIO) -> int:
    count = 0
    for row in rows:
        handle.write(json.dumps(row.model_dump(mode="json"), ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_passim(rows: Iterable[_Row], handle: TextIO) -> int:
    """passim's input (github.com/dasmiq/passim): one JSON object a line with ``id`` (the store id, as text),
    ``series`` (the publication: site, else outlet; passim never aligns two texts of one series), ``date``
    (when known) and ``text``; url, title and the input's own id ride along as extra fields, which passim keeps."""
    count = 0
    for row in rows:
        assert isinstance(row, ArticleRecord)
        record: dict[str, Any] = {"id": str(row.article_id), "series": row.site or row.outlet or "unknown"}
        if row.published:
            record["date"] = row.published
        record.update(text=row.text, url=row.url, title=row.title, external_id=row.external_id)
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_csv(rows: Iterable[_Row], model: type[_Row], handle: TextIO) -> int:
    writer = csv.writer(handle)
    columns = list(model.model_fields)
    writer.writerow(columns)
    count = 0
    for row in rows:
        data = row.model_dump(mode="json")
        writer.writerow(["" if data[c] is None else " | ".join(data[c]) if isinstance(data[c], list) else data[c]
                         for c in columns])
        count += 1
    return count


def _arrow_type(annotation: Any) -> Any:
    import pyarrow as pa

    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
    if typing.get_origin(annotation) is list:
        return pa.list_(pa.string())
    return {int: pa.int64(), float: pa.float64(), bool: pa.bool_(), str: pa.string()}[annotation]


def arrow_schema(model: type[_Row]) -> Any:
    import pyarrow as pa

    return pa.schema([pa.field(name, _arrow_type(info.annotation), nullable=not info.is_required()
                               or _is_optional(info.annotation), metadata={"description": info.description or ""})
                      for name, info in model.model_fields.items()])


def _is_optional(annotation: Any) -> bool:
    return type(None) in typing.get_args(annotation)


def _write_parquet(rows: Iterable[_Row], model: type[_Row], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(model)
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row.model_dump(mode="python"))
            count += 1
            if len(batch) >= PARQUET_ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return count


def columns_markdown() -> str:
    """The column tables of docs/corpus.md, generated from the record models."""
    parts = []
    for table, model in RECORDS.items():
        parts.append(f"### `--what {table.value}`\n\n{model.__doc__}\n\n| column | type | meaning |\n|---|---|---|")
        for name, info in model.model_fields.items():
            kind = _type_name(info.annotation)
            parts[-1] += f"\n| `{name}` | {kind} | {info.description} |"
    return "\n\n".join(parts) + "\n"


def _type_name(annotation: Any) -> str:
    optional = _is_optional(annotation)
    if optional:
        annotation = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
    name = "list of string" if typing.get_origin(annotation) is list else {
        int: "integer", float: "float", bool: "boolean", str: "string"}[annotation]
    return f"{name} or null" if optional else name
