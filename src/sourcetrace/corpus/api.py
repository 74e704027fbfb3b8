"""``sourcetrace.Corpus``: the Python API over a store — add, iterate typed reports, search, summarise, export.

    corpus = sourcetrace.Corpus("news.db")
    corpus.add("crawl/", "feed.jsonl", urls=["urls.txt"], workers=4)
    for stored in corpus:                      # StoredArticle: id, url, published, date_source ... and .report
        print(stored.published, stored.report.article.title, len(stored.report.attributions))
    corpus.search("Russian airstrikes")        # ranked hits with snippets
    corpus.export("attributions.parquet", what="attributions")

The command line (``sourcetrace corpus …``) and the web app are thin layers over these methods.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sourcetrace.corpus import export as exporting
from sourcetrace.corpus.records import decode_report, url_key
from sourcetrace.corpus.runner import (
    RunSummary,
    count_outdated,
    default_workers,
    nonempty,
    outdated_tasks,
    run,
    unseen,
)
from sourcetrace.corpus.sources import Tally, iter_inputs
from sourcetrace.corpus.store import Store
from sourcetrace.corpus.worker import DEFAULT_TIME_LIMIT
from sourcetrace.errors import InputError
from sourcetrace.models import Report

HIGHLIGHT_START, HIGHLIGHT_END = "\x02", "\x03"  # snippet markers, turned into markup by each front end
_SEARCH_WEIGHTS = (5.0, 1.0, 3.0, 2.0)  # title, text, speakers, attributed contents
_ARTICLE_COLUMNS = ("id, external_id, url, title, byline, site, outlet, published, date_source, crawl_date, "
                    "input_format, content_hash, origin, added_at, analyzed_at, sourcetrace_version, report_schema, "
                    "n_sentences, n_attributions, n_entities")


@dataclass(frozen=True)
class StoredArticle:
    """A stored article's store columns; ``report`` is its full typed report."""

    id: int
    external_id: str | None
    url: str | None
    title: str | None
    site: str | None
    outlet: str | None
    published: str | None
    date_source: str | None
    crawl_date: str | None
    origin: str
    added_at: str
    sourcetrace_version: str
    n_attributions: int
    report: Report


@dataclass(frozen=True)
class SearchHit:
    id: int
    title: str | None
    url: str | None
    published: str | None
    site: str | None
    score: float  # bm25: lower is better
    snippet: str  # with HIGHLIGHT_START/END around the matched words


@dataclass(frozen=True)
class InputRecord:
    origin: str
    status: str
    kind: str | None
    reason: str | None
    article_id: int | None
    at: str


def fts_query(text: str) -> str:
    """A plain search string as an FTS5 query: "quoted phrases" kept, other words each required, nothing
    the user types can be read as FTS5 syntax (a stray quote or a colon is not an error)."""
    parts = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', text):
        tokens = re.findall(r"\w+", phrase or word)
        if tokens:
            parts.append('"' + " ".join(tokens) + '"')
    return " ".join(parts)


class Corpus:
    """A corpus store (one file; created when absent). ``path`` defaults to ``$SOURCETRACE_DB`` or
    ``sourcetrace.db``; ``read_only`` opens an existing store without ever writing to it."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.store = Store(path, read_only=read_only)
        self.path = self.store.path

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # ---- adding ---------------------------------------------------------------------------------------

    def add(self, *sources: str | Path, urls: Sequence[str | Path] = (), workers: int | None = None,
            learned: bool = True, allow_private: bool = False, host_delay: float = 1.0,
            advance: Callable[[int], None] | None = None, on_ready: Callable[[], None] | None = None,
            tally: Tally | None = None, time_limit: float = DEFAULT_TIME_LIMIT) -> RunSummary:
        """Analyse and store every article in ``sources`` (files, directories, JSONL, CSV, WARC) and in the
        ``urls`` list files; inputs handled by an earlier run are skipped, so calling it again resumes."""
        from sourcetrace.corpus.fetching import fetched

        before = RunSummary(workers=workers or default_workers())
        pending = nonempty(unseen(self.store, iter_inputs(sources, url_lists=urls, tally=tally), before))
        if pending is None:
            return before
        items = fetched(pending, allow_private=allow_private, host_delay=host_delay)
        summary = run(self.store, items, workers=workers, learned=learned, advance=advance, on_ready=on_ready,
                      time_limit=time_limit)
        summary.skipped += before.skipped
        summary.duplicates += before.duplicates
        return summary

    def add_text(self, text: str, *, url: str | None = None, title: str | None = None, date: str | None = None,
                 outlet: str | None = None, id: str | None = None, learned: bool = True) -> int:
        """Analyse one article in this process and store it; returns its id (an existing one for a duplicate).
        Raises the article's InputError when it cannot be analysed."""
        from sourcetrace.corpus.records import content_hash
        from sourcetrace.corpus.sources import Task
        from sourcetrace.corpus.worker import Analyzer

        origin = f"api:{id}" if id else f"api:{content_hash(text)}"
        task = Task(origin=origin, kind="text", text=text, url=url, title=title, external_id=id, outlet=outlet,
                    date=date)
        outcome = Analyzer(self.path, learned=learned, connection=self.store.connection).process(task)
        if outcome.status == "error":
            raise InputError(outcome.reason or "the article cannot be analysed")
        if outcome.row is None:
            assert outcome.article_id is not None
            self.store.record_duplicate(origin, outcome.article_id)
            return outcome.article_id
        return self.store.add_article(outcome.row)[0]

    def outdated(self) -> int:
        """How many stored reports came from another sourcetrace version or report schema."""
        return count_outdated(self.store)

    def reanalyze_outdated(self, *, workers: int | None = None, learned: bool = True,
                           advance: Callable[[int], None] | None = None,
                           on_ready: Callable[[], None] | None = None,
                           time_limit: float = DEFAULT_TIME_LIMIT) -> RunSummary:
        """Re-analyse every outdated article in place (one transaction each, so it resumes too)."""
        tasks = nonempty(outdated_tasks(self.store))
        if tasks is None:
            return RunSummary(workers=workers or default_workers())
        return run(self.store, tasks, workers=workers, learned=learned, advance=advance, on_ready=on_ready,
                   time_limit=time_limit)

    # ---- reading --------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self.store.count("articles")

    def __iter__(self) -> Iterator[StoredArticle]:
        return self.articles()

    def articles(self, *, where: str = "", parameters: Sequence[Any] = (), order: str = "id",
                 limit: int | None = None) -> Iterator[StoredArticle]:
        sql = f"SELECT {_ARTICLE_COLUMNS}, text, report FROM articles" + (f" WHERE {where}" if where else "")
        sql += f" ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit is not None else "")
        cursor = self.store.connection.execute(sql, parameters)
        cursor.row_factory = sqlite3.Row
        for row in cursor:
            yield _stored(row)

    def reports(self) -> Iterator[Report]:
        for stored in self:
            yield stored.report

    def get(self, key: str | int) -> StoredArticle | None:
        """An article by store id, by the input's own id, or by URL."""
        text = str(key).strip()
        # an id past SQLite's 64-bit integers is no id (found by fuzzing: OverflowError, a 500 on the web)
        number = int(text) if text.isdigit() and len(text) <= 18 else None
        for where, value in (("id = ?", number), ("external_id = ?", text),
                             ("url_key = ?", url_key(text)), ("url = ?", text)):
            if value is None:
                continue
            found = next(self.articles(where=where, parameters=(value,), limit=1), None)
            if found is not None:
                return found
        return None

    def search(self, query: str, *, limit: int = 20, offset: int = 0, raw: bool = False) -> list[SearchHit]:
        """Ranked full-text search (bm25) over titles, texts, speakers and attributed contents, with snippets.
        ``raw`` passes FTS5 query syntax through (OR, NEAR, prefix*, ``speakers: Putin``)."""
        match = query.strip() if raw else fts_query(query)
        if not match:
            return []
        weights = ", ".join(str(w) for w in _SEARCH_WEIGHTS)
        sql = (f"SELECT a.id, a.title, a.url, a.published, a.site, bm25(articles_fts, {weights}) AS score, "
               f"snippet(articles_fts, -1, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}', ' … ', 20) "
               "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
               "WHERE articles_fts MATCH ? ORDER BY score LIMIT ? OFFSET ?")
        try:
            rows = self.store.connection.execute(sql, (match, limit, offset)).fetchall()
        except sqlite3.OperationalError as error:
            raise InputError(f"cannot search for {query!r}: {error}") from None
        return [SearchHit(int(r[0]), r[1], r[2], r[3], r[4], float(r[5]), " ".join(str(r[6]).split()))
                for r in rows]

    def inputs(self, *, status: str | None = None, limit: int | None = None) -> list[InputRecord]:
        sql = "SELECT origin, status, error_kind, reason, article_id, at FROM inputs"
        sql += " WHERE status = ?" if status else ""
        sql += " ORDER BY at, origin" + (f" LIMIT {int(limit)}" if limit is not None else "")
        rows = self.store.connection.execute(sql, (status,) if status else ()).fetchall()
        return [InputRecord(*row) for row in rows]

    def errors(self, *, limit: int | None = None) -> list[InputRecord]:
        """The inputs that were refused, each with its origin (file, file:line, …) and one-line reason."""
        return self.inputs(status="error", limit=limit)

    def stats(self) -> dict[str, Any]:
        db = self.store.connection

        def grouped(sql: str) -> dict[str, int]:
            return {str(key): int(count) for key, count in db.execute(sql).fetchall()}

        first, last = db.execute("SELECT min(published), max(published) FROM articles").fetchone()
        return {
            "store": str(self.path),
            "schema_version": self.store.schema_version(),
            "bytes": self.path.stat().st_size + _size(Path(str(self.path) + "-wal")),
            "articles": len(self),
            "inputs": grouped("SELECT status, count(*) FROM inputs GROUP BY status ORDER BY status"),
            "errors_by_kind": grouped("SELECT coalesce(error_kind, '?'), count(*) FROM inputs WHERE status = 'error' "
                                      "GROUP BY 1 ORDER BY 2 DESC"),
            "attributions": self.store.count("attributions"),
            "sentences": int(db.execute("SELECT coalesce(sum(n_sentences), 0) FROM articles").fetchone()[0]),
            "published": {"first": first, "last": last},
            "date_sources": grouped("SELECT coalesce(date_source, 'none'), count(*) FROM articles GROUP BY 1 "
                                    "ORDER BY 2 DESC"),
            "input_formats": grouped("SELECT input_format, count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"),
            "top_sites": grouped("SELECT coalesce(site, outlet, 'unknown'), count(*) FROM articles GROUP BY 1 "
                                 "ORDER BY 2 DESC LIMIT 10"),
            "sourcetrace_versions": grouped("SELECT sourcetrace_version, count(*) FROM articles GROUP BY 1"),
            "outdated": self.outdated(),
        }

    def speakers(self, *, limit: int = 25) -> list[dict[str, Any]]:
        """Who is quoted or paraphrased most: attributions, articles, direct vs paraphrase, the usual conduit."""
        rows = self.store.query(
            "SELECT min(speaker) AS speaker, speaker_key, group_concat(DISTINCT speaker_type) AS types, "
            "max(anonymous) AS anonymous, count(*) AS attributions, count(DISTINCT article_id) AS articles, "
            "sum(kind = 'direct') AS direct, sum(kind != 'direct') AS paraphrased "
            "FROM attributions WHERE speaker_key IS NOT NULL GROUP BY speaker_key "
            "ORDER BY attributions DESC, articles DESC LIMIT ?", (limit,))
        result = []
        for row in rows:
            conduit = self.store.connection.execute(
                "SELECT conduits, count(*) FROM attributions WHERE speaker_key = ? AND conduits != '' "
                "GROUP BY conduits ORDER BY 2 DESC LIMIT 1", (row["speaker_key"],)).fetchone()
            result.append({"speaker": row["speaker"], "types": row["types"] or "", "anonymous": bool(row["anonymous"]),
                           "attributions": row["attributions"], "articles": row["articles"], "direct": row["direct"],
                           "paraphrased": row["paraphrased"], "top_conduit": conduit[0] if conduit else None,
                           "via_conduit": conduit[1] if conduit else 0})
        return result

    def speaker_totals(self) -> dict[str, int]:
        row = self.store.connection.execute(
            "SELECT count(*), sum(speaker_key IS NOT NULL AND anonymous = 0), sum(anonymous = 1), "
            "sum(speaker_key IS NULL), sum(conduits != '') FROM attributions").fetchone()
        return {"attributions": row[0] or 0, "named": row[1] or 0, "anonymous": row[2] or 0,
                "no_source": row[3] or 0, "through_conduits": row[4] or 0}

    def outlets(self, *, limit: int = 25) -> list[dict[str, Any]]:
        """Outlets across the corpus: as publisher, as conduit, as source, with their registry labels."""
        rows = self.store.query(
            "SELECT min(name) AS name, registry_id, count(DISTINCT article_id) AS articles, "
            "sum(instr(roles, 'publisher') > 0) AS publisher, sum(instr(roles, 'conduit') > 0) AS conduit, "
            "sum(instr(roles, 'source') > 0) AS source, max(labels) AS labels, max(country) AS country "
            "FROM outlet_links GROUP BY coalesce(registry_id, lower(name)) "
            "ORDER BY articles DESC, name LIMIT ?", (limit,))
        return [dict(row) for row in rows]

    # ---- getting data out -----------------------------------------------------------------------------

    def export(self, path: str | Path, *, what: str = "articles", format: str | None = None) -> int:
        """Write one table (articles, attributions, sentences, outlets, stories) as JSONL, CSV or Parquet (``format``,
        else from the file name); returns the number of rows."""
        path = Path(path)
        fmt = exporting.ExportFormat(format or _format_from_name(path))
        table = exporting.ExportTable(what)
        if table is exporting.ExportTable.reuse:  # issue 23: the reuse index is brought up to date first
            from sourcetrace.stories.reuse import ReuseIndex, reuse_records

            ReuseIndex(self.store).update()
            return exporting.write(reuse_records(self.store), table, fmt, path)
        if table is exporting.ExportTable.stories:  # issue 23: grouped first, so the export is up to date
            from sourcetrace.stories.assign import assign_stories
            from sourcetrace.stories.storage import story_records

            assign_stories(self.store)
            return exporting.write(story_records(self.store), table, fmt, path)

        def rows() -> Iterator[exporting._Row]:
            cursor = self.store.connection.execute(f"SELECT {_ARTICLE_COLUMNS}, text, report FROM articles ORDER BY id")
            cursor.row_factory = sqlite3.Row
            for row in cursor:
                yield from exporting.records(dict(row), decode_report(row["report"], row["text"]), table)

        return exporting.write(rows(), table, fmt, path)


def _format_from_name(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "csv", "parquet"):
        return suffix
    raise InputError(f"cannot tell the export format from {path.name}: give --format jsonl, csv or parquet")


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _stored(row: sqlite3.Row | Mapping[str, Any]) -> StoredArticle:
    return StoredArticle(
        id=row["id"], external_id=row["external_id"], url=row["url"], title=row["title"], site=row["site"],
        outlet=row["outlet"], published=row["published"], date_source=row["date_source"],
        crawl_date=row["crawl_date"], origin=row["origin"], added_at=row["added_at"],
        sourcetrace_version=row["sourcetrace_version"], n_attributions=row["n_attributions"],
        report=decode_report(row["report"], row["text"]))
