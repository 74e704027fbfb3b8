"""The parallel runner: tasks → worker processes (one pipeline each) → the store, resumable and interruptible.

* Workers: all cores by default; each process loads one pipeline once (fork, so the code is imported once).
  With one worker the analysis runs in this process, with no pool at all.
* Backpressure: at most ``3 × workers`` tasks are in flight, so inputs stream however large they are.
* One writer: only this process writes, one transaction per article (the article, its attributions, outlet
  links, full-text entry and input record together), so a kill at any moment leaves whole articles only.
* Resume: an input whose origin is already recorded (stored, duplicate or refused) is skipped before it is
  read; an article whose URL is already stored is not fetched again.
* Ctrl-C: the pool is told to stop, what was stored stays stored, and the summary says how to resume.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

from sourcetrace.corpus import worker
from sourcetrace.corpus.records import url_key
from sourcetrace.corpus.sources import Failure, Item, Task
from sourcetrace.corpus.store import Store


@dataclass
class RunSummary:
    stored: int = 0
    reanalyzed: int = 0
    duplicates: int = 0
    errors: int = 0
    skipped: int = 0  # already handled by an earlier run
    interrupted: bool = False
    seconds: float = 0.0
    analysis_seconds: float = 0.0  # the workers' time on the articles, summed
    store_seconds: float = 0.0  # this process's time writing them
    workers: int = 1
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def handled(self) -> int:
        return self.stored + self.reanalyzed + self.duplicates + self.errors


def default_workers() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


def unseen(store: Store, items: Iterable[Item], summary: RunSummary) -> Iterator[Item]:
    """The items no earlier run handled; a URL task whose URL is already stored is recorded as a duplicate."""
    for item in items:
        if store.seen(item.origin):
            summary.skipped += 1
            continue
        if isinstance(item, Task) and item.kind == "url":
            existing = store.find_existing(None, url_key(item.url))
            if existing is not None:
                store.record_duplicate(item.origin, existing)
                summary.duplicates += 1
                continue
        yield item


Progress = Callable[[int], None]


def nonempty(items: Iterable[Item]) -> Iterator[Item] | None:
    """``items`` again, or None when there are none: a finished run started again loads no models at all.
    Peek before the fetch stage, whose threads must not exist yet when the worker processes are forked."""
    iterator = iter(items)
    first = next(iterator, None)
    return None if first is None else itertools.chain([first], iterator)


def run(store: Store, items: Iterable[Item], *, workers: int | None = None, learned: bool = True,
        advance: Progress | None = None, on_ready: Callable[[], None] | None = None,
        time_limit: float = worker.DEFAULT_TIME_LIMIT) -> RunSummary:
    """Analyse and store every item; returns what happened. ``advance(n)`` is called as items are handled and
    ``on_ready()`` once the workers have loaded their pipelines (progress display hooks). The worker processes
    are forked before ``items`` is first read, so a lazy fetch stage starts its threads after that."""
    workers = workers or default_workers()
    summary = RunSummary(workers=workers)
    started = time.perf_counter()
    tick = advance or (lambda n: None)
    try:
        if workers <= 1:
            analyzer = worker.Analyzer(store.path, learned=learned, connection=store.connection,
                                       time_limit=time_limit)
            analyzer.pipeline  # noqa: B018  (load the models before the clock of the progress bar starts)
            if on_ready:
                on_ready()
            for item in items:
                outcome = analyzer.process(item) if isinstance(item, Task) else None
                _record(store, item, outcome, summary)
                tick(1)
        else:
            _run_pool(store, items, workers, learned, summary, tick, on_ready, time_limit)
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.seconds = time.perf_counter() - started
    return summary


def _run_pool(store: Store, items: Iterable[Item], workers: int, learned: bool, summary: RunSummary,
              tick: Progress, on_ready: Callable[[], None] | None, time_limit: float) -> None:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=worker.start_worker,
                                   initargs=(str(store.path), learned, time_limit))
    try:
        # start every worker (and load its pipeline) before any thread of ours exists: fork copies only the
        # calling thread, and a lock held by another one would stay held in the child
        for future in [executor.submit(worker.ready) for _ in range(workers)]:
            future.result()
        if on_ready:
            on_ready()
        pending: dict[Future[worker.Outcome], Task] = {}
        limit = 3 * workers
        for item in items:
            if isinstance(item, Failure):
                _record(store, item, None, summary)
                tick(1)
                continue
            pending[executor.submit(worker.process, item)] = item
            while len(pending) >= limit:
                _drain(store, pending, summary, tick)
        while pending:
            _drain(store, pending, summary, tick)
        executor.shutdown(wait=True)
    except BaseException:
        # Ctrl-C or an error: the articles in flight are dropped (a rerun analyses them again) and the workers
        # stopped now rather than after their current article, which might never end
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        raise


def _drain(store: Store, pending: dict[Future[worker.Outcome], Task], summary: RunSummary, tick: Progress) -> None:
    done, _ = wait(pending, return_when=FIRST_COMPLETED)
    for future in done:
        task = pending.pop(future)
        _record(store, task, future.result(), summary)
        tick(1)


def _record(store: Store, item: Item, outcome: worker.Outcome | None, summary: RunSummary) -> None:
    started = time.perf_counter()
    if isinstance(item, Failure):
        store.record_error(item.origin, item.kind, item.reason)
        summary.errors += 1
        summary.error_kinds[item.kind] = summary.error_kinds.get(item.kind, 0) + 1
    elif outcome is not None:
        summary.analysis_seconds += outcome.seconds
        if outcome.status == "analyzed" and outcome.row is not None:
            if item.kind == "stored" and outcome.article_id is not None:
                store.replace_report(outcome.article_id, outcome.row)
                summary.reanalyzed += 1
            elif store.add_article(outcome.row)[1]:
                summary.stored += 1
            else:
                summary.duplicates += 1
        elif outcome.status == "duplicate" and outcome.article_id is not None:
            store.record_duplicate(outcome.origin, outcome.article_id)
            summary.duplicates += 1
        elif item.kind == "stored":
            summary.errors += 1  # a stored article that no longer analyses keeps its old report
        else:
            store.record_error(outcome.origin, outcome.kind or "error", outcome.reason or "unknown error")
            summary.errors += 1
            kind = outcome.kind or "error"
            summary.error_kinds[kind] = summary.error_kinds.get(kind, 0) + 1
    summary.store_seconds += time.perf_counter() - started


def outdated_tasks(store: Store) -> Iterator[Task]:
    """A re-analysis task for every article whose report came from another sourcetrace or report schema."""
    from sourcetrace import __version__
    from sourcetrace.models import SCHEMA_VERSION

    rows = store.connection.execute(
        "SELECT id FROM articles WHERE sourcetrace_version != ? OR report_schema != ? ORDER BY id",
        (__version__, SCHEMA_VERSION)).fetchall()
    for (article_id,) in rows:
        yield Task(origin=f"reanalysis of article {article_id}", kind="stored", article_id=int(article_id))


def count_outdated(store: Store) -> int:
    from sourcetrace import __version__
    from sourcetrace.models import SCHEMA_VERSION

    return store.count("articles", "sourcetrace_version != ? OR report_schema != ?", (__version__, SCHEMA_VERSION))
