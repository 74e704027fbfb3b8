"""The local engine: the stage functions in this process (one worker) or in a pool of forked worker processes.

Each worker process runs the warm-up once at start (the pool's initializer: the models load once per process,
through :func:`~sourcetrace.corpus.engine.partitions.process_cache`), then takes partitions. """

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from sourcetrace.corpus.engine import Engine, StageFunction, Warmup
from sourcetrace.corpus.engine.partitions import Partition, ShardResult
from sourcetrace.corpus.runner import default_workers


def _initialize(warm: Warmup | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle
    if warm is not None:
        warm()


class LocalEngine(Engine):
    kind = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._pool: ProcessPoolExecutor | None = None

    def start(self, warm: Warmup | None = None) -> list[dict[str, Any]]:
        """Start the pool once; its processes run the first stage's warm-up as they start. A later stage's models
        load on its first partition instead (through the same per-process cache)."""
        if self._pool is not None:
            return []
        if self.workers <= 1:
            return [warm()] if warm else []
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_initialize, initargs=(warm,))
        # start every process now (the initializer loads the models), before the caller starts any thread
        list(self._pool.map(_pid, range(self.workers)))
        return []

    def map(self, fn: StageFunction, partitions: Iterable[Partition[Any]],
            *args: Any) -> Iterator[tuple[int, ShardResult]]:
        if self._pool is None:
            for partition in partitions:
                yield partition.index, fn(partition, *args)
            return
        pending: dict[Future[ShardResult], int] = {}
        for partition in partitions:
            pending[self._pool.submit(fn, partition, *args)] = partition.index
            while len(pending) >= 2 * self.workers:
                yield from _drain(pending)
        while pending:
            yield from _drain(pending)

    def close(self) -> None:
        if self._pool is not None:
            processes = list(getattr(self._pool, "_processes", {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            self._pool = None


def _pid(_: int) -> int:
    import os

    return os.getpid()


def _drain(pending: dict[Future[ShardResult], int]) -> Iterator[tuple[int, ShardResult]]:
    done, _ = wait(pending, return_when=FIRST_COMPLETED)
    for future in done:
        yield pending.pop(future), future.result()
