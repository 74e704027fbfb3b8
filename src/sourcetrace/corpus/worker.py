"""One worker's job: a task in, an :class:`Outcome` out (a store row, a duplicate, or a one-line error).

A worker process loads one :class:`~sourcetrace.article.pipeline.Pipeline` at start and keeps it; it reads the store
(read-only, which WAL allows beside the writer) to skip an article already stored under the same content hash
or URL before spending an analysis on it. Only the main process writes. Every failure of one article is caught
here and becomes its error record: nothing an input contains stops the run.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sourcetrace.corpus import dates
from sourcetrace.corpus.records import Metadata, article_row, content_hash, decode_report, url_key
from sourcetrace.corpus.sources import Task
from sourcetrace.corpus.store import ArticleRow, connect
from sourcetrace.errors import FetchError, InputError, SourcetraceError, UnsupportedLanguageError
from sourcetrace.models import Article

if TYPE_CHECKING:
    from sourcetrace.article.pipeline import Pipeline


DEFAULT_TIME_LIMIT = 300.0  # seconds for one article; a 1,000,000-character text takes about a minute


class AnalysisTimeout(SourcetraceError):
    """One article's analysis ran past the time limit and was stopped."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop the analysis after ``seconds`` with :class:`AnalysisTimeout` (0: no limit). In a process's main thread
    by SIGALRM; in any other thread (a Dask worker runs its tasks in one) by an exception a timer thread raises in
    this one. Either way a loop in Python code is stopped, and a stall inside a C library when it returns to
    Python."""
    if seconds <= 0:
        yield
        return
    message = f"the analysis took longer than {seconds:g} s and was stopped (--time-limit)"
    if threading.current_thread() is not threading.main_thread():
        with _thread_time_limit(seconds, message):
            yield
        return

    def expired(signum: int, frame: object) -> None:
        raise AnalysisTimeout(message)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Expired(BaseException):
    """Raised into a thread whose time is up; a BaseException so that no ``except Exception`` on the way
    swallows it. Becomes :class:`AnalysisTimeout` at the limit's edge."""


@contextmanager
def _thread_time_limit(seconds: float, message: str) -> Iterator[None]:
    import ctypes

    target = threading.get_ident()
    raise_in = ctypes.pythonapi.PyThreadState_SetAsyncExc
    lock = threading.Lock()
    state = {"open": True, "fired": False}

    def expire() -> None:
        with lock:
            if state["open"]:
                state["fired"] = True
                raise_in(ctypes.c_ulong(target), ctypes.py_object(_Expired))

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        try:
            yield
        finally:
            with lock:  # from here on the timer raises nothing
                state["open"] = False
            timer.cancel()
            if state["fired"]:  # raised but not yet delivered (the thread was in C code): take it back
                raise_in(ctypes.c_ulong(target), None)
    except _Expired:
        raise AnalysisTimeout(message) from None


@dataclass(frozen=True)
class Outcome:
    """What became of one task. ``status``: ``analyzed`` (with ``row``), ``duplicate`` (of ``article_id``) or
    ``error`` (``kind`` and ``reason``). ``seconds`` is the worker's time on it."""

    origin: str
    status: str
    row: ArticleRow | None = None
    article_id: int | None = None
    kind: str | None = None
    reason: str | None = None
    seconds: float = 0.0


def error_kind(error: BaseException) -> str:
    if isinstance(error, AnalysisTimeout):
        return "timeout"
    if isinstance(error, UnsupportedLanguageError):
        return "language"
    if isinstance(error, InputError):
        return "input"
    if isinstance(error, FetchError):
        return "fetch"
    return "error" if isinstance(error, SourcetraceError) else "internal"


class Analyzer:
    """Turns tasks into outcomes with one pipeline; ``db_path`` is read for duplicates (None: no check)."""

    def __init__(self, db_path: Path | None, *, learned: bool = True,
                 connection: sqlite3.Connection | None = None, time_limit: float = DEFAULT_TIME_LIMIT) -> None:
        from sourcetrace import __version__

        self.version = __version__
        self.time_limit = time_limit
        self._learned = learned
        self._pipeline: Pipeline | None = None
        self._db_path = db_path
        self._connection = connection

    @property
    def pipeline(self) -> Pipeline:
        """Loaded on first use: a rerun with nothing left to do never loads the models."""
        if self._pipeline is None:
            from sourcetrace.article.pipeline import Pipeline

            self._pipeline = Pipeline(learned_attribution=self._learned)
        return self._pipeline

    def _existing(self, digest: str, key: str | None) -> int | None:
        if self._connection is None:
            if self._db_path is None or not self._db_path.exists():
                return None
            self._connection = connect(self._db_path, read_only=True)
        row = self._connection.execute(
            "SELECT id FROM articles WHERE content_hash = ? OR (url_key IS NOT NULL AND url_key = ?) LIMIT 1",
            (digest, key)).fetchone()
        return int(row[0]) if row else None

    def process(self, task: Task) -> Outcome:
        started = time.perf_counter()
        try:
            article, metadata = self._article(task)
            if task.article_id is None:
                existing = self._existing(content_hash(article.text), url_key(article.url))
                if existing is not None:
                    return Outcome(task.origin, "duplicate", article_id=existing,
                                   seconds=time.perf_counter() - started)
            with time_limit(self.time_limit):
                report = self.pipeline.analyze_article(article)
            row = article_row(report, metadata, origin=task.origin, version=self.version)
            return Outcome(task.origin, "analyzed", row=row, article_id=task.article_id,
                           seconds=time.perf_counter() - started)
        except SourcetraceError as error:
            return Outcome(task.origin, "error", article_id=task.article_id, kind=error_kind(error),
                           reason=_one_line(error), seconds=time.perf_counter() - started)
        except Exception as error:  # a bug on one odd article must not stop a run of a million
            return Outcome(task.origin, "error", article_id=task.article_id, kind="internal",
                           reason=f"internal error ({type(error).__name__}: {_one_line(error)}); please report it",
                           seconds=time.perf_counter() - started)

    def _article(self, task: Task) -> tuple[Article, Metadata]:
        from sourcetrace.article.ingest import (
            article_from_bytes,
            article_from_text,
            read_article_file,
            registered_domain,
        )

        site = registered_domain(task.outlet) if task.outlet and "." in task.outlet else None
        markup: str | None = None
        file_name: str | None = None
        if task.kind == "stored":
            return self._stored(task)
        if task.kind == "file":
            file_name = Path(task.path or "").name
            data = read_article_file(task.path or "")
            article = article_from_bytes(data, url=task.url, title=task.title, site=site)
            if article.input_format == "html":
                markup = data.decode("utf-8", "replace")
        elif task.kind == "text":
            article = article_from_text(task.text or "", url=task.url, title=task.title, site=site)
        elif task.kind in ("html", "bytes"):
            data = (task.text or "").encode("utf-8") if task.kind == "html" else (task.data or b"")
            content_type = "text/html; charset=utf-8" if task.kind == "html" else task.content_type
            article = article_from_bytes(data, url=task.url, content_type=content_type, title=task.title, site=site)
            if article.input_format == "html":
                markup = data.decode("utf-8", "replace")
        else:
            raise InputError(f"cannot analyse a task of kind {task.kind!r}")
        published, source = dates.resolve(field=task.date, html=markup, url=article.url, file_name=file_name,
                                          crawl_date=task.crawl_date)
        if markup is not None and source in ("url", "crawl_date", None) and article.date:
            published, source = dates.parse_date(article.date) or published, "html_metadata"
        if source != "crawl_date":
            article = article.model_copy(update={"date": published})
        metadata = Metadata(external_id=task.external_id, url=article.url, title=article.title, outlet=task.outlet,
                            published=published, date_source=source, crawl_date=task.crawl_date)
        return article, metadata

    def _stored(self, task: Task) -> tuple[Article, Metadata]:
        """A stored article, for re-analysis: its ingested article as stored, metadata unchanged."""
        if self._connection is None and self._db_path is not None:
            self._connection = connect(self._db_path, read_only=True)
        if self._connection is None:
            raise InputError("no store to re-analyse from")
        row = self._connection.execute(
            "SELECT text, report, external_id, outlet, published, date_source, crawl_date FROM articles "
            "WHERE id = ?", (task.article_id,)).fetchone()
        if row is None:
            raise InputError(f"article {task.article_id} is no longer in the store")
        article = decode_report(row[1], row[0]).article
        return article, Metadata(external_id=row[2], url=article.url, title=article.title, outlet=row[3],
                                 published=row[4], date_source=row[5], crawl_date=row[6])


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


# ---- the worker process ---------------------------------------------------------------------------------

_ANALYZER: list[Analyzer] = []


def start_worker(db_path: str | None, learned: bool, limit: float = DEFAULT_TIME_LIMIT) -> None:
    """Process-pool initializer: Ctrl-C is the main process's to handle; load the pipeline once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    analyzer = Analyzer(Path(db_path) if db_path else None, learned=learned, time_limit=limit)
    analyzer.pipeline  # noqa: B018  (load the models now, before the first article)
    _ANALYZER.append(analyzer)


def ready() -> int:
    return os.getpid()


def process(task: Task) -> Outcome:
    return _ANALYZER[0].process(task)


def peak_memory_bytes() -> int:
    """This process's peak resident memory (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
