"""Stories on an engine: each article's terms computed per partition on the workers, placed by the driver.

Placing an article in a story is online: it is compared with the stories active in the time window as they
stand after every earlier article, so the order matters and the placing stays sequential, on the driver
(:func:`sourcetrace.stories.assign.assign_stories`). What parallelises is the per-article work before it:
reading the stored report's entities and language, counting words, lemmas and entities
(:func:`sourcetrace.stories.assign.prepare_row`). Partitions are cut in the clusterer's own order (date, then
id), and their shards (``stories/terms``) are read back in that order, so the placing streams and the stories
are the local engine's exactly.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sourcetrace.corpus.engine import Engine
from sourcetrace.corpus.engine.analysis import StageCosts
from sourcetrace.corpus.engine.partitions import Partition, ShardResult, in_order, plan, read_shard, run_partition
from sourcetrace.corpus.store import Store
from sourcetrace.stories.assign import PreparedRow, StoriesRun, _decode, assign_stories, prepare_row
from sourcetrace.stories.features import ArticleTerms

STAGE = "stories/terms"
Row = tuple[int, str | None, str | None, str, bytes | None]


def _terms(partition: Partition[Row]) -> tuple[Any, dict[str, Any]]:
    import pyarrow as pa

    rows = []
    for article_id, title, published, text, blob in partition.items:
        prepared = prepare_row(article_id, title, published, text, _decode(blob))
        if isinstance(prepared, str):
            rows.append({"article_id": article_id, "reason": prepared, "terms": None})
            continue
        terms, names = prepared
        rows.append({"article_id": article_id, "reason": None, "terms": json.dumps(
            {"date": terms.date, "counts": terms.counts, "n_words": terms.n_words, "names": names},
            ensure_ascii=False)})
    schema = pa.schema([("article_id", pa.int64()), ("reason", pa.string()), ("terms", pa.string())])
    return pa.Table.from_pylist(rows, schema=schema), {}


def terms_partition(partition: Partition[Row], work_dir: str) -> ShardResult:
    return run_partition(partition, work_dir, _terms)


def _shard_rows(path: str) -> Iterator[tuple[int, PreparedRow]]:
    for row in read_shard(path).to_pylist():
        if row["reason"] is not None:
            yield int(row["article_id"]), str(row["reason"])
            continue
        data = json.loads(row["terms"])
        terms = ArticleTerms(int(row["article_id"]), data["date"], tuple(data["counts"]), int(data["n_words"]))
        yield int(row["article_id"]), (terms, data["names"])


def _planned(store: Store, ids: list[int], target_chars: int) -> Iterator[Partition[Row]]:
    lengths: list[tuple[int, int]] = []
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        found = dict(store.connection.execute(
            f"SELECT id, length(text) FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        lengths += [(i, int(found[i])) for i in chunk if i in found]
    for partition in plan(STAGE, lengths, size=lambda p: p[1], key=lambda p: str(p[0]), target_chars=target_chars):
        wanted = [i for i, _ in partition.items]
        rows = {int(r[0]): r for r in store.connection.execute(
            f"SELECT id, title, published, text, report FROM articles WHERE id IN ({','.join('?' * len(wanted))})",
            wanted)}
        yield Partition(STAGE, partition.index, tuple(rows[i] for i in wanted), partition.chars, partition.digest)


def run_stories(store: Store, engine: Engine, work_dir: Path, *, window_days: float | None = None,
                rebuild: bool = False, partition_mb: float = 4.0, costs: StageCosts | None = None,
                advance: Callable[[int], None] | None = None) -> StoriesRun:
    """Place every article without a story, its terms computed on ``engine``."""
    costs = costs if costs is not None else StageCosts()
    if rebuild:  # every article is placed again: terms computed before stay valid, but start clean
        shutil.rmtree(work_dir / STAGE, ignore_errors=True)
    target_chars = max(int(partition_mb * 1_000_000), 1)

    def prepared(ids: list[int]) -> Iterator[tuple[int, PreparedRow]]:
        if not ids:
            return
        engine.start(None)
        results = engine.map(terms_partition, _planned(store, ids, target_chars), str(work_dir))
        for result in in_order(results):
            costs.add(result)
            yield from _shard_rows(result.path)

    return assign_stories(store, window_days=window_days, rebuild=rebuild, advance=advance,
                          prepared=prepared)
