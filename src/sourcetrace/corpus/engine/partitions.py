"""Partitions and shards: the unit of work both engines run, and the Parquet file each one leaves behind.

A stage is a plain function over one :class:`Partition` (a list of items and a stable name); the local process
pool and a Dask cluster call the very same function. Partitions are sized by text volume, not by count: an
article's cost grows with its length, and spaCy's maintainers advise tasks of tens of megabytes of text, each
lasting minutes, so that scheduling and model loading are paid rarely.

Every partition writes one shard, ``WORK/STAGE/NAME.parquet``, named by the partition (its index and a digest
of its items, so a plan made again over the same inputs gives the same names). A shard is written to a
temporary name and renamed, so it exists whole or not at all; a stage skips a partition whose shard exists.
That is how a run that failed or was stopped resumes: what was written stays written (passim and datatrove
work this way).

Models are loaded once per worker process through :func:`process_cache`, never pickled with a task.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")

DEFAULT_PARTITION_MB = 8.0  # text per analysis partition: ~2,000 news articles, minutes of work per task


@dataclass(frozen=True)
class Partition(Generic[T]):
    """One unit of work: ``items`` in input order; ``name`` (``part-00012-1a2b3c4d5e6f``) names its shard."""

    stage: str
    index: int
    items: tuple[T, ...]
    chars: int  # the text volume it was sized by
    digest: str

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}-{self.digest[:12]}"


@dataclass
class ShardResult:
    """What a partition function reports back (small: the data itself is in the shard)."""

    stage: str
    name: str
    path: str
    rows: int = 0
    chars: int = 0
    seconds: float = 0.0  # the worker's time on the partition
    bytes: int = 0  # the shard's size on disk
    skipped: bool = False  # the shard was already there (a resumed run)
    pid: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def plan(stage: str, items: Iterable[T], *, size: Callable[[T], int], key: Callable[[T], str],
         target_chars: int, max_items: int = 100_000, start: int = 0) -> Iterator[Partition[T]]:
    """Cut ``items`` (a stream) into partitions of about ``target_chars`` characters of text each, in order.
    The digest is over the items' keys, so the same inputs give the same partition names."""
    batch: list[T] = []
    chars = 0
    digest = hashlib.sha1()
    index = start
    for item in items:
        batch.append(item)
        chars += max(size(item), 1)
        digest.update(key(item).encode("utf-8", "surrogatepass") + b"\0")
        if chars >= target_chars or len(batch) >= max_items:
            yield Partition(stage, index, tuple(batch), chars, digest.hexdigest())
            batch, chars, digest, index = [], 0, hashlib.sha1(), index + 1
    if batch:
        yield Partition(stage, index, tuple(batch), chars, digest.hexdigest())


def shard_path(work_dir: str | Path, stage: str, name: str) -> Path:
    return Path(work_dir) / stage / f"{name}.parquet"


def write_shard(path: Path, table: Any) -> int:
    """Write a pyarrow table whole or not at all (temporary file, then an atomic rename); returns its size."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    pq.write_table(table, temporary, compression="zstd")
    os.replace(temporary, path)
    return path.stat().st_size


def read_shard(path: str | Path) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(path)


def run_partition(partition: Partition[Any], work_dir: str,
                  build: Callable[[Partition[Any]], tuple[Any, dict[str, Any]]]) -> ShardResult:
    """The frame every stage function shares: skip when the shard exists, else ``build`` the partition's table
    (and a few figures to report), write it, and report what it cost. This is the hook for new stages (claims,
    stance: see docs/scaling.md): a function ``Partition → (pyarrow.Table, extra)`` run through here resumes
    and runs on either engine."""
    path = shard_path(work_dir, partition.stage, partition.name)
    result = ShardResult(partition.stage, partition.name, str(path), chars=partition.chars, pid=os.getpid())
    if path.exists():
        result.skipped = True
        result.bytes = path.stat().st_size
        return result
    started = time.perf_counter()
    table, extra = build(partition)
    result.rows = int(table.num_rows)
    result.bytes = write_shard(path, table)
    result.seconds = time.perf_counter() - started
    result.extra = extra
    return result


_CACHE: dict[tuple[Any, ...], Any] = {}
_CACHE_LOCK = threading.Lock()


def process_cache(key: tuple[Any, ...], factory: Callable[[], T]) -> T:
    """One object per worker process and key (a loaded pipeline): made on first use, kept for every later
    task. A Dask worker may run tasks in several threads, hence the lock."""
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = factory()
        return _CACHE[key]


def in_order(results: Iterable[tuple[int, T]], first: int = 0) -> Iterator[T]:
    """Results that arrive in any order (``(index, result)``), handed on in index order: the driver writes the
    store in input order whatever the completion order, so store ids do not depend on the engine."""
    waiting: dict[int, T] = {}
    expected = first
    for index, result in results:
        waiting[index] = result
        while expected in waiting:
            yield waiting.pop(expected)
            expected += 1
    for index in sorted(waiting):
        yield waiting[index]


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
