"""``corpus check``: is a store whole? SQLite's own checks, then the store's invariants, as a list of problems.

SQLite's checks: ``PRAGMA integrity_check`` (every page, index and constraint), ``PRAGMA foreign_key_check``,
and FTS5's ``integrity-check`` with the external-content comparison (the search index agrees with the articles).
The store's invariants, each a query that lists what breaks it:

* the schema version is one this sourcetrace knows, with its migrations recorded and its tables present;
* every article is whole: its report, its attribution rows (as many as it counts), its search-index row, and
  the input record that stored it; every input recorded as stored or duplicate names an existing article;
* the copied-passages index points only at indexed articles, with passage offsets inside their texts;
* every story's size is the number of articles placed in it, and every placed article's story exists.

Nothing is written: a read-only store is checked through a read-only connection, and FTS5's own check (which
SQLite runs as a write statement, though it changes nothing) is then replaced by a comparison of row ids.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sourcetrace.corpus.store import _MIGRATIONS, APPLICATION_ID, SCHEMA_VERSION, check_store_file, connect
from sourcetrace.corpus.store_errors import not_writable
from sourcetrace.errors import StoreError

_SHOWN_IDS = 10  # ids listed per problem; the count says how many in all
_TABLE = re.compile(r"CREATE (?:VIRTUAL )?TABLE (\w+)")
BARE = "bare"  # the sourcetrace_version of texts stored without analysis (benchmarks: stories.reuse.store_bare_texts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong: which check found it, and what it found."""

    check: str
    detail: str


@dataclass
class CheckResult:
    path: str
    schema_version: int | None = None
    articles: int | None = None
    checks: list[str] = field(default_factory=list)  # the checks that ran
    notes: list[str] = field(default_factory=list)  # checks replaced or skipped, and why
    problems: list[Problem] = field(default_factory=list)
    on_step: Callable[[str], None] | None = field(default=None, repr=False, compare=False)  # progress display

    def step(self, name: str) -> None:
        self.checks.append(name)
        if self.on_step is not None:
            self.on_step(name)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "schema_version": self.schema_version, "articles": self.articles,
                "checks": self.checks, "notes": self.notes, "problems": [asdict(p) for p in self.problems]}


def _ids(rows: list[tuple[Any, ...]]) -> str:
    shown = ", ".join(str(row[0]) for row in rows[:_SHOWN_IDS])
    return shown + (f" … ({len(rows):,} in all)" if len(rows) > _SHOWN_IDS else "")


def _tables(version: int) -> set[str]:
    return {name for v, _, script in _MIGRATIONS if v <= version for name in _TABLE.findall(script)}


def _open(path: Path) -> tuple[sqlite3.Connection, bool]:
    """A connection that never changes the file, and whether it may run FTS5's check (a write statement).

    Not :func:`~sourcetrace.corpus.store.connect` for a writable file: that switches the journal to WAL, and a
    backup copy being checked is in rollback-journal mode on purpose."""
    if not_writable(path):
        return connect(path, read_only=True), False
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout = 30000")
    connection.execute("PRAGMA query_only = ON")  # FTS5's check is the one exception, made below
    return connection, True


def check_store(path: Path, *, on_step: Callable[[str], None] | None = None) -> CheckResult:
    """Run every check on the store at ``path``; raises StoreError only when there is no file to check.
    ``on_step(name)`` is called as each check starts (a progress display)."""
    result = CheckResult(str(path), on_step=on_step)
    if not path.exists():
        raise StoreError(f"no store at {path}: give the store file with --db")
    truncated = _truncated(path)
    if truncated:
        result.problems.append(Problem("file", truncated))
    try:
        check_store_file(path)
    except StoreError as error:
        if (error.sqlite_error or "").startswith("SQLITE_CORRUPT"):
            result.problems.append(Problem("file", f"too damaged to open ({error.sqlite_error}): restore the store "
                                                   "from a backup"))
        else:
            result.problems.append(Problem("file", str(error)))
        return result
    try:
        connection, fts_writable = _open(path)
    except sqlite3.Error as error:
        result.problems.append(Problem("file", f"cannot be opened: {error} ({_name(error)})"))
        return result
    try:
        _run(connection, fts_writable, result)
    except sqlite3.Error as error:
        # a file too damaged to query: what ran so far is reported, and this
        result.problems.append(Problem("sqlite", f"the checks stopped: {error} ({_name(error)})"))
    finally:
        connection.close()
    return result


def _truncated(path: Path) -> str | None:
    """What is missing when the file is shorter than its header says (a copy cut short, a full disk while
    copying); None when it is not. The header's page count is kept by SQLite whenever it writes the file (with a
    write-ahead log beside it the file may be short until the log is copied back: not judged then)."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        return None  # pages not yet copied back from the write-ahead log: the file may be short by design
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return None
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[24:28] == header[92:96]  # the count is trusted only when written by SQLite 3.7.0 or later
    size = path.stat().st_size
    if valid and pages and size < pages * page_size:
        return (f"the file is truncated: {size:,} bytes, where its header counts {pages:,} pages of {page_size:,} "
                f"bytes ({pages * page_size:,} bytes)")
    return None


def _name(error: sqlite3.Error) -> str:
    return getattr(error, "sqlite_errorname", None) or type(error).__name__


def _run(db: sqlite3.Connection, fts_writable: bool, result: CheckResult) -> None:
    problems = result.problems

    def add(check: str, detail: str) -> None:
        problems.append(Problem(check, detail))

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return list(db.execute(sql).fetchall())

    # ---- SQLite: pages, indexes, constraints ----------------------------------------------------------------
    result.step("sqlite integrity_check")
    try:
        found = [str(row[0]) for row in rows("PRAGMA integrity_check(100)")]
    except sqlite3.DatabaseError as error:
        # a page too damaged for the whole-file check to go on: table by table, to say where
        add("sqlite integrity_check", f"the check itself failed: {error} ({_name(error)})")
        found = ["ok"]
        tables = [str(row[0]) for row in rows("SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage > 0 "
                                              "ORDER BY rootpage")]
        for table in tables:
            try:
                lines = [str(row[0]) for row in rows(f"PRAGMA integrity_check('{table}')")]
            except sqlite3.DatabaseError as table_error:
                lines = [f"cannot be read: {table_error} ({_name(table_error)})"]
            found += [f"table {table}: {line}" for line in lines if line != "ok"]
    if found != ["ok"]:
        for line in found:
            if line != "ok":
                add("sqlite integrity_check", line)

    # ---- the schema ---------------------------------------------------------------------------------------
    result.step("schema")
    application_id = int(db.execute("PRAGMA application_id").fetchone()[0])
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    result.schema_version = version
    if application_id == 0 and version == 0:
        add("schema", "an empty store: no schema yet (nothing was ever stored in it)")
        return
    if application_id != APPLICATION_ID:
        add("schema", f"not marked as a sourcetrace store (application_id {application_id:#x})")
    if not 1 <= version <= SCHEMA_VERSION:
        add("schema", f"schema version {version} is not one this sourcetrace knows (1 to {SCHEMA_VERSION})")
        return
    present = {str(row[0]) for row in rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = sorted(_tables(version) - present)
    if missing:
        add("schema", f"tables of schema {version} missing: {', '.join(missing)}")
        return
    recorded = {int(row[0]) for row in rows("SELECT version FROM schema_migrations")}
    if recorded != set(range(1, version + 1)):
        add("schema", f"schema version {version} but migrations recorded: {sorted(recorded) or 'none'}")

    # ---- the search index ---------------------------------------------------------------------------------
    result.step("full-text index")
    if fts_writable:
        db.execute("PRAGMA query_only = OFF")
        try:
            # rank 1: also compare the index with its external content (the articles table); changes nothing
            db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as error:
            add("full-text index", f"FTS5 integrity-check failed: {error} ({_name(error)})")
        finally:
            db.execute("PRAGMA query_only = ON")
    else:
        result.notes.append("FTS5 integrity-check skipped (the store is read-only here and SQLite runs it as a "
                            "write); its rows were compared with the articles instead")
    # the invariants below read one snapshot, so a store being written meanwhile is judged as of one moment
    db.execute("BEGIN")
    try:
        _invariants(db, version, result)
    finally:
        if db.in_transaction:
            db.execute("COMMIT")


def _invariants(db: sqlite3.Connection, version: int, result: CheckResult) -> None:
    def add(check: str, detail: str) -> None:
        result.problems.append(Problem(check, detail))

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return list(db.execute(sql).fetchall())

    # ---- SQLite: foreign keys -----------------------------------------------------------------------------
    result.step("foreign keys")
    dangling: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for table, rowid, parent, _ in rows("PRAGMA foreign_key_check"):
        dangling.setdefault((table, parent), []).append((rowid,))
    for (table, parent), ids in dangling.items():
        add("foreign keys", f"{len(ids):,} rows of {table} point at missing {parent} (rowids {_ids(ids)})")

    # ---- the search index's rows: one per article, none for an article gone -----------------------------------
    unindexed = rows("SELECT id FROM articles WHERE id NOT IN (SELECT id FROM articles_fts_docsize) ORDER BY id")
    if unindexed:
        add("full-text index", f"{len(unindexed):,} articles missing from the search index: ids {_ids(unindexed)}")
    stale = rows("SELECT id FROM articles_fts_docsize WHERE id NOT IN (SELECT id FROM articles) ORDER BY id")
    if stale:
        add("full-text index", f"{len(stale):,} search-index rows for articles no longer stored: ids {_ids(stale)}")

    # ---- articles whole -----------------------------------------------------------------------------------
    result.step("articles")
    result.articles = int(db.execute("SELECT count(*) FROM articles").fetchone()[0])
    empty = rows(f"SELECT id FROM articles WHERE length(report) = 0 AND sourcetrace_version != '{BARE}' ORDER BY id")
    if empty:
        add("articles", f"{len(empty):,} articles without a report: ids {_ids(empty)}")
    counts = rows("SELECT a.id, a.n_attributions, coalesce(t.n, 0) FROM articles a LEFT JOIN "
                  "(SELECT article_id, count(*) AS n FROM attributions GROUP BY article_id) t ON t.article_id = a.id "
                  "WHERE a.n_attributions != coalesce(t.n, 0) ORDER BY a.id")
    if counts:
        add("articles", f"{len(counts):,} articles whose attribution rows do not match their report's count: "
                        f"ids {_ids(counts)}")
    unrecorded = rows(f"SELECT a.id FROM articles a WHERE a.sourcetrace_version != '{BARE}' AND NOT EXISTS "
                      "(SELECT 1 FROM inputs i WHERE i.origin = a.origin AND i.status = 'stored' "
                      "AND i.article_id = a.id) ORDER BY a.id")
    if unrecorded:
        add("inputs", f"{len(unrecorded):,} articles without the input record that stored them: ids "
                      f"{_ids(unrecorded)}")
    lost = rows("SELECT origin FROM inputs WHERE status IN ('stored', 'duplicate') AND (article_id IS NULL OR "
                "article_id NOT IN (SELECT id FROM articles)) ORDER BY origin")
    if lost:
        add("inputs", f"{len(lost):,} inputs recorded as stored or duplicate of an article that is not stored: "
                      f"{_ids(lost)}")

    # ---- copied passages (schema 2) ---------------------------------------------------------------------
    if version >= 2:
        result.step("reuse index")
        postings = rows("SELECT DISTINCT article_id FROM reuse_postings WHERE article_id NOT IN "
                        "(SELECT article_id FROM reuse_articles WHERE status = 'indexed') ORDER BY article_id")
        if postings:
            add("reuse index", f"fingerprints of {len(postings):,} articles not in the reuse index: ids "
                               f"{_ids(postings)}")
        passages = rows("SELECT p.id FROM reuse_passages p WHERE NOT EXISTS (SELECT 1 FROM reuse_articles r WHERE "
                        "r.article_id = p.source_id AND r.status = 'indexed') OR NOT EXISTS (SELECT 1 FROM "
                        "reuse_articles r WHERE r.article_id = p.target_id AND r.status = 'indexed') ORDER BY p.id")
        if passages:
            add("reuse index", f"{len(passages):,} passages between articles that are not indexed: passage ids "
                               f"{_ids(passages)}")
        outside = rows("SELECT p.id FROM reuse_passages p JOIN articles s ON s.id = p.source_id "
                       "JOIN articles t ON t.id = p.target_id WHERE NOT (0 <= p.source_start AND p.source_start < "
                       "p.source_end AND p.source_end <= length(s.text) AND 0 <= p.target_start AND p.target_start "
                       "< p.target_end AND p.target_end <= length(t.text)) ORDER BY p.id")
        if outside:
            add("reuse index", f"{len(outside):,} passages whose offsets fall outside their articles' texts: "
                               f"passage ids {_ids(outside)}")

    # ---- stories (schema 3) -------------------------------------------------------------------------------
    if version >= 3:
        result.step("stories")
        homeless = rows("SELECT article_id FROM story_articles WHERE status IN ('opened', 'joined') AND "
                        "(story_id IS NULL OR story_id NOT IN (SELECT id FROM stories)) ORDER BY article_id")
        if homeless:
            add("stories", f"{len(homeless):,} articles placed in a story that does not exist: ids {_ids(homeless)}")
        excluded = rows("SELECT article_id FROM story_articles WHERE status = 'excluded' AND story_id IS NOT NULL "
                        "ORDER BY article_id")
        if excluded:
            add("stories", f"{len(excluded):,} articles excluded from stories but given one: ids {_ids(excluded)}")
        sizes = rows("SELECT s.id, s.n_articles, coalesce(m.n, 0) FROM stories s LEFT JOIN (SELECT story_id, "
                     "count(*) AS n FROM story_articles WHERE status IN ('opened', 'joined') GROUP BY story_id) m "
                     "ON m.story_id = s.id WHERE s.n_articles != coalesce(m.n, 0) ORDER BY s.id")
        if sizes:
            add("stories", f"{len(sizes):,} stories whose size is not the number of articles placed in them: "
                           f"story ids {_ids(sizes)}")
        postings = rows("SELECT DISTINCT story_id FROM story_postings WHERE story_id NOT IN (SELECT id FROM stories) "
                        "ORDER BY story_id")
        if postings:
            add("stories", f"index entries for {len(postings):,} stories that do not exist: story ids "
                           f"{_ids(postings)}")
