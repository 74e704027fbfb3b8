"""Copied passages on an engine: fingerprints per partition, candidate pairs by shuffle, alignment per partition.

The stages of :mod:`sourcetrace.stories.reuse`, cut so that no node needs the whole corpus:

1. ``postings`` (map over article partitions): each article's winnowed 5-gram fingerprints as (hash, article)
   rows, written split into ``B`` buckets by hash (``reuse/B16/postings/b003/part-….parquet``), plus each
   article's word count or why it is left out (``reuse/words``).
2. ``pairs`` (map over hash buckets): all rows of one hash are in one bucket, so one worker sees every article of
   that hash; a hash in 2 to ``max_df`` articles yields one (target, source) row per pair of them
   (:func:`bucket_pairs`), written split into buckets by target.
3. ``candidates`` (map over target buckets): all pair rows of one target meet; pairs sharing at least
   ``min_shared`` fingerprints are candidates, the ``max_candidates`` most shared per target (:func:`cap_pairs`).
4. ``passages`` (map over target partitions, each with the texts of its candidates): alignment, kind and credit,
   the local index's own code.
5. The driver marks boilerplate (same-site passages carried by a third article of the site) and stores the
   postings, the articles' index status and the passages in one transaction.

Stages 2 and 3 are the shuffle: a hash-partitioned exchange through the work directory, the tasks-based form of
a ``dask.dataframe`` shuffle (``dask.dataframe`` itself needs pandas, which sourcetrace does not otherwise use).
Every bucket task reads only its bucket, so memory per worker is set by the bucket size, not the corpus.

Postings already in the store take part (pairs between two articles indexed before are not made again), so an
update is incremental as with the local index. Document frequencies are counted over the whole corpus at once;
the local index counts them batch by batch (5,000 articles), so the two agree whenever the new articles fit in one
batch — beyond that the cluster's result is the order-free one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sourcetrace.corpus.engine import Engine
from sourcetrace.corpus.engine.analysis import StageCosts
from sourcetrace.corpus.engine.partitions import (
    Partition,
    ShardResult,
    in_order,
    plan,
    run_partition,
    write_shard,
)
from sourcetrace.corpus.store import Store, now
from sourcetrace.stories.align import fingerprint
from sourcetrace.stories.reuse import (
    _PASSAGE_COLUMNS,
    METHOD,
    ArticleMeta,
    Passage,
    ReuseIndex,
    ReuseOptions,
    UpdateSummary,
    _mark_boilerplate,
    insert_passages,
    load_articles,
)


@dataclass
class ReuseCosts:
    """Figures per stage for the benchmark: map stages' partitions, shuffle volumes (rows and bytes moved)."""

    stages: dict[str, StageCosts] = field(default_factory=dict)
    shuffle_rows: dict[str, int] = field(default_factory=dict)
    shuffle_bytes: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


# ---- 1. fingerprints --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where one reuse run keeps its shards: ``WORK/reuse/<digest of the pending articles>-B<buckets>/``, so a
    resumed run finds its own shards and a run over other articles never reads them."""

    work: str
    root: str
    buckets: int

    def folder(self, part: str) -> Path:
        return Path(self.work) / self.root / part

    def stage(self, part: str) -> str:
        return f"{self.root}/{part}"


def _fingerprints(options: ReuseOptions, layout: Layout, partition: Partition[tuple[int, str]]
                  ) -> tuple[Any, dict[str, Any]]:
    import numpy as np
    import pyarrow as pa

    from sourcetrace.stories.align import tokenize

    hashes: list[Any] = []
    owners: list[Any] = []
    words: list[dict[str, Any]] = []
    for article_id, text in partition.items:
        tokens = tokenize(text)
        if len(tokens) < options.min_words:
            words.append({"article_id": article_id, "n_words": len(tokens),
                          "reason": f"too short to carry a passage ({len(tokens)} words)"})
            continue
        unique = np.unique(fingerprint(tokens.words)[0])
        hashes.append(unique)
        owners.append(np.full(len(unique), article_id, dtype=np.int64))
        words.append({"article_id": article_id, "n_words": len(tokens), "reason": None})
    write_shard(layout.folder("words") / f"{partition.name}.parquet",
                pa.Table.from_pylist(words, schema=pa.schema([("article_id", pa.int64()), ("n_words", pa.int64()),
                                                              ("reason", pa.string())])))
    all_hashes = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.int64)
    all_owners = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    sizes = _write_buckets(layout.folder("postings"), partition.name, all_hashes % layout.buckets,
                           {"hash": all_hashes, "article_id": all_owners, "new": np.ones(len(all_hashes), dtype=bool)},
                           layout.buckets)
    # the partition's own shard, written last, says it is done: its rows per bucket
    return pa.table({"bucket": np.asarray(list(sizes), dtype=np.int64),
                     "rows": np.asarray(list(sizes.values()), dtype=np.int64)}), {"articles": len(words)}


def fingerprint_partition(partition: Partition[tuple[int, str]], work_dir: str, options: ReuseOptions,
                          layout: Layout) -> ShardResult:
    return run_partition(partition, work_dir, functools.partial(_fingerprints, options, layout))


# ---- 2, 3. the shuffle -----------------------------------------------------------------------------------------


def _write_buckets(folder: Path, name: str, bucket_of: Any, columns: dict[str, Any], buckets: int) -> dict[int, int]:
    """Rows split by bucket, one file per non-empty bucket (``folder/b007/NAME.parquet``); rows per bucket."""
    import numpy as np
    import pyarrow as pa

    order = np.argsort(bucket_of, kind="stable")
    sorted_buckets = bucket_of[order]
    bounds = np.searchsorted(sorted_buckets, np.arange(buckets + 1))
    sizes: dict[int, int] = {}
    for bucket in range(buckets):
        start, end = int(bounds[bucket]), int(bounds[bucket + 1])
        if end > start:
            picked = order[start:end]
            write_shard(folder / f"b{bucket:04d}" / f"{name}.parquet",
                        pa.table({c: values[picked] for c, values in columns.items()}))
            sizes[bucket] = end - start
    return sizes


def _read_bucket(folder: Path, columns: list[str]) -> dict[str, Any]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted(folder.glob("*.parquet"))
    if not files:
        return {c: np.zeros(0, dtype=bool if c == "new" else np.int64) for c in columns}
    table = pa.concat_tables([pq.read_table(f, columns=columns) for f in files])
    return {c: table.column(c).to_numpy() for c in columns}


def bucket_pairs(hashes: Any, articles: Any, new: Any, max_df: int) -> tuple[Any, Any]:
    """Postings holding every row of their hashes → (targets, sources): one pair per two articles sharing a hash
    of document frequency 2..``max_df``. A pair of two articles indexed before is not made again; the target is
    the newly indexed one (of two new ones, the later in store order), as in the local index."""
    import numpy as np

    order = np.lexsort((articles, hashes))
    hashes, articles, new = hashes[order], articles[order], new[order]
    _, first, df = np.unique(hashes, return_index=True, return_counts=True)
    targets: list[Any] = []
    sources: list[Any] = []
    usable = (df >= 2) & (df <= max_df)
    for size in np.unique(df[usable]).tolist():
        starts = first[usable & (df == size)]
        members = starts[:, None] + np.arange(size)[None, :]
        for x in range(size):
            for y in range(x + 1, size):
                a, b = articles[members[:, x]], articles[members[:, y]]  # a < b: sorted by article within a hash
                new_a, new_b = new[members[:, x]], new[members[:, y]]
                keep = (a != b) & (new_a | new_b)
                targets.append(np.where(new_b, b, a)[keep])
                sources.append(np.where(new_b, a, b)[keep])
    if not targets:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(targets).astype(np.int64), np.concatenate(sources).astype(np.int64)


def cap_pairs(targets: Any, sources: Any, min_shared: int, max_candidates: int) -> tuple[Any, Any, Any]:
    """Pair rows holding every row of their targets → (target, source, shared) for the pairs sharing at least
    ``min_shared`` fingerprints, the ``max_candidates`` most shared per target (ties: the later source first, as
    the local index orders them), sorted by target."""
    import numpy as np

    keys = (targets.astype(np.int64) << 32) | sources.astype(np.int64)
    unique, shared = np.unique(keys, return_counts=True)
    keep = shared >= min_shared
    unique, shared = unique[keep], shared[keep]
    target, source = unique >> 32, unique & 0xFFFFFFFF
    order = np.lexsort((-source, -shared, target))
    target, source, shared = target[order], source[order], shared[order]
    if len(target):
        starts = np.r_[0, np.flatnonzero(np.diff(target)) + 1]
        rank = np.arange(len(target)) - np.repeat(starts, np.diff(np.r_[starts, len(target)]))
        keep = rank < max_candidates
        target, source, shared = target[keep], source[keep], shared[keep]
    return target.astype(np.int64), source.astype(np.int64), shared.astype(np.int64)


@dataclass(frozen=True)
class Bucket:
    """One bucket of a shuffle stage: read ``source``, write under ``target``."""

    number: int
    buckets: int
    source: str
    target: str


def _pairs(max_df: int, partition: Partition[Bucket]) -> tuple[Any, dict[str, Any]]:
    import numpy as np
    import pyarrow as pa

    bucket = partition.items[0]
    rows = _read_bucket(Path(bucket.source), ["hash", "article_id", "new"])
    targets, sources = bucket_pairs(rows["hash"], rows["article_id"], rows["new"].astype(bool), max_df)
    sizes = _write_buckets(Path(bucket.target), partition.name, targets % bucket.buckets,
                           {"target": targets, "source": sources}, bucket.buckets)
    return pa.table({"bucket": np.asarray(list(sizes), dtype=np.int64),
                     "rows": np.asarray(list(sizes.values()), dtype=np.int64)}), {"rows_in": len(rows["hash"])}


def pairs_partition(partition: Partition[Bucket], work_dir: str, max_df: int) -> ShardResult:
    return run_partition(partition, work_dir, functools.partial(_pairs, max_df))


def _candidates(min_shared: int, max_candidates: int, partition: Partition[Bucket]) -> tuple[Any, dict[str, Any]]:
    import pyarrow as pa

    rows = _read_bucket(Path(partition.items[0].source), ["target", "source"])
    target, source, shared = cap_pairs(rows["target"], rows["source"], min_shared, max_candidates)
    return pa.table({"target": target, "source": source, "shared": shared}), {"rows_in": len(rows["target"])}


def candidates_partition(partition: Partition[Bucket], work_dir: str, min_shared: int,
                         max_candidates: int) -> ShardResult:
    return run_partition(partition, work_dir, functools.partial(_candidates, min_shared, max_candidates))


# ---- 4. alignment ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlignJob:
    """Targets with their candidate sources (most shared first), and every text they need."""

    pairs: tuple[tuple[int, tuple[int, ...]], ...]
    metas: dict[int, ArticleMeta]


_PASSAGE_FIELDS = [c.strip() for c in _PASSAGE_COLUMNS.split(",")][1:]  # all but the store id


def _align(options: ReuseOptions, partition: Partition[AlignJob]) -> tuple[Any, dict[str, Any]]:
    import pyarrow as pa

    # the local index's own alignment, kind and credit: it reads only its options, never the store
    index = ReuseIndex(cast(Store, None), options)
    rows: list[tuple[object, ...]] = []
    for job in partition.items:
        for target, sources in job.pairs:
            rows += [p.row() for p in index._passages_for(target, list(sources), job.metas)]
    columns: list[Sequence[object]] = list(zip(*rows, strict=True)) if rows else [() for _ in _PASSAGE_FIELDS]
    types = {"similarity": pa.float64(), "kind": pa.string(), "credit_name": pa.string()}
    return pa.table({name: pa.array(list(values), type=types.get(name, pa.int64()))
                     for name, values in zip(_PASSAGE_FIELDS, columns, strict=True)}), {}


def align_partition(partition: Partition[AlignJob], work_dir: str, options: ReuseOptions) -> ShardResult:
    return run_partition(partition, work_dir, functools.partial(_align, options))


# ---- the driver -----------------------------------------------------------------------------------------------


def _lengths(store: Store, ids: Sequence[int]) -> Iterator[tuple[int, int]]:
    for chunk in _id_chunks(ids):
        found = dict(store.connection.execute(
            f"SELECT id, length(text) FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        for article_id in chunk:
            if article_id in found:
                yield article_id, int(found[article_id])


def _with_texts(store: Store, partitions: Iterator[Partition[tuple[int, int]]]) -> Iterator[Partition[tuple[int, str]]]:
    """Planned by length, filled with texts only when the partition is handed to the engine (streaming)."""
    for partition in partitions:
        ids = [i for i, _ in partition.items]
        texts = {int(i): t for i, t in store.connection.execute(
            f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(ids))})", ids)}
        yield Partition(partition.stage, partition.index, tuple((i, texts[i]) for i in ids), partition.chars,
                        partition.digest)


def _align_jobs(store: Store, stage: str, candidates: dict[int, list[int]], target_chars: int
                ) -> Iterator[Partition[AlignJob]]:
    lengths = dict(_lengths(store, sorted({*candidates, *(s for v in candidates.values() for s in v)})))
    batch: list[tuple[int, tuple[int, ...]]] = []
    chars = 0
    index = 0

    def emit() -> Partition[AlignJob]:
        wanted = {i for target, sources in batch for i in (target, *sources)}
        digest = hashlib.sha1(json.dumps(batch).encode()).hexdigest()
        job = AlignJob(tuple(batch), load_articles(store, sorted(wanted)))
        return Partition(stage, index, (job,), chars, digest)

    for target in sorted(candidates):
        sources = tuple(candidates[target])
        batch.append((target, sources))
        chars += lengths.get(target, 0) + sum(lengths.get(s, 0) for s in sources)
        if chars >= target_chars:
            yield emit()
            batch, chars, index = [], 0, index + 1
    if batch:
        yield emit()


def bucket_count(chars: int, workers: int) -> int:
    """Buckets for the shuffle: about two million postings each (~32 MB, a few seconds of work), and at least
    two per worker so every worker has a share. Postings run at about one per 18 characters of text."""
    return int(min(4096, max(2 * workers, -(-chars // 18 // 2_000_000))))


def _map_stage(engine: Engine, costs: ReuseCosts, name: str, fn: Any, partitions: Iterator[Partition[Any]],
               *args: Any) -> list[ShardResult]:
    stage = costs.stages.setdefault(name, StageCosts())
    clock = time.perf_counter()
    results = []
    for result in in_order(engine.map(fn, partitions, *args)):
        stage.add(result)
        results.append(result)
    costs.seconds[name] = time.perf_counter() - clock
    return results


def _volume(folder: Path) -> tuple[int, int]:
    import pyarrow.parquet as pq

    files = list(folder.glob("b*/*.parquet"))
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files), sum(f.stat().st_size for f in files)


def run_reuse(store: Store, engine: Engine, work_dir: Path, *, options: ReuseOptions | None = None,
              partition_mb: float = 4.0, costs: ReuseCosts | None = None) -> UpdateSummary:
    """Bring the store's copied-passages index up to date on ``engine`` (see the module's docstring)."""
    import numpy as np
    import pyarrow.parquet as pq

    options = options or ReuseOptions()
    costs = costs if costs is not None else ReuseCosts()
    summary = UpdateSummary()
    started = time.perf_counter()
    pending = ReuseIndex(store, options).pending()
    if not pending:
        return summary
    target_chars = max(int(partition_mb * 1_000_000), 1)
    lengths = list(_lengths(store, pending))
    engine.start(None)
    buckets = bucket_count(sum(n for _, n in lengths), engine.workers)
    digest = hashlib.sha1(",".join(map(str, pending)).encode()).hexdigest()[:12]
    layout = Layout(str(work_dir), f"reuse/{digest}-B{buckets}", buckets)
    # 1. fingerprints of the pending articles; the store's own postings join the buckets as one more part
    if not (layout.folder("postings") / "_stored").exists():
        old = np.asarray(store.connection.execute("SELECT hash, article_id FROM reuse_postings").fetchall(),
                         dtype=np.int64).reshape(-1, 2)
        _write_buckets(layout.folder("postings"), "stored", old[:, 0] % buckets,
                       {"hash": old[:, 0], "article_id": old[:, 1], "new": np.zeros(len(old), dtype=bool)},
                       buckets)
        layout.folder("postings").mkdir(parents=True, exist_ok=True)
        (layout.folder("postings") / "_stored").write_text(str(len(old)))
    planned = plan(layout.stage("postings-parts"), lengths, size=lambda p: p[1], key=lambda p: str(p[0]),
                   target_chars=target_chars)
    fingerprinted = _map_stage(engine, costs, "postings", fingerprint_partition, _with_texts(store, planned),
                               str(work_dir), options, layout)
    # 2, 3. the shuffle: pairs per hash bucket, then candidates per target bucket
    costs.shuffle_rows["postings by hash"], costs.shuffle_bytes["postings by hash"] = \
        _volume(layout.folder("postings"))

    def bucket_partitions(part: str, source: str, target: str) -> Iterator[Partition[Bucket]]:
        for number in range(buckets):
            item = Bucket(number, buckets, str(layout.folder(source) / f"b{number:04d}"),
                          str(layout.folder(target)))
            key = hashlib.sha1(f"{layout.root}/{part}/{number}".encode()).hexdigest()
            yield Partition(layout.stage(part), number, (item,), 0, key)

    _map_stage(engine, costs, "pairs", pairs_partition, bucket_partitions("pairs-parts", "postings", "pairs"),
               str(work_dir), options.max_df)
    costs.shuffle_rows["pairs by target"], costs.shuffle_bytes["pairs by target"] = _volume(layout.folder("pairs"))
    found_candidates = _map_stage(engine, costs, "candidates", candidates_partition,
                                  bucket_partitions("candidates", "pairs", "unused"), str(work_dir),
                                  options.min_shared, options.max_candidates)
    # 4. alignment: the driver reads the candidate lists (a few sources per target) and ships the texts
    candidates: dict[int, list[int]] = {}
    for result in found_candidates:
        table = pq.read_table(result.path)
        for target, source in zip(table.column("target").to_pylist(), table.column("source").to_pylist(),
                                  strict=True):
            candidates.setdefault(int(target), []).append(int(source))
    summary.candidate_pairs = sum(len(v) for v in candidates.values())
    aligned = _map_stage(engine, costs, "passages", align_partition,
                         _align_jobs(store, layout.stage("passages"), candidates, target_chars), str(work_dir),
                         options)
    # 5. the driver: boilerplate, then one transaction
    clock = time.perf_counter()
    found = [_passage(row) for result in aligned for row in pq.read_table(result.path).to_pylist()]
    ids = sorted({i for p in found for i in (p.source_id, p.target_id)})
    metas = {int(r[0]): ArticleMeta(int(r[0]), "", url=r[1], site=r[2]) for chunk in _id_chunks(ids)
             for r in store.connection.execute(
                 f"SELECT id, url, site FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk)}
    _mark_boilerplate(found, metas, store)
    words = [row for result in fingerprinted
             for row in pq.read_table(layout.folder("words") / f"{result.name}.parquet").to_pylist()]
    stamp = now()
    with store.transaction() as db:
        for bucket in sorted(layout.folder("postings").glob("b*")):
            for path in sorted(bucket.glob("part-*.parquet")):
                table = pq.read_table(path, columns=["hash", "article_id"])
                db.executemany("INSERT OR IGNORE INTO reuse_postings VALUES (?, ?)",
                               zip(table.column("hash").to_pylist(), table.column("article_id").to_pylist(),
                                   strict=True))
        db.executemany("INSERT OR REPLACE INTO reuse_articles VALUES (?, ?, ?, ?, ?, ?)",
                       [(int(w["article_id"]), "excluded" if w["reason"] else "indexed", w["reason"],
                         int(w["n_words"]), METHOD, stamp) for w in words])
        insert_passages(db, found)
    costs.seconds["store"] = time.perf_counter() - clock
    summary.indexed = sum(1 for w in words if not w["reason"])
    summary.excluded = sum(1 for w in words if w["reason"])
    summary.passages = len(found)
    summary.new_passages = found
    summary.seconds = time.perf_counter() - started
    return summary


def _passage(values: dict[str, Any]) -> Passage:
    return Passage(int(values["source_id"]), int(values["target_id"]), int(values["source_start"]),
                   int(values["source_end"]), int(values["target_start"]), int(values["target_end"]),
                   int(values["words"]), float(values["similarity"]), str(values["kind"]), bool(values["credited"]),
                   values["credit_name"], values["credit_start"], values["credit_end"], bool(values["dated"]))


def _id_chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), 900):
        yield ids[start:start + 900]
