"""Story claims on an engine: partitions of stories → each story's claims, stances and contradictions (a
:class:`~sourcetrace.claims.models.StoryClaims` as JSON) in a Parquet shard → the driver, in story order.

The work per story is :func:`sourcetrace.claims.story.build_story_claims` — claim extraction, check-worthiness,
grouping, the stance model on every (claim, article) it needs, contradictions — the same function
``corpus claims`` runs in-process. The driver reads the stories' articles from the store and ships them with the
partition (text and the stored report, compressed as stored), so workers never touch the store; each worker
loads the stance model once (:func:`warm`, the per-process cache). Partitions are sized by the stories' text.

A shard is named by its stories, their articles' analysis times, and the sourcetrace version: a story whose
articles are unchanged is not computed again by a later run over the same work directory, and a story that
gained an article, or a new model, gets a new shard.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sourcetrace.corpus.engine import Engine
from sourcetrace.corpus.engine.analysis import StageCosts
from sourcetrace.corpus.engine.partitions import (
    Partition,
    ShardResult,
    in_order,
    plan,
    process_cache,
    read_shard,
    run_partition,
)
from sourcetrace.corpus.store import Store

STAGE = "claims"


@dataclass(frozen=True)
class StoryInput:
    """One story as a worker needs it: its articles' store rows (the columns of
    :class:`~sourcetrace.corpus.api.StoredArticle`, with ``text`` and the ``report`` blob) in timeline order."""

    story_id: int
    label: str
    articles: tuple[dict[str, Any], ...]
    key: str  # what the shard's name depends on


def _stance_model() -> Any:
    from sourcetrace.claims.story import stance_model

    return process_cache(("claims-stance",), stance_model)


def warm() -> dict[str, Any]:
    """A worker's start: the stance model (its ONNX session), the check-worthiness model and the lexicons."""
    from sourcetrace.article.resources import load_resources
    from sourcetrace.claims.checkworthiness import shipped_model
    from sourcetrace.claims.stance import default_model

    started = time.perf_counter()
    _stance_model()
    default_model()
    shipped_model()
    load_resources()
    return {"load_seconds": round(time.perf_counter() - started, 2)}


def _build(partition: Partition[StoryInput]) -> tuple[Any, dict[str, Any]]:
    import pyarrow as pa

    from sourcetrace.claims.story import build_story_claims
    from sourcetrace.corpus.api import _stored

    model = _stance_model()
    rows = []
    for story in partition.items:
        articles = [_stored(row) for row in story.articles]
        result = build_story_claims(story.story_id, articles, label=story.label, model=model)
        rows.append({"story_id": story.story_id, "claims": result.model_dump_json()})
    schema = pa.schema([("story_id", pa.int64()), ("claims", pa.string())])
    return pa.Table.from_pylist(rows, schema=schema), {"stories": len(rows)}


def claims_partition(partition: Partition[StoryInput], work_dir: str) -> ShardResult:
    """The claims stage's function over one partition of stories, on any engine."""
    return run_partition(partition, work_dir, _build)


def _story_inputs(store: Store, story_ids: Sequence[int]) -> Iterator[StoryInput]:
    import sourcetrace
    from sourcetrace.claims.story import article_rows, story_timeline
    from sourcetrace.stories.storage import StoryStorage

    storage = StoryStorage(store)
    for story_id in story_ids:
        story, ids = story_timeline(storage, story_id)
        rows = tuple(article_rows(store, ids))
        key = f"{story_id}:{sourcetrace.__version__}:" + ",".join(f"{r['id']}@{r['analyzed_at']}" for r in rows)
        yield StoryInput(story_id, story.label, rows, key)


def run_claims(store: Store, engine: Engine, work_dir: Path, story_ids: Sequence[int], *,
               partition_mb: float = 4.0, costs: StageCosts | None = None,
               advance: Callable[[int], None] | None = None) -> Iterator[Any]:
    """The :class:`~sourcetrace.claims.models.StoryClaims` of each story in ``story_ids``, in that order,
    computed on ``engine``."""
    from sourcetrace.claims.models import StoryClaims

    costs = costs if costs is not None else StageCosts()
    if not story_ids:
        return
    engine.start(warm)
    partitions = plan(STAGE, _story_inputs(store, story_ids),
                      size=lambda s: sum(len(a["text"] or "") for a in s.articles), key=lambda s: s.key,
                      target_chars=max(int(partition_mb * 1_000_000), 1))
    for result in in_order(engine.map(claims_partition, partitions, str(work_dir))):
        costs.add(result)
        for row in read_shard(result.path).to_pylist():
            yield StoryClaims.model_validate_json(row["claims"])
            if advance is not None:
                advance(1)
