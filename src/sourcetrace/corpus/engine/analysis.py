"""The analysis stage on an engine: partitions of inputs → analysed rows in Parquet shards → the store.

Workers analyse (the same :class:`~sourcetrace.corpus.worker.Analyzer` as the local runner, loaded once per
process) and write one shard per partition under ``WORK/analysis/``: the store row of every analysed article,
or its refusal. They never touch the store. The driver — this process, the store's one writer — reads the
shards back in partition order and stores each row as the local runner does (one transaction per article;
an article already stored under the same content hash or URL is recorded as a duplicate, an input already
recorded is skipped), so every article is stored exactly once however often a shard is read, and store ids
follow input order whatever the engine.

Resume: a shard that exists is not computed again, and shards written but not yet stored when a run stopped are
stored first by the next run (``WORK/analysis/_stored.txt`` lists those done). ``corpus attach DIR`` stores the
shards of a directory written elsewhere.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sourcetrace.corpus import worker
from sourcetrace.corpus.engine import Engine
from sourcetrace.corpus.engine.partitions import (
    DEFAULT_PARTITION_MB,
    Partition,
    ShardResult,
    in_order,
    plan,
    process_cache,
    read_shard,
    run_partition,
)
from sourcetrace.corpus.runner import RunSummary, _record
from sourcetrace.corpus.sources import Failure, Item, Task
from sourcetrace.corpus.store import _ARTICLE_COLUMNS, ArticleRow, Store
from sourcetrace.errors import InputError

STAGE = "analysis"
STORED_LIST = "_stored.txt"


def _schema() -> Any:
    import pyarrow as pa

    text = pa.string()
    fields = [pa.field("origin", text), pa.field("status", text), pa.field("kind", text), pa.field("reason", text),
              pa.field("seconds", pa.float64())]
    integers = {"n_sentences", "n_attributions", "n_entities"}
    for column in _ARTICLE_COLUMNS:
        if column == "origin":
            continue
        kind = pa.int64() if column in integers else pa.binary() if column == "report" else text
        fields.append(pa.field(column, kind))
    fields += [pa.field("attributions", text), pa.field("outlets", text)]
    return pa.schema(fields)


def task_chars(item: Task) -> int:
    """An input's text volume, for partition sizing (a file's size on disk; the driver does not read it)."""
    if item.text is not None:
        return len(item.text)
    if item.data is not None:
        return len(item.data)
    if item.path:
        try:
            return Path(item.path).stat().st_size
        except OSError:
            return 1
    return 1


def _analyzer(learned: bool, time_limit: float) -> worker.Analyzer:
    def make() -> worker.Analyzer:
        analyzer = worker.Analyzer(None, learned=learned, time_limit=time_limit)
        analyzer.pipeline  # noqa: B018  (load the models now, once per process)
        return analyzer

    return process_cache(("analyzer", learned, time_limit), make)


def warm(learned: bool, time_limit: float) -> dict[str, Any]:
    """A worker's start: load the pipeline into the per-process cache."""
    started = time.perf_counter()
    _analyzer(learned, time_limit)
    return {"load_seconds": round(time.perf_counter() - started, 2)}


def _build(learned: bool, time_limit: float, partition: Partition[Task]) -> tuple[Any, dict[str, Any]]:
    import pyarrow as pa

    analyzer = _analyzer(learned, time_limit)
    rows: list[dict[str, Any]] = []
    for task in partition.items:
        outcome = analyzer.process(task)
        row: dict[str, Any] = {"origin": outcome.origin, "status": outcome.status, "kind": outcome.kind,
                               "reason": outcome.reason, "seconds": outcome.seconds}
        if outcome.row is not None:
            for column in _ARTICLE_COLUMNS:
                if column != "origin":
                    row[column] = getattr(outcome.row, column)
            row["attributions"] = json.dumps(outcome.row.attributions, ensure_ascii=False)
            row["outlets"] = json.dumps(outcome.row.outlets, ensure_ascii=False)
        rows.append(row)
    analysis = sum(r["seconds"] for r in rows)
    return pa.Table.from_pylist(rows, schema=_schema()), {"analysis_seconds": analysis}


def analyse_partition(partition: Partition[Task], work_dir: str, learned: bool, time_limit: float) -> ShardResult:
    """The analysis stage's function over one partition, on any engine."""
    return run_partition(partition, work_dir, functools.partial(_build, learned, time_limit))


def shard_outcomes(path: str | Path) -> Iterator[worker.Outcome]:
    """The outcomes stored in one analysis shard, in input order."""
    table = read_shard(path)
    for row in table.to_pylist():
        article = None
        if row["status"] == "analyzed":
            values = {c: row[c] for c in _ARTICLE_COLUMNS if c != "origin"}
            article = ArticleRow(origin=row["origin"], **values,
                                 attributions=[tuple(a) for a in json.loads(row["attributions"])],
                                 outlets=[tuple(o) for o in json.loads(row["outlets"])])
        yield worker.Outcome(row["origin"], row["status"], row=article, kind=row["kind"], reason=row["reason"],
                             seconds=row["seconds"] or 0.0)


@dataclass
class StageCosts:
    """Per-partition figures of one stage, for the benchmark and the summary."""

    partitions: int = 0
    skipped: int = 0
    chars: int = 0
    worker_seconds: float = 0.0
    shard_bytes: int = 0
    rows: int = 0
    results: list[ShardResult] = field(default_factory=list)

    def add(self, result: ShardResult) -> None:
        self.partitions += 1
        self.skipped += int(result.skipped)
        self.chars += result.chars
        self.worker_seconds += result.seconds
        self.shard_bytes += result.bytes
        self.rows += result.rows
        self.results.append(result)


def ingest_shard(store: Store, path: str | Path, summary: RunSummary, advance: Callable[[int], None]) -> int:
    """Store one shard's rows (the driver's job); rows whose input is already recorded are skipped, so reading
    a shard twice stores nothing twice. Returns how many rows it held."""
    count = 0
    for outcome in shard_outcomes(path):
        count += 1
        if store.seen(outcome.origin):
            summary.skipped += 1
        else:
            _record(store, Task(origin=outcome.origin, kind="text"), outcome, summary)
        advance(1)
    return count


def _stored_list(work_dir: Path) -> Path:
    return work_dir / STAGE / STORED_LIST


def _mark_stored(work_dir: Path, name: str) -> None:
    with _stored_list(work_dir).open("a", encoding="utf-8") as handle:
        handle.write(name + "\n")


def ingest_leftovers(store: Store, work_dir: Path, summary: RunSummary, advance: Callable[[int], None]) -> int:
    """Store the shards an earlier run wrote but did not store (it stopped in between); returns how many."""
    folder = work_dir / STAGE
    if not folder.is_dir():
        return 0
    listed = _stored_list(work_dir)
    done = set(listed.read_text(encoding="utf-8").split()) if listed.exists() else set()
    count = 0
    for path in sorted(folder.glob("part-*.parquet")):
        if path.stem not in done:
            ingest_shard(store, path, summary, advance)
            _mark_stored(work_dir, path.stem)
            count += 1
    return count


def run_add(store: Store, items: Iterable[Item], engine: Engine, work_dir: Path, *, learned: bool = True,
            time_limit: float = worker.DEFAULT_TIME_LIMIT, partition_mb: float = DEFAULT_PARTITION_MB,
            advance: Callable[[int], None] | None = None, on_ready: Callable[[], None] | None = None,
            costs: StageCosts | None = None) -> RunSummary:
    """Analyse ``items`` on ``engine`` into shards under ``work_dir`` and store them (see the module's docstring).
    The engine is started here if it is not yet (its workers load the pipeline); the caller closes it."""
    tick = advance or (lambda n: None)
    summary = RunSummary()
    costs = costs if costs is not None else StageCosts()
    started = time.perf_counter()
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / STAGE).mkdir(exist_ok=True)
    ingest_leftovers(store, work_dir, summary, tick)
    failures: list[Failure] = []

    def tasks() -> Iterator[Task]:
        for item in items:
            if isinstance(item, Failure):
                failures.append(item)  # recorded by the driver, in the loop below
            elif item.kind == "stored":
                raise InputError("re-analysis of stored articles runs on the local engine (drop --engine dask)")
            else:
                yield item

    partitions = plan(STAGE, tasks(), size=task_chars, key=lambda t: t.origin,
                      target_chars=max(int(partition_mb * 1_000_000), 1))
    try:
        engine.start(functools.partial(warm, learned, time_limit))
        summary.workers = engine.workers
        if on_ready:
            on_ready()
        results = engine.map(analyse_partition, partitions, str(work_dir), learned, time_limit)
        for result in in_order(results):
            for failure in failures:
                _record(store, failure, None, summary)
                tick(1)
            failures.clear()
            costs.add(result)
            summary.analysis_seconds += float(result.extra.get("analysis_seconds", 0.0))
            ingest_shard(store, result.path, summary, tick)
            _mark_stored(work_dir, result.name)
        for failure in failures:
            _record(store, failure, None, summary)
            tick(1)
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.seconds = time.perf_counter() - started
    return summary


def attach(store: Store, folder: Path, advance: Callable[[int], None] | None = None) -> RunSummary:
    """Store the analysis shards of ``folder`` (a work directory, or its ``analysis/`` folder, written by a run
    elsewhere); rows already recorded are skipped, so attaching twice stores nothing twice."""
    summary = RunSummary()
    started = time.perf_counter()
    shards = sorted(folder.glob("part-*.parquet")) or sorted((folder / STAGE).glob("part-*.parquet"))
    if not shards:
        raise InputError(f"no analysis shards (part-*.parquet) in {folder} or {folder / STAGE}: give the --work-dir "
                         "of a `corpus add --engine dask` run")
    for path in shards:
        ingest_shard(store, path, summary, advance or (lambda n: None))
    summary.seconds = time.perf_counter() - started
    return summary
