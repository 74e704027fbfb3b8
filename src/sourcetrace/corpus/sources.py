"""Ingestion of many inputs: files, directories, JSONL, CSV, WARC and URL lists → a stream of tasks.

Each input becomes a :class:`Task` (one article to analyse) or a :class:`Failure` (an input that cannot become
one, with its one-line reason), named by an *origin*: ``/abs/file.txt``, ``/abs/batch.jsonl:17`` (line),
``/abs/crawl.warc.gz@40213`` (byte offset of the record) or ``/abs/urls.txt:3`` (line of the URL). The origin
is how a rerun recognises what an earlier run already handled.

Reading is streaming (a 10 GB JSONL or WARC is never held in memory); what costs CPU — decoding HTML,
extracting its text, analysing — happens in the worker processes, not here.

JSONL and CSV records name their fields as below (the first alias present wins; CSV headers are matched
without regard to case): text ``text|content|body|article``, HTML ``html|raw_html``, ``url|link``, ``title|headline``,
date ``date|published|published_at|publish_date|pub_date|datetime``, outlet ``outlet|domain|site|source|publisher``,
id ``id|article_id|doc_id|uuid``, crawl date ``crawl_date|scraped_at|crawled_at|fetched_at``.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import sys
import typing
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sourcetrace.corpus.dates import parse_date

TEXT_FIELDS = ("text", "content", "body", "article")
HTML_FIELDS = ("html", "raw_html")
URL_FIELDS = ("url", "link")
TITLE_FIELDS = ("title", "headline")
DATE_FIELDS = ("date", "published", "published_at", "publish_date", "pub_date", "datetime")
OUTLET_FIELDS = ("outlet", "domain", "site", "source", "publisher")
ID_FIELDS = ("id", "article_id", "doc_id", "uuid")
CRAWL_FIELDS = ("crawl_date", "scraped_at", "crawled_at", "fetched_at")

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
CSV_SUFFIXES = (".csv", ".tsv")
WARC_SUFFIXES = (".warc", ".warc.gz")
# inside a directory only these are taken as articles (a named file is always read, whatever its name)
ARTICLE_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".shtml")


@dataclass(frozen=True)
class Task:
    """One article to analyse. ``kind`` says where its content is: a file to read (``file``), plain ``text``,
    ``html`` markup, raw ``bytes`` (a WARC body, a fetched page), a ``url`` still to fetch, or a ``stored``
    article to re-analyse (``article_id``)."""

    origin: str
    kind: str
    path: str | None = None
    text: str | None = None
    data: bytes | None = None
    content_type: str | None = None
    url: str | None = None
    title: str | None = None
    external_id: str | None = None
    outlet: str | None = None
    date: str | None = None
    crawl_date: str | None = None
    article_id: int | None = None


@dataclass(frozen=True)
class Failure:
    """An input that could not become an article (``kind``: file, jsonl, csv, warc, urls)."""

    origin: str
    kind: str
    reason: str


@dataclass
class Tally:
    """What the reader passed over without an error: files in directories that are not articles, WARC records
    that are not HTML pages."""

    skipped_files: int = 0
    skipped_records: int = 0
    notes: list[str] = field(default_factory=list)


Item = Task | Failure


def iter_inputs(sources: Sequence[str | Path], *, url_lists: Sequence[str | Path] = (),
                tally: Tally | None = None) -> Iterator[Item]:
    """Every task and failure from the given sources, in order (directories sorted, recursively)."""
    tally = tally if tally is not None else Tally()
    for source in sources:
        path = Path(source)
        if path.is_dir():
            for file in _walk(path):
                if _batch_kind(file) or file.name.lower().endswith(ARTICLE_SUFFIXES):
                    yield from _from_file(file, tally)
                else:
                    tally.skipped_files += 1
        elif path.exists():
            yield from _from_file(path, tally)
        else:
            yield Failure(str(path), "file", f"no such file or directory: {path}")
    for url_list in url_lists:
        yield from _from_url_list(Path(url_list))


def estimate(sources: Sequence[str | Path], *, url_lists: Sequence[str | Path] = ()) -> int | None:
    """A quick count of the tasks ahead for the progress bar (lines, not parsed records); None for a WARC."""
    total = 0
    for source in sources:
        path = Path(source)
        files = list(_walk(path)) if path.is_dir() else [path]
        for file in files:
            kind = _batch_kind(file)
            if kind is None:
                total += 1 if not path.is_dir() or file.name.lower().endswith(ARTICLE_SUFFIXES) else 0
            elif kind == "warc":
                return None
            else:
                try:
                    with _open_binary(file) as handle:
                        total += sum(1 for line in handle if line.strip())
                except (OSError, EOFError, zlib.error):  # found by fuzzing: a cut .jsonl.gz raised EOFError here
                    total += 1
                if kind == "csv":
                    total -= 1  # the header
    for url_list in url_lists:
        try:
            total += sum(1 for line in _read_lines(Path(url_list)) if line[1])
        except OSError:
            total += 1
    return max(total, 0)


def _walk(root: Path) -> Iterator[Path]:
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(directory) / name


def _batch_kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    return None


def _from_file(path: Path, tally: Tally) -> Iterator[Item]:
    kind = _batch_kind(path)
    absolute = str(path.resolve())
    try:
        if kind == "jsonl":
            yield from _from_jsonl(path, absolute)
        elif kind == "csv":
            yield from _from_csv(path, absolute)
        elif kind == "warc":
            yield from _from_warc(path, absolute, tally)
        else:
            yield Task(origin=absolute, kind="file", path=absolute)
    except OSError as error:
        yield Failure(absolute, kind or "file", f"cannot read {path}: {(error.strerror or str(error)).lower()}")


# ---- JSONL and CSV records ------------------------------------------------------------------------------


def _first(record: dict[str, Any], names: Iterable[str]) -> Any:
    for name in names:
        value = record.get(name)
        if value is not None and value != "":
            return value
    return None


def _string(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def task_from_record(record: dict[str, Any], origin: str) -> Item:
    """A task from one JSONL object or CSV row (keys already lower-cased for CSV)."""
    text, html = _first(record, TEXT_FIELDS), _first(record, HTML_FIELDS)
    if text is None and html is None:
        if any(name in record for name in (*TEXT_FIELDS, *HTML_FIELDS)):
            return Task(origin=origin, kind="text", text="")  # an empty text: the worker says "the input is empty"
        fields = " ".join(", ".join(list(record)[:12]).split())  # a field name may hold a line break (fuzzing)
        return Failure(origin, "record", f"the record has no 'text' or 'html' field (fields: {fields or 'none'})")
    if not isinstance(text if text is not None else html, str):
        return Failure(origin, "record", "the record's text is not a string")
    date_value = _first(record, DATE_FIELDS)
    return Task(
        origin=origin,
        kind="text" if text is not None else "html",
        text=text if text is not None else html,
        url=_string(_first(record, URL_FIELDS)),
        title=_string(_first(record, TITLE_FIELDS)),
        external_id=_string(_first(record, ID_FIELDS)),
        outlet=_string(_first(record, OUTLET_FIELDS)),
        date=date_value if isinstance(date_value, str) else _string(date_value),
        crawl_date=parse_date(_first(record, CRAWL_FIELDS)),
    )


def _open_binary(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return typing.cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _from_jsonl(path: Path, absolute: str) -> Iterator[Item]:
    with _open_binary(path) as handle:
        number = 0
        while True:
            try:
                raw = handle.readline()
            except (OSError, EOFError, zlib.error) as error:  # a truncated or (found by fuzzing) corrupt .jsonl.gz
                yield Failure(f"{absolute}:{number + 1}", "jsonl", f"the file is truncated or corrupt: {error}")
                return
            if not raw:
                return
            number += 1
            origin = f"{absolute}:{number}"
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except UnicodeDecodeError:
                yield Failure(origin, "jsonl", f"line {number} is not valid UTF-8")
                continue
            except json.JSONDecodeError as error:
                yield Failure(origin, "jsonl", f"line {number} is not valid JSON ({error.msg}, column {error.colno})")
                continue
            if not isinstance(record, dict):
                yield Failure(origin, "jsonl", f"line {number} is a JSON {type(record).__name__}, not an object")
                continue
            yield task_from_record(record, origin)


def _from_csv(path: Path, absolute: str) -> Iterator[Item]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t" if path.name.lower().endswith(".tsv") else ",")
        try:
            header = next(reader)
        except StopIteration:
            yield Failure(f"{absolute}:1", "csv", "the CSV file is empty (no header)")
            return
        except csv.Error as error:
            yield Failure(f"{absolute}:1", "csv", f"the CSV header cannot be read: {error}")
            return
        names = [name.strip().lower() for name in header]
        if not any(name in names for name in (*TEXT_FIELDS, *HTML_FIELDS)):
            shown = " ".join(", ".join(n for n in names if n)[:200].split())  # a name may hold a line break (fuzzing)
            yield Failure(f"{absolute}:1", "csv", "the CSV has no text column: its header names "
                          f"{shown or 'nothing'}; expected one of "
                          f"{', '.join((*TEXT_FIELDS, *HTML_FIELDS))}")
            return
        line = reader.line_num
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield Failure(f"{absolute}:{start}", "csv", f"the CSV cannot be read from line {start}: {error}")
                return
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                yield Failure(f"{absolute}:{start}", "csv",
                              f"line {start} has {len(row)} fields; the header has {len(names)}")
                continue
            yield task_from_record(dict(zip(names, row, strict=True)), f"{absolute}:{start}")


# ---- WARC -----------------------------------------------------------------------------------------------


def _from_warc(path: Path, absolute: str, tally: Tally) -> Iterator[Item]:
    """Response (and resource) records with HTML or plain-text bodies; a cut or corrupt file is one failure at
    the offset where it goes wrong, after the records before it. warcio itself stops quietly at a record cut
    inside its headers and returns a record cut inside its body short, so both are checked here: a record must
    be read to its declared length, and the last record must end where the file does."""
    from warcio.archiveiterator import ArchiveIterator

    size = path.stat().st_size
    with path.open("rb") as handle:
        records = ArchiveIterator(handle)
        offset = 0
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception as error:  # warcio raises many kinds on a corrupt file
                yield _warc_failure(absolute, records.offset, error)
                return
            try:
                fields = _warc_fields(record)
                offset = records.get_record_offset()  # reads the rest of the record
            except Exception as error:
                yield _warc_failure(absolute, offset, error)
                return
            if getattr(record.raw_stream, "limit", 0) > 0:
                yield _warc_failure(absolute, offset, None)
                return
            if fields is None:
                tally.skipped_records += 1
            else:
                yield Task(origin=f"{absolute}@{offset}", kind="bytes", **fields)
        if records.offset < size:
            yield _warc_failure(absolute, records.offset, None)


def _warc_failure(absolute: str, offset: int, error: BaseException | None) -> Failure:
    detail = f" ({type(error).__name__}: {' '.join(str(error).split())[:160]})" if error is not None else ""
    return Failure(f"{absolute}@{offset}", "warc", f"the WARC file is truncated or corrupt at byte {offset:,}"
                   f"{detail}; the records before it were read")


def _warc_fields(record: Any) -> dict[str, Any] | None:
    if record.rec_type not in ("response", "resource"):
        return None
    if record.rec_type == "response":
        if record.http_headers is None:
            return None
        status = record.http_headers.get_statuscode()
        if not status or not status.startswith("2"):
            return None
        content_type = record.http_headers.get_header("Content-Type")
    else:
        content_type = record.rec_headers.get_header("Content-Type")
    if content_type and not any(kind in content_type.lower() for kind in ("html", "text/plain")):
        return None
    return {
        "data": record.content_stream().read(),
        "content_type": content_type,
        "url": record.rec_headers.get_header("WARC-Target-URI"),
        "crawl_date": parse_date(record.rec_headers.get_header("WARC-Date")),
    }


# ---- URL lists ------------------------------------------------------------------------------------------


def _read_lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            text = line.strip()
            yield number, "" if text.startswith("#") else text


def _from_url_list(path: Path) -> Iterator[Item]:
    absolute = str(path.resolve())
    try:
        for number, url in _read_lines(path):
            if url:
                yield Task(origin=f"{absolute}:{number}", kind="url", url=url)
    except OSError as error:
        yield Failure(absolute, "urls", f"cannot read {path}: {(error.strerror or str(error)).lower()}")
