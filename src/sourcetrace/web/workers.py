"""A pool of analysis worker processes for the web app, each with its own loaded pipeline.

One long article must not hold everyone else's: every analysis runs in a worker process of its own, at most
``workers`` at a time, and a request that waits too long for a free worker is answered 503 (:class:`ServerBusy`)
while one whose analysis runs over the time limit is answered 504 (:class:`AnalysisTimeout`). A worker over the
limit is killed (a running spaCy parse cannot be interrupted any other way) and a fresh one takes its place,
loading the models in the background; until it is ready the pool has one worker fewer.

Processes are started with ``spawn``: the web server has threads running, and forking a process with threads
is unsafe. Each worker loads the models itself (a few seconds, a few hundred MB each).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from sourcetrace.errors import SourcetraceError
from sourcetrace.models import Article, Report

START_TIMEOUT = 300.0  # seconds a new worker may take to load its models


class ServerBusy(SourcetraceError):
    """Every worker is busy and the request waited too long, or too many wait already (answered 503)."""


class AnalysisTimeout(SourcetraceError):
    """The analysis ran over the server's time limit and was stopped (answered 504)."""


class WorkerFailed(SourcetraceError):
    """A worker process died or could not start (answered 500)."""


def _work(connection: Connection, options: dict[str, Any]) -> None:
    """The worker's loop: load a pipeline, then analyse one article per message until told to stop."""
    from sourcetrace.article.pipeline import Pipeline

    try:
        pipeline = Pipeline(**options)
        pipeline.analyze("Warm-up.\n\nThe minister said the talks would resume on Monday.")
    except Exception as error:  # reported to the parent, which refuses to start
        connection.send(("failed", f"{error.__class__.__name__}: {error}"))
        return
    connection.send(("ready", None))
    while True:
        try:
            message = connection.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if message is None:
            return
        article, as_json = message
        try:
            report = pipeline.analyze_article(article)
            connection.send(("ok", report.model_dump_json() if as_json else report))
        except SourcetraceError as error:
            connection.send(("error", error))
        except Exception as error:  # a bug: the parent answers 500 and the worker carries on
            connection.send(("bug", error.__class__.__name__))


@dataclass(eq=False)  # compared and hashed by identity
class _Worker:
    process: BaseProcess
    connection: Connection


class WorkerPool:
    """``workers`` processes, a per-analysis ``time_limit`` (seconds), and how long a request may wait for a
    free worker (``queue_wait`` seconds) or how many may wait at once (``backlog``) before it is answered 503."""

    def __init__(self, workers: int, *, time_limit: float, queue_wait: float, backlog: int | None = None,
                 options: dict[str, Any] | None = None) -> None:
        if workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.workers, self.time_limit, self.queue_wait = workers, time_limit, queue_wait
        self.backlog = backlog if backlog is not None else 8 * workers
        self.options = options or {}
        self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting = 0
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    # ---- starting and stopping -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every worker and wait until all have loaded their models."""
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        started = await asyncio.gather(*(asyncio.to_thread(self._spawn) for _ in range(self.workers)))
        for worker in started:
            self._idle.put_nowait(worker)

    def _spawn(self) -> _Worker:
        """Start one worker process and wait (blocking) until it is ready."""
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_work, args=(child, self.options), daemon=True,
                                        name="sourcetrace-worker")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        try:
            if not parent.poll(START_TIMEOUT):
                raise WorkerFailed(f"an analysis worker did not load its models within {START_TIMEOUT:.0f} s")
            kind, detail = parent.recv()
        except EOFError:
            kind, detail = "failed", "the process exited"
        if kind != "ready":
            self._stop(worker)
            raise WorkerFailed(f"an analysis worker could not start ({detail})")
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Stop ``worker`` and start another, in a background thread; the new one joins the idle queue when ready."""

        def respawn() -> None:
            self._stop(worker)
            if self._closed:
                return
            try:
                fresh = self._spawn()
            except WorkerFailed:
                return  # the pool stays a worker short; the server log has the process's own error
            if self._closed or self._loop is None or self._idle is None:
                self._stop(fresh)
                return
            self._loop.call_soon_threadsafe(self._idle.put_nowait, fresh)

        threading.Thread(target=respawn, name="sourcetrace-respawn", daemon=True).start()

    def _stop(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.connection.close()

    def close(self) -> None:
        """Stop every worker (idle or busy)."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            with contextlib.suppress(OSError, ValueError):
                worker.connection.send(None)
            worker.process.join(2)
            self._stop(worker)

    # ---- running an analysis ---------------------------------------------------------------------------

    async def analyze(self, article: Article, *, as_json: bool) -> Report | str:
        """The report (or its JSON when ``as_json``) from the next free worker, within the limits."""
        assert self._idle is not None, "start() the pool first"
        if self._waiting >= self.backlog:
            raise ServerBusy(self._busy_message(f"{self._waiting} requests are already waiting"))
        self._waiting += 1
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=self.queue_wait)
        except TimeoutError:
            raise ServerBusy(self._busy_message(f"no worker came free within {self.queue_wait:g} s")) from None
        finally:
            self._waiting -= 1
        try:
            result = await asyncio.to_thread(self._run, worker, article, as_json)
        except (AnalysisTimeout, WorkerFailed):
            self._replace(worker)
            raise
        except (SourcetraceError, WorkerBug):  # the input's fault, or a bug: the worker itself is fine
            self._idle.put_nowait(worker)
            raise
        except BaseException:  # cancelled mid-analysis: its answer would reach the next request, so replace it
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        return result

    def _run(self, worker: _Worker, article: Article, as_json: bool) -> Report | str:
        """Send the article to ``worker`` and wait (blocking) for its answer, at most the time limit."""
        try:
            worker.connection.send((article, as_json))
            if not worker.connection.poll(self.time_limit):
                raise AnalysisTimeout(
                    f"the analysis took longer than this server's limit of {self.time_limit:g} s per request "
                    f"and was stopped (the text has {len(article.text):,} characters); send a shorter text, or "
                    "run `sourcetrace analyze` on your own machine, which has no time limit")
            kind, payload = worker.connection.recv()
        except (EOFError, OSError) as error:
            raise WorkerFailed(f"the analysis worker stopped unexpectedly ({error.__class__.__name__}); "
                               "try again") from None
        if kind == "ok":
            result: Report | str = payload
            return result
        if kind == "error":
            raise payload
        raise WorkerBug(payload)

    def _busy_message(self, why: str) -> str:
        return (f"the server is busy: all {self.workers} analysis workers are in use and {why}; "
                "try again in a minute")


class WorkerBug(Exception):
    """An unexpected exception inside a worker (``name`` is its class); the worker goes back to the pool."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name
