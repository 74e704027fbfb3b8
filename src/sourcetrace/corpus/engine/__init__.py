"""Engines: where the corpus stages run — this machine's process pool (``local``) or a Dask cluster
(``dask``).

An engine does three things, the same way on both: it starts its workers and has each load what the stage
needs once (:meth:`Engine.start`), and it maps a stage function over partitions, yielding the results as they
complete (:meth:`Engine.map`). A shuffle is two such map stages over hash buckets (see :mod:`.reuse`), so it
too runs the same functions on both engines. The stage functions live in :mod:`.analysis`, :mod:`.reuse` and
:mod:`.stories`; the default ``sourcetrace corpus add`` path (:mod:`sourcetrace.corpus.runner`) is untouched.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from typing import Any, Self

from sourcetrace.corpus.engine.partitions import Partition, ShardResult
from sourcetrace.errors import SourcetraceError

SCHEDULER_ENV = "SOURCETRACE_DASK_SCHEDULER"


class EngineKind(StrEnum):
    local = "local"
    dask = "dask"


class EngineError(SourcetraceError):
    """The engine cannot run: a scheduler out of reach, workers without sourcetrace or its models, too little
    memory. The message names what to fix."""


StageFunction = Callable[..., ShardResult]
Warmup = Callable[[], dict[str, Any]]


class Engine(ABC):
    kind: str
    workers: int

    @abstractmethod
    def start(self, warm: Warmup | None = None) -> list[dict[str, Any]]:
        """Start the workers; each runs ``warm`` once (loads its models) and reports what it found."""

    @abstractmethod
    def map(self, fn: StageFunction, partitions: Iterable[Partition[Any]],
            *args: Any) -> Iterator[tuple[int, ShardResult]]:
        """``fn(partition, *args)`` for every partition, with at most a few per worker in flight (so inputs stream
        however large); yields ``(partition.index, result)`` in completion order."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self) -> str:
        return f"{self.kind} engine, {self.workers} worker{'s' * (self.workers != 1)}"


def scheduler_address(option: str | None) -> str | None:
    """``--scheduler`` else ``$SOURCETRACE_DASK_SCHEDULER``; None: start a LocalCluster."""
    value = option or os.environ.get(SCHEDULER_ENV)
    return value.strip() if value and value.strip() else None


def open_engine(kind: EngineKind | str, *, workers: int | None = None, scheduler: str | None = None,
                memory_per_worker: str | None = None, learned: bool = True) -> Engine:
    """An engine, not yet started. ``dask`` with no scheduler address starts a LocalCluster of ``workers``
    processes on this machine."""
    if EngineKind(kind) is EngineKind.local:
        from sourcetrace.corpus.engine.local import LocalEngine

        return LocalEngine(workers)
    from sourcetrace.corpus.engine.dask_engine import DaskEngine

    return DaskEngine(scheduler=scheduler_address(scheduler), workers=workers, memory_per_worker=memory_per_worker,
                      learned=learned)
