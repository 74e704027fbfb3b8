"""The engine options of the heavy ``sourcetrace corpus`` commands, and ``corpus attach DIR``.

``--engine local|dask`` (default ``local``: the embedded, serverless runner, unchanged), ``--scheduler
tcp://HOST:PORT`` (or ``$SOURCETRACE_DASK_SCHEDULER``; none: a LocalCluster here), ``--work-dir`` (the Parquet
shards; default ``STORE.work`` beside the store), ``--partition-mb`` and ``--worker-memory`` (LocalCluster only).
The commands (``corpus add``, ``corpus reuse``, ``corpus stories``) import these and call :func:`engine_for`;
claims and stance (issue 24) can take the same options and run their per-article work through
:func:`sourcetrace.corpus.engine.partitions.run_partition` on the engine this returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from sourcetrace.cli_support import DbOption, errors_as_messages
from sourcetrace.corpus.engine import SCHEDULER_ENV, Engine, EngineError, EngineKind, open_engine, scheduler_address
from sourcetrace.corpus.engine.partitions import DEFAULT_PARTITION_MB

EngineOption = Annotated[EngineKind, typer.Option(
    "--engine", help="local: this machine's processes, no server (default); dask: a Dask cluster (--scheduler, "
    f"${SCHEDULER_ENV}) or, without one, a LocalCluster here. See docs/scaling.md.")]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help=f"The Dask scheduler, tcp://HOST:PORT (default ${SCHEDULER_ENV}; none: a LocalCluster).")]
WorkDirOption = Annotated[Path | None, typer.Option(
    "--work-dir", help="Where --engine dask keeps its Parquet shards (default: STORE.work beside the store); on a "
    "cluster, a directory every worker and this machine share.")]
PartitionOption = Annotated[float, typer.Option(
    "--partition-mb", min=0.001, help="Text per partition, in MB (--engine dask).")]
WorkerMemoryOption = Annotated[str | None, typer.Option(
    "--worker-memory", help="Memory limit of each LocalCluster worker, e.g. 2GiB (default: this machine's memory "
    "shared out).")]


def check_options(kind: EngineKind, scheduler: str | None) -> None:
    if kind is EngineKind.local and scheduler:
        raise EngineError("--scheduler is for --engine dask: add --engine dask, or drop --scheduler")


def work_dir_for(db_path: Path, work_dir: Path | None) -> Path:
    return work_dir or db_path.with_name(db_path.name + ".work")


def engine_for(kind: EngineKind, *, scheduler: str | None, workers: int | None = None,
               worker_memory: str | None = None, learned: bool = True) -> Engine:
    check_options(kind, scheduler)
    # ``learned``: the memory check's need depends on whether the tagger loads
    return open_engine(kind, workers=workers, scheduler=scheduler, memory_per_worker=worker_memory, learned=learned)


def add_job(corpus: Any, sources: Sequence[Path], urls: Sequence[Path], *, kind: EngineKind, scheduler: str | None,
            work_dir: Path | None, partition_mb: float, worker_memory: str | None, allow_private: bool,
            host_delay: float, tally: Any, time_limit: float) -> Callable[..., Any]:
    """``corpus add --engine dask``: the job the command's progress display runs (same signature as
    :meth:`Corpus.add`'s)."""
    from sourcetrace.corpus.engine.analysis import ingest_leftovers, run_add
    from sourcetrace.corpus.fetching import fetched
    from sourcetrace.corpus.runner import RunSummary, nonempty, unseen
    from sourcetrace.corpus.sources import iter_inputs

    def job(*, workers: int | None = None, learned: bool = True, advance: Callable[[int], None] | None = None,
            on_ready: Callable[[], None] | None = None) -> RunSummary:
        before = RunSummary()
        pending = nonempty(unseen(corpus.store, iter_inputs(list(sources), url_lists=list(urls), tally=tally),
                                  before))
        folder = work_dir_for(corpus.path, work_dir)
        if pending is None:  # nothing new: only shards an interrupted run left unstored, if any
            ingest_leftovers(corpus.store, folder, before, advance or (lambda n: None))
            return before
        items = fetched(pending, allow_private=allow_private, host_delay=host_delay)
        with engine_for(kind, scheduler=scheduler, workers=workers, worker_memory=worker_memory,
                        learned=learned) as engine:
            summary = run_add(corpus.store, items, engine, folder, learned=learned, time_limit=time_limit,
                              partition_mb=partition_mb, advance=advance, on_ready=on_ready)
        summary.skipped += before.skipped
        summary.duplicates += before.duplicates
        return summary

    return job


def run_reuse_on(db: Path | None, kind: EngineKind, scheduler: str | None, work_dir: Path | None,
                 partition_mb: float, worker_memory: str | None) -> None:
    """``corpus reuse --engine dask``: bring the index up to date on the engine first."""
    check_options(kind, scheduler)
    if kind is EngineKind.local:
        return
    from sourcetrace.corpus.api import Corpus
    from sourcetrace.corpus.engine.reuse import run_reuse

    with Corpus(db) as corpus, engine_for(kind, scheduler=scheduler, worker_memory=worker_memory,
                                          learned=False) as engine:
        summary = run_reuse(corpus.store, engine, work_dir_for(corpus.path, work_dir), partition_mb=partition_mb)
        if summary.indexed or summary.excluded:
            Console(stderr=True).print(
                f"{engine.describe()}: indexed {summary.indexed:,} articles ({summary.excluded:,} excluded), "
                f"{summary.candidate_pairs:,} candidate pairs, {summary.passages:,} passages in "
                f"{summary.seconds:.1f} s",
                highlight=False, soft_wrap=True)


def run_stories_on(db: Path | None, kind: EngineKind, scheduler: str | None, work_dir: Path | None,
                   partition_mb: float, worker_memory: str | None, *, window_days: float | None,
                   rebuild: bool) -> None:
    """``corpus stories --engine dask``: place the new articles, their terms computed on the engine."""
    check_options(kind, scheduler)
    if kind is EngineKind.local:
        return
    from sourcetrace.corpus.api import Corpus
    from sourcetrace.corpus.engine.stories import run_stories
    from sourcetrace.stories.stories_cli import run_summary

    with Corpus(db) as corpus, engine_for(kind, scheduler=scheduler, worker_memory=worker_memory,
                                          learned=False) as engine:
        run = run_stories(corpus.store, engine, work_dir_for(corpus.path, work_dir), window_days=window_days,
                          rebuild=rebuild, partition_mb=partition_mb)
        Console(stderr=True).print(f"{engine.describe()}: {run_summary(run)}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``corpus attach`` to the ``corpus`` command group."""

    @app.command("attach")
    @errors_as_messages
    def attach(
        folder: Annotated[Path, typer.Argument(help="A --work-dir of `corpus add --engine dask` (or its analysis/ "
                                               "folder), e.g. copied from a cluster.")],
        db: DbOption = None,
    ) -> None:
        """Store the analysed articles of a Parquet shard directory (each once: attaching twice adds nothing)."""
        from sourcetrace.corpus.api import Corpus
        from sourcetrace.corpus.engine.analysis import attach as attach_shards

        if not folder.is_dir():
            raise EngineError(f"{folder} is not a directory: give the --work-dir of a `corpus add --engine dask` run")
        with Corpus(db) as corpus:
            summary = attach_shards(corpus.store, folder)
            total = len(corpus)
        Console(stderr=True).print(
            f"stored {summary.stored:,} articles, {summary.duplicates:,} duplicates, {summary.errors:,} refused, "
            f"{summary.skipped:,} already recorded → {corpus.path} ({total:,} articles in all)", highlight=False)


__all__ = ["DEFAULT_PARTITION_MB", "EngineOption", "PartitionOption", "SchedulerOption", "WorkDirOption",
           "WorkerMemoryOption", "add_job", "register", "run_reuse_on", "run_stories_on", "scheduler_address"]
