"""The corpus store: one embedded SQLite file (WAL mode, FTS5 search), versioned schema with migrations.

Why SQLite: one file and no server, as a media researcher's laptop wants it; transactions so that a run
killed at any moment (even ``kill -9``) leaves every article either wholly stored or absent; FTS5 for ranked
full-text search with snippets; and readers that never block the one writer (WAL), so worker processes can
check for duplicates while the main process writes.

Layout (schema version 1):

* ``articles`` — one row per distinct article: metadata, content hash, URL key, publication date and where it
  came from, the text, and the full report (zlib-compressed JSON with the text elided, since it is stored once
  in ``text``). ``content_hash`` and ``url_key`` are UNIQUE: the same article is stored once.
* ``attributions`` and ``outlet_links`` — a few columns per attribution and per linked outlet, indexed, for the
  corpus-wide ``speakers`` and ``outlets`` views without decoding reports.
* ``inputs`` — every input seen (a file, a JSONL/CSV line, a WARC record, a URL) by its origin, with what became
  of it (``stored``, ``duplicate`` or ``error`` with a one-line reason): a rerun skips these, which is how a run
  resumes, and ``corpus errors`` lists the refused ones.
* ``articles_fts`` — an FTS5 index over title, text, speakers and attributed contents, with ``articles`` as its
  external content (the text is not stored twice); triggers keep it in step.
* ``reuse_articles``, ``reuse_postings``, ``reuse_passages`` (version 2) — the copied-passages index and the
  aligned passage pairs (:mod:`sourcetrace.stories.reuse`).
* ``stories``, ``story_articles``, ``story_postings``, ``story_df``, ``story_state`` (version 3) — the stories,
  each article's story (or why it was left out), and the online clusterer's index: postings of rare terms and
  entities over stories, document frequencies, counters (:mod:`sourcetrace.stories.storage`).
* ``store_info`` and ``schema_migrations`` — what the file is and which migrations made it. ``PRAGMA
  application_id`` marks the file as a sourcetrace store and ``PRAGMA user_version`` holds its schema version.

A file that is not a sourcetrace store, or one written by a newer schema, is refused before anything is
written to it.
"""

from __future__ import annotations

import datetime
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sourcetrace.corpus.store_errors import describe, not_writable, read_only_error
from sourcetrace.errors import StoreError

APPLICATION_ID = 0x53524354  # "SRCT"
SCHEMA_VERSION = 3
DEFAULT_DB = "sourcetrace.db"
DB_ENV = "SOURCETRACE_DB"
_SQLITE_MAGIC = b"SQLite format 3\x00"


_MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "initial corpus schema: articles, attributions, outlet links, inputs, full-text index", """
CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    external_id TEXT,
    url TEXT,
    url_key TEXT UNIQUE,
    content_hash TEXT NOT NULL UNIQUE,
    title TEXT,
    byline TEXT,
    site TEXT,
    outlet TEXT,
    published TEXT,
    date_source TEXT,
    crawl_date TEXT,
    input_format TEXT NOT NULL,
    origin TEXT NOT NULL,
    added_at TEXT NOT NULL,
    analyzed_at TEXT NOT NULL,
    sourcetrace_version TEXT NOT NULL,
    report_schema TEXT NOT NULL,
    n_sentences INTEGER NOT NULL,
    n_attributions INTEGER NOT NULL,
    n_entities INTEGER NOT NULL,
    text TEXT NOT NULL,
    speakers TEXT NOT NULL,
    contents TEXT NOT NULL,
    report BLOB NOT NULL
);
CREATE INDEX articles_external_id ON articles (external_id);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_version ON articles (sourcetrace_version, report_schema);
CREATE TABLE attributions (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    attribution_id TEXT NOT NULL,
    speaker TEXT,
    speaker_key TEXT,
    speaker_type TEXT,
    anonymous INTEGER NOT NULL,
    cue TEXT NOT NULL,
    kind TEXT NOT NULL,
    conduits TEXT NOT NULL,
    PRIMARY KEY (article_id, attribution_id)
) WITHOUT ROWID;
CREATE INDEX attributions_speaker ON attributions (speaker_key);
CREATE TABLE outlet_links (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    registry_id TEXT,
    roles TEXT NOT NULL,
    labels TEXT NOT NULL,
    country TEXT,
    PRIMARY KEY (article_id, position)
) WITHOUT ROWID;
CREATE INDEX outlet_links_registry ON outlet_links (registry_id);
CREATE TABLE inputs (
    origin TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('stored', 'duplicate', 'error')),
    article_id INTEGER,
    error_kind TEXT,
    reason TEXT,
    at TEXT NOT NULL
);
CREATE INDEX inputs_status ON inputs (status);
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, text, speakers, contents,
    content = 'articles', content_rowid = 'id', tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, text, speakers, contents)
    VALUES (new.id, new.title, new.text, new.speakers, new.contents);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text, speakers, contents)
    VALUES ('delete', old.id, old.title, old.text, old.speakers, old.contents);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text, speakers, contents ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text, speakers, contents)
    VALUES ('delete', old.id, old.title, old.text, old.speakers, old.contents);
    INSERT INTO articles_fts (rowid, title, text, speakers, contents)
    VALUES (new.id, new.title, new.text, new.speakers, new.contents);
END;
"""),
    # issue 23, copied passages (sourcetrace.stories.reuse): which articles the reuse index holds, its n-gram
    # postings, and the aligned passage pairs with their kind and credit
    (2, "copied passages: reuse index, postings and passage pairs", """
CREATE TABLE reuse_articles (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('indexed', 'excluded')),
    reason TEXT,
    n_words INTEGER NOT NULL,
    method TEXT NOT NULL,
    indexed_at TEXT NOT NULL
);
CREATE TABLE reuse_postings (
    hash INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (hash, article_id)
) WITHOUT ROWID;
CREATE TABLE reuse_passages (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    target_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    source_start INTEGER NOT NULL,
    source_end INTEGER NOT NULL,
    target_start INTEGER NOT NULL,
    target_end INTEGER NOT NULL,
    words INTEGER NOT NULL,
    similarity REAL NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('copy', 'shared_quote', 'boilerplate')),
    credited INTEGER NOT NULL,
    credit_name TEXT,
    credit_start INTEGER,
    credit_end INTEGER,
    dated INTEGER NOT NULL
);
CREATE INDEX reuse_passages_target ON reuse_passages (target_id);
CREATE INDEX reuse_passages_source ON reuse_passages (source_id);
"""),
    # issue 23, stories (sourcetrace.stories.storage): the stories with their centroids, each article's story,
    # and the online clusterer's index, updated article by article
    (3, "stories: stories, article assignments, term postings and document frequencies", """
CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    n_articles INTEGER NOT NULL,
    oldest REAL,
    newest REAL,
    first_date TEXT,
    last_date TEXT,
    centroid BLOB NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX stories_newest ON stories (newest);
CREATE TABLE story_articles (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    story_id INTEGER,
    status TEXT NOT NULL CHECK (status IN ('opened', 'joined', 'excluded')),
    probability REAL,
    reason TEXT,
    assigned_at TEXT NOT NULL
);
CREATE INDEX story_articles_story ON story_articles (story_id);
CREATE TABLE story_postings (
    term TEXT NOT NULL,
    story_id INTEGER NOT NULL,
    PRIMARY KEY (term, story_id)
) WITHOUT ROWID;
CREATE TABLE story_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE story_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""),
]
assert _MIGRATIONS[-1][0] == SCHEMA_VERSION


def default_path() -> Path:
    """``$SOURCETRACE_DB`` when set, else ``sourcetrace.db`` in the working directory."""
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ArticleRow:
    """Everything stored for one analysed article (built by the worker that analysed it)."""

    external_id: str | None
    url: str | None
    url_key: str | None
    content_hash: str
    title: str | None
    byline: str | None
    site: str | None
    outlet: str | None
    published: str | None
    date_source: str | None
    crawl_date: str | None
    input_format: str
    origin: str
    sourcetrace_version: str
    report_schema: str
    n_sentences: int
    n_attributions: int
    n_entities: int
    text: str
    speakers: str
    contents: str
    report: bytes
    attributions: Sequence[tuple[str, str | None, str | None, str | None, int, str, str, str]]
    outlets: Sequence[tuple[str, str | None, str, str, str | None]]


_ARTICLE_COLUMNS = (
    "external_id", "url", "url_key", "content_hash", "title", "byline", "site", "outlet", "published", "date_source",
    "crawl_date", "input_format", "origin", "sourcetrace_version", "report_schema", "n_sentences",
    "n_attributions", "n_entities", "text", "speakers", "contents", "report",
)


def check_store_file(path: Path) -> None:
    """Raise StoreError unless ``path`` is absent, empty, or a sourcetrace store this version can read.

    Nothing is written: the header is read as bytes and the SQLite pragmas through a read-only connection.
    """
    if not path.exists():
        return
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a sourcetrace store file")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError as error:
        raise StoreError(f"cannot read {path}: {(error.strerror or str(error)).lower()}") from None
    if not head:
        return  # an empty file: a new store
    if head != _SQLITE_MAGIC:
        raise StoreError(f"{path} is not a sourcetrace store (not an SQLite database); it was left untouched — "
                         "give another --db path")
    try:
        connection = connect(path, read_only=True)
        try:
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            user_version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorname", "").startswith("SQLITE_CORRUPT"):
            raise describe(error, path) from None  # a store with a damaged page: say so, and what to do
        raise StoreError(f"{path} cannot be read as a sourcetrace store ({error}); it was left untouched") from None
    if application_id != APPLICATION_ID and not (application_id == 0 and tables == 0):
        raise StoreError(f"{path} is an SQLite database but not a sourcetrace store; it was left untouched — "
                         "give another --db path")
    if user_version > SCHEMA_VERSION:
        raise StoreError(f"{path} was written by a newer sourcetrace (store schema {user_version}; this version "
                         f"reads up to {SCHEMA_VERSION}); it was left untouched — upgrade sourcetrace to use it")


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys on."""
    if read_only:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                     check_same_thread=False)
        try:
            connection.execute("PRAGMA user_version").fetchone()
        except sqlite3.OperationalError as error:
            # a WAL store in a read-only folder or file system, closed cleanly: SQLite cannot create the shared
            # memory file (-shm) a WAL reader needs. No process can write the file there either, so it is read
            # as immutable (no locks, no WAL: everything committed is in the file once the last writer closed)
            connection.close()
            # (a read-only file system says SQLITE_CANTOPEN; a read-only folder SQLITE_READONLY_CANTINIT)
            name = getattr(error, "sqlite_errorname", "")
            if not name.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY")) or not not_writable(path):
                raise
            wal = path.with_name(path.name + "-wal")
            if wal.exists() and wal.stat().st_size:
                # read as immutable, the file would look as it was before those last transactions
                raise StoreError(f"{path} has transactions still in its write-ahead log ({wal.name}), which SQLite "
                                 "cannot read where the folder is read-only: open the store once where its folder "
                                 "is writable (any sourcetrace corpus command will do), then read it here",
                                 sqlite_error=name) from None
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                         isolation_level=None, check_same_thread=False)
    else:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout = 30000")
    connection.execute("PRAGMA foreign_keys = ON")
    if not read_only:
        connection.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL: a killed process loses nothing committed; a power cut may lose the last transactions but
        # never leaves a half-written one
        connection.execute("PRAGMA synchronous = NORMAL")
    return connection


class Store:
    """An open corpus store. Use as a context manager or call :meth:`close`."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_path()
        check_store_file(self.path)
        if read_only and not self.path.exists():
            raise StoreError(f"no store at {self.path}: add articles first (sourcetrace corpus add …) or give --db")
        if not read_only and (reason := not_writable(self.path)):
            # said before SQLite tries: it would fail later, on the first write, with a vaguer message
            raise read_only_error(self.path, reason)
        connection: sqlite3.Connection | None = None
        try:
            connection = connect(self.path, read_only=read_only)
            self.connection = connection
            if not read_only:
                self._migrate()
        except sqlite3.Error as error:
            if connection is not None:
                connection.close()
            raise describe(error, self.path) from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    # ---- schema ---------------------------------------------------------------------------------------

    def _migrate(self) -> None:
        current = self.schema_version()
        for version, description, script in _MIGRATIONS:
            if version <= current:
                continue
            # one transaction per migration: a killed (or failed: a full disk) migration leaves the previous
            # version intact
            try:
                self.connection.executescript(
                    "BEGIN IMMEDIATE;\n" + script + "\n"
                    f"PRAGMA application_id = {APPLICATION_ID};\n"
                    f"PRAGMA user_version = {version};\n"
                    f"INSERT INTO schema_migrations VALUES ({version}, {_quote(description)}, {_quote(now())});\n"
                    + ("INSERT INTO store_info VALUES ('format', 'sourcetrace corpus store'), "
                       f"('created_at', {_quote(now())});\n" if version == 1 else "")
                    + "COMMIT;"
                )
            except sqlite3.Error:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise

    def schema_version(self) -> int:
        return int(self.connection.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything in the block is stored, or (on any error, a kill, a full disk)
        nothing is. Inside another one (a stories rebuild) it is a savepoint of it: the block still fails
        alone, and nothing is stored before the outer transaction commits. SQLite's failures leave as a
        :class:`StoreError` that says what happened."""
        undo: tuple[str, ...]
        if self.connection.in_transaction:
            begin, commit, undo = "SAVEPOINT nested", "RELEASE nested", ("ROLLBACK TO nested", "RELEASE nested")
        else:
            begin, commit, undo = "BEGIN IMMEDIATE", "COMMIT", ("ROLLBACK",)
        try:
            self.connection.execute(begin)
            try:
                yield self.connection
                self.connection.execute(commit)
            except BaseException:
                # SQLite rolls some failures back itself (SQLITE_FULL: the whole transaction), and a second
                # ROLLBACK would hide the first error behind "no transaction is active"
                if self.connection.in_transaction:
                    with suppress(sqlite3.Error):  # the error that brought us here is the one to report
                        for statement in undo:
                            self.connection.execute(statement)
                raise
        except sqlite3.Error as error:
            raise describe(error, self.path) from None

    # ---- writing --------------------------------------------------------------------------------------

    def seen(self, origin: str) -> bool:
        """Whether this input was already handled (stored, duplicate or refused) by an earlier run."""
        return self.connection.execute("SELECT 1 FROM inputs WHERE origin = ?", (origin,)).fetchone() is not None

    def find_existing(self, content_hash: str | None, url_key: str | None) -> int | None:
        """The id of a stored article with this content hash or URL key, if any."""
        row = self.connection.execute(
            "SELECT id FROM articles WHERE content_hash = ? OR (url_key IS NOT NULL AND url_key = ?) LIMIT 1",
            (content_hash, url_key)).fetchone()
        return int(row[0]) if row else None

    def add_article(self, row: ArticleRow) -> tuple[int, bool]:
        """Store one article and its input record in one transaction: (article id, True) or, when an article
        with the same content hash or URL is already stored, (its id, False)."""
        with self.transaction() as db:
            existing = self.find_existing(row.content_hash, row.url_key)
            if existing is not None:
                self._record_input(db, row.origin, "duplicate", existing)
                return existing, False
            stamp = now()
            values = [getattr(row, column) for column in _ARTICLE_COLUMNS]
            cursor = db.execute(
                f"INSERT INTO articles ({', '.join(_ARTICLE_COLUMNS)}, added_at, analyzed_at) "
                f"VALUES ({', '.join('?' * len(_ARTICLE_COLUMNS))}, ?, ?)", [*values, stamp, stamp])
            article_id = int(cursor.lastrowid or 0)
            self._insert_details(db, article_id, row)
            self._record_input(db, row.origin, "stored", article_id)
            return article_id, True

    def replace_report(self, article_id: int, row: ArticleRow) -> None:
        """Replace an article's analysis (re-analysis with a newer sourcetrace), in one transaction."""
        columns = [c for c in _ARTICLE_COLUMNS if c not in ("origin", "content_hash", "url_key", "external_id",
                                                             "crawl_date", "outlet")]
        with self.transaction() as db:
            db.execute(f"UPDATE articles SET {', '.join(f'{c} = ?' for c in columns)}, analyzed_at = ? WHERE id = ?",
                       [*(getattr(row, c) for c in columns), now(), article_id])
            db.execute("DELETE FROM attributions WHERE article_id = ?", (article_id,))
            db.execute("DELETE FROM outlet_links WHERE article_id = ?", (article_id,))
            self._insert_details(db, article_id, row)

    def record_duplicate(self, origin: str, article_id: int) -> None:
        with self.transaction() as db:
            self._record_input(db, origin, "duplicate", article_id)

    def record_error(self, origin: str, kind: str, reason: str) -> None:
        with self.transaction() as db:
            self._record_input(db, origin, "error", None, kind, reason)

    def forget_errors(self) -> int:
        """Drop the recorded refusals so that the next run tries those inputs again; returns how many."""
        with self.transaction() as db:
            return db.execute("DELETE FROM inputs WHERE status = 'error'").rowcount

    @staticmethod
    def _insert_details(db: sqlite3.Connection, article_id: int, row: ArticleRow) -> None:
        db.executemany("INSERT OR REPLACE INTO attributions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [(article_id, *attribution) for attribution in row.attributions])
        db.executemany("INSERT INTO outlet_links VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(article_id, position, *outlet) for position, outlet in enumerate(row.outlets)])

    @staticmethod
    def _record_input(db: sqlite3.Connection, origin: str, status: str, article_id: int | None,
                      kind: str | None = None, reason: str | None = None) -> None:
        # an input once stored stays stored: two runs racing over the same input must not turn it into a
        # "duplicate" of itself
        db.execute("INSERT INTO inputs VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET "
                   "status = excluded.status, article_id = excluded.article_id, error_kind = excluded.error_kind, "
                   "reason = excluded.reason, at = excluded.at WHERE inputs.status != 'stored'",
                   (origin, status, article_id, kind, reason, now()))

    # ---- reading --------------------------------------------------------------------------------------

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        cursor = self.connection.execute(sql, parameters)
        cursor.row_factory = sqlite3.Row
        return list(cursor.fetchall())

    def count(self, table: str, where: str = "", parameters: Sequence[Any] = ()) -> int:
        sql = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")
        return int(self.connection.execute(sql, parameters).fetchone()[0])

    def integrity_check(self) -> str:
        return str(self.connection.execute("PRAGMA integrity_check").fetchone()[0])


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
