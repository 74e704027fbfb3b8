"""The Dask engine: the same stage functions on a ``dask.distributed`` cluster.

``--scheduler tcp://HOST:PORT`` (or ``$SOURCETRACE_DASK_SCHEDULER``) joins a running cluster (``dask scheduler``
and ``dask worker``, dask-jobqueue, Kubernetes); without one a ``LocalCluster`` of worker processes starts here.
Before any work the engine checks, and names what to fix when it cannot run: the scheduler answers, it has
workers, each worker has the memory a pipeline needs, and a probe task on every worker imports sourcetrace (the
same version as here) and loads the models — which also warms the worker's per-process cache, so no task pays
for it. Tasks carry partitions (texts and metadata), never models.

A worker that dies mid-run (killed, out of memory) loses its tasks; the scheduler runs them again on another
worker (up to ``distributed.scheduler.allowed-failures`` times), and because a partition's shard is written
whole or not at all and the driver stores each article once, the run completes with nothing twice. A shuffle is two
map stages over hash buckets through the work directory (:mod:`.reuse`): each bucket's rows meet on one worker
and no node holds the whole dataset.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import resource
import sys
import uuid
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from sourcetrace.corpus.engine import Engine, EngineError, StageFunction, Warmup
from sourcetrace.corpus.engine.partitions import Partition, ShardResult
from sourcetrace.corpus.runner import default_workers

CONNECT_TIMEOUT_S = 10  # to reach the scheduler
WORKER_WAIT_S = 30  # for a first worker to join a scheduler that has none
PROBE_TIMEOUT_S = 300  # a worker's import and model load (a cold disk, a slow node)
MIB = 1 << 20
# memory a worker process needs: the pipeline measured at 355 MiB resident with the learned tagger (254 MiB rules
# only) after three 16,000-character articles, plus the Dask worker itself (~120 MiB) and room for a long article
# and a partition's rows; below this a worker would be paused or killed by its own memory limit (docs/scaling.md)
MIN_WORKER_MEMORY = {True: 1024 * MIB, False: 768 * MIB}


# Dask's housekeeping, measured idle on a 2-worker LocalCluster here: 2.05 CPU s per 20 s with the defaults, 0.51
# with these — the statistical profiler sampling every thread's stack each 10 ms (deep spaCy stacks: costly, and
# only for the dashboard), the event-loop watchdog ticking every 20 ms, the dashboard's system monitor every 0.5 s
QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
}


# Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also fixes glibc's mmap threshold at 128 KiB:
# every large array spaCy and ONNX Runtime free goes back to the system and is mapped again on the next article.
# Measured on 40 PolNeAR texts in one worker: 16.4 s against 14.8 s in-process (+10 %); with these thresholds (the
# top of glibc's own dynamic range) the worker runs as fast as in-process. Applied in every worker's start-up probe,
# so it holds for `dask worker` clusters too.
MALLOC_TRIM_THRESHOLD = 64 * MIB
MALLOC_MMAP_THRESHOLD = 32 * MIB
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters, from glibc's malloc.h


def roomy_malloc() -> bool:
    """Undo the nanny's small malloc trim threshold in this worker process (glibc only); True when changed."""
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or not sys.platform.startswith("linux"):
        return False
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_TRIM_THRESHOLD, MALLOC_TRIM_THRESHOLD)
                    and libc.mallopt(_M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): nothing to undo
        return False


def _mib(value: int) -> str:
    return f"{value / MIB:,.0f} MiB" if value < 4096 * MIB else f"{value / 1024 / MIB:,.1f} GiB"


def probe(expected_version: str, warm: Warmup | None) -> dict[str, Any]:
    """Run on each worker at start: which sourcetrace it has, and whether it loads the models (which it then
    keeps, warm). Returns what it found; ``problem`` says what is wrong."""
    import sourcetrace

    found: dict[str, Any] = {"version": sourcetrace.__version__, "pid": os.getpid(),
                             "python": sys.version.split()[0], "roomy_malloc": roomy_malloc()}
    if sourcetrace.__version__ != expected_version:
        found["problem"] = (f"runs sourcetrace {sourcetrace.__version__}, this machine {expected_version}: install "
                            f"sourcetrace=={expected_version} on the workers")
        return found
    if warm is not None:
        try:
            found.update(warm())
        except Exception as error:  # any failure to load is the message, not a traceback
            reason = " ".join(str(error).split())
            found["problem"] = (f"cannot load the analysis models ({type(error).__name__}: {reason}): install "
                                "sourcetrace with its bundled models and the spaCy model on the workers")
    found["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return found


class DaskEngine(Engine):
    kind = "dask"

    def __init__(self, *, scheduler: str | None = None, workers: int | None = None,
                 memory_per_worker: str | None = None, learned: bool = True) -> None:
        self.scheduler = scheduler
        self.workers = workers or default_workers()
        self.memory_per_worker = memory_per_worker
        self.learned = learned
        self.client: Any = None
        self.cluster: Any = None
        self.token = uuid.uuid4().hex[:8]
        self.worker_info: list[dict[str, Any]] = []

    # ---- start: connect, check, probe -------------------------------------------------------------------

    def start(self, warm: Warmup | None = None) -> list[dict[str, Any]]:
        """Connect and check once; probe (and warm) every worker at each stage's start: cheap once warm."""
        try:
            if self.client is None:
                self._connect()
                self._check_memory()
            self.worker_info = self._probe(warm)
        except BaseException:
            self.close()
            raise
        return self.worker_info

    def _connect(self) -> None:
        from distributed import Client, LocalCluster

        # the client's own reconnect chatter would print tracebacks-in-logs before our one-line error
        logging.getLogger("distributed").setLevel(logging.ERROR)
        if self.scheduler is None:
            import dask

            # one thread per worker (spaCy holds the GIL), and quieter housekeeping (QUIET_WORKERS); the same
            # settings for `dask worker` are environment variables, see docs/scaling.md
            with dask.config.set(QUIET_WORKERS):
                self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                            dashboard_address=":0", memory_limit=self.memory_per_worker or "auto")
                self.client = Client(self.cluster)
            return
        if "://" not in self.scheduler:
            raise EngineError(f"--scheduler {self.scheduler!r} is not a scheduler address: give tcp://HOST:PORT "
                              "(the address `dask scheduler` prints)")
        try:
            self.client = Client(self.scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError, ValueError) as error:
            raise EngineError(f"cannot reach the Dask scheduler at {self.scheduler} within {CONNECT_TIMEOUT_S} s "
                              f"({' '.join(str(error).split())[:160]}): start one there with `dask scheduler` and "
                              "its workers with `dask worker ADDRESS`, or fix --scheduler / "
                              "SOURCETRACE_DASK_SCHEDULER") from None
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except (TimeoutError, OSError):
            raise EngineError(f"the Dask scheduler at {self.scheduler} has no workers (waited {WORKER_WAIT_S} s): "
                              f"start some with `dask worker {self.scheduler} --nthreads 1`") from None

    def _workers(self) -> dict[str, Any]:
        info = self.client.scheduler_info(n_workers=-1)
        return dict(info.get("workers", {}))

    def _check_memory(self) -> None:
        workers = self._workers()
        need = MIN_WORKER_MEMORY[self.learned]
        small = {address: int(w.get("memory_limit") or 0) for address, w in workers.items()
                 if 0 < int(w.get("memory_limit") or 0) < need}
        if small:
            address, limit = min(small.items(), key=lambda kv: kv[1])
            advised = f"{-(-2 * need // (1024 * MIB))}GiB"  # twice the need, in whole GiB
            fix = (f"use fewer --workers on this machine or give --worker-memory {advised}"
                   if self.cluster is not None else
                   f"start the workers with `dask worker … --memory-limit {advised}` (or fewer --nworkers per "
                   "machine)")
            raise EngineError(f"{len(small)} of {len(workers)} Dask workers have too little memory ({address}: "
                              f"{_mib(limit)}); the analysis pipeline needs at least {_mib(need)} per worker "
                              f"process: {fix}")

    def _check_imports(self) -> None:
        """Can every worker import sourcetrace? Asked with a builtin (``eval`` of a constant expression), since a
        task that names a sourcetrace function cannot even be unpacked on such a worker: it would wait forever."""
        import sourcetrace

        versions = self.client.run(eval, _VERSION_EXPRESSION, on_error="return")
        for address, version in versions.items():
            if isinstance(version, BaseException):
                text = " ".join(str(version).split())
                raise EngineError(f"the Dask worker {address} cannot import sourcetrace ({type(version).__name__}: "
                                  f"{text[:120]}): install sourcetrace=={sourcetrace.__version__} with the [dask] "
                                  "extra in the workers' Python environment")

    def _probe(self, warm: Warmup | None) -> list[dict[str, Any]]:
        import sourcetrace

        self._check_imports()
        workers = self._workers()
        self.workers = len(workers)
        futures = {address: self.client.submit(probe, sourcetrace.__version__, warm, workers=[address],
                                               allow_other_workers=False, pure=False,
                                               key=f"sourcetrace-probe-{uuid.uuid4().hex[:8]}-{index}")
                   for index, address in enumerate(workers)}
        found: list[dict[str, Any]] = []
        for address, future in futures.items():
            try:
                info = future.result(timeout=PROBE_TIMEOUT_S)
            except Exception as error:
                text = " ".join(str(error).split())
                if isinstance(error, ImportError) or "No module named" in text:
                    raise EngineError(f"the Dask worker {address} cannot import sourcetrace ({text[:120]}): install "
                                      f"sourcetrace=={sourcetrace.__version__} with the [dask] extra in the workers' "
                                      "Python environment") from None
                raise EngineError(f"the Dask worker {address} failed its start-up check ({type(error).__name__}: "
                                  f"{text[:160]}): see the worker's log") from None
            if info.get("problem"):
                raise EngineError(f"the Dask worker {address} {info['problem']}")
            info["address"] = address
            found.append(info)
        return found

    # ---- work -------------------------------------------------------------------------------------------

    def map(self, fn: StageFunction, partitions: Iterable[Partition[Any]],
            *args: Any) -> Iterator[tuple[int, ShardResult]]:
        from distributed import as_completed

        stream = iter(partitions)
        limit = 2 * max(self.workers, 1)
        index_of: dict[str, int] = {}
        name_of: dict[str, str] = {}

        def submit(partition: Partition[Any]) -> Any:
            key = f"{partition.stage}-{partition.name}-{self.token}"
            with warnings.catch_warnings():  # partitions carry their texts by design (see the module's docstring)
                warnings.simplefilter("ignore")
                future = self.client.submit(fn, partition, *args, key=key, retries=1)
            index_of[future.key] = partition.index
            name_of[future.key] = partition.name
            return future

        pool = as_completed([submit(p) for p in itertools.islice(stream, limit)])
        for future in pool:
            try:
                result = future.result()
            except Exception as error:
                raise EngineError(_task_failure(name_of.get(future.key, "?"), error)) from None
            yield index_of.pop(future.key), result
            following = next(stream, None)
            if following is not None:
                pool.add(submit(following))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.client is not None:
                self.client.close()
        with contextlib.suppress(Exception):
            if self.cluster is not None:
                self.cluster.close()
        self.client = self.cluster = None

    def describe(self) -> str:
        where = self.scheduler or "a LocalCluster"
        return f"dask engine on {where}, {self.workers} worker{'s' * (self.workers != 1)}"

    def worker_pids(self) -> dict[str, int]:
        """Each worker's process id (the fault test kills one)."""
        return dict(self.client.run(os.getpid))


_VERSION_EXPRESSION = "__import__('sourcetrace').__version__"  # a constant: never built from input


def _task_failure(what: str, error: BaseException) -> str:
    name = type(error).__name__
    text = " ".join(str(error).split())[:200]
    if name == "KilledWorker":
        return (f"partition {what} killed the workers that ran it, {text}: most often a worker ran out of memory — "
                "give the workers more (--memory-limit) or make partitions smaller (--partition-mb)")
    return f"partition {what} failed on a Dask worker ({name}: {text})"
