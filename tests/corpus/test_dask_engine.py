"""The corpus pipeline on a real Dask LocalCluster (two worker processes) stores exactly what the local engine
stores — the articles and their reports, the stories, the copied passages — and survives a worker killed with
SIGKILL in the middle of a run, with every article stored once."""

from __future__ import annotations

import json
import os
import platform
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sourcetrace.cli import app
from sourcetrace.corpus import Corpus
from sourcetrace.corpus.engine.analysis import StageCosts, attach, run_add
from sourcetrace.corpus.engine.dask_engine import DaskEngine
from sourcetrace.corpus.engine.reuse import ReuseCosts, run_reuse
from sourcetrace.corpus.engine.stories import run_stories
from sourcetrace.corpus.records import decode_report
from sourcetrace.corpus.runner import RunSummary, unseen
from sourcetrace.corpus.sources import iter_inputs
from sourcetrace.stories.assign import assign_stories
from sourcetrace.stories.reuse import ReuseIndex

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src/sourcetrace/resources/demo_corpus/demo-corpus.jsonl"  # 7 texts with copied passages
DATA = ROOT / "tests/corpus/data"  # short news texts, none shared with the demo's
TEXTS = 9


def _sources() -> list[Path]:
    return [DEMO, DATA / "council-budget.txt", DATA / "river-flooding.txt"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as started:
        yield started


@pytest.fixture(scope="module")
def local_store(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The default engine: the local runner in this process, then the reuse index and stories as today."""
    corpus = Corpus(tmp_path_factory.mktemp("local") / "local.db")
    summary = corpus.add(*_sources(), workers=1, learned=False)
    assert summary.stored == TEXTS and summary.errors == 0
    ReuseIndex(corpus.store).update()
    assign_stories(corpus.store)
    return corpus


def _dask_add(corpus: Corpus, engine: DaskEngine, work: Path, **options: Any) -> RunSummary:
    items = unseen(corpus.store, iter_inputs(_sources()), RunSummary())
    return run_add(corpus.store, items, engine, work, learned=False, **options)


def _articles(corpus: Corpus) -> list[tuple[Any, ...]]:
    rows = corpus.store.query(
        "SELECT id, origin, content_hash, url, title, site, outlet, published, date_source, n_sentences, "
        "n_attributions, n_entities, text, speakers, contents, report FROM articles ORDER BY id")
    out = []
    for row in rows:
        report = decode_report(row["report"], row["text"]).model_dump(mode="json")
        out.append((*tuple(row)[:-1], report))
    return out


def _table(corpus: Corpus, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in corpus.store.query(sql)]


def test_dask_engine_stores_what_the_local_engine_stores(cluster: Any, local_store: Corpus, tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "dask.db")
    work = tmp_path / "work"
    with DaskEngine(scheduler=cluster.scheduler_address, learned=False) as engine:
        costs = StageCosts()
        summary = _dask_add(corpus, engine, work, partition_mb=0.002, costs=costs)
        assert engine.workers == 2
        assert {info["pid"] for info in engine.worker_info} == set(engine.worker_pids().values())
        if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
            # the nanny's small malloc trim threshold (10 % slower analysis) undone on every worker
            assert all(info["roomy_malloc"] for info in engine.worker_info)
        reuse_costs = ReuseCosts()
        run_reuse(corpus.store, engine, work, partition_mb=0.004, costs=reuse_costs)
        run_stories(corpus.store, engine, work, partition_mb=0.004)
    assert summary.stored == TEXTS and summary.errors == 0 and summary.duplicates == 0
    assert costs.partitions >= 4  # cut by text volume: several partitions, so both workers had work
    assert {r.pid for r in costs.results} == {info["pid"] for info in engine.worker_info}
    assert reuse_costs.shuffle_rows["postings by hash"] > 0 and reuse_costs.shuffle_rows["pairs by target"] > 0

    assert _articles(corpus) == _articles(local_store)
    assert (_table(corpus, "SELECT origin, status, article_id FROM inputs ORDER BY origin")
            == _table(local_store, "SELECT origin, status, article_id FROM inputs ORDER BY origin"))
    passages = ("SELECT source_id, target_id, source_start, source_end, target_start, target_end, words, similarity, "
                "kind, credited, credit_name, credit_start, credit_end, dated FROM reuse_passages "
                "ORDER BY target_id, source_id, target_start")
    found = _table(corpus, passages)
    assert found == _table(local_store, passages)
    assert len(found) >= 3 and {row[8] for row in found} >= {"copy", "shared_quote"}
    indexed = "SELECT article_id, status, reason, n_words FROM reuse_articles ORDER BY article_id"
    assert _table(corpus, indexed) == _table(local_store, indexed)
    assert (_table(corpus, "SELECT hash, article_id FROM reuse_postings ORDER BY hash, article_id")
            == _table(local_store, "SELECT hash, article_id FROM reuse_postings ORDER BY hash, article_id"))
    stories = "SELECT article_id, story_id, status, reason FROM story_articles ORDER BY article_id"
    assert _table(corpus, stories) == _table(local_store, stories)
    assert (_table(corpus, "SELECT id, label, n_articles, first_date, last_date FROM stories ORDER BY id")
            == _table(local_store, "SELECT id, label, n_articles, first_date, last_date FROM stories ORDER BY id"))
    assert max(row[2] for row in _table(corpus, "SELECT id, label, n_articles FROM stories")) >= 5

    # the shards are a Parquet corpus: another store attaches them, each article once, and a second attach adds
    # nothing; a rerun into a fresh store with the same work dir computes nothing again (every shard skipped)
    other = Corpus(tmp_path / "attached.db")
    assert attach(other.store, work).stored == TEXTS
    assert attach(other.store, work / "analysis").stored == 0
    assert _articles(other) == _articles(corpus)
    again = Corpus(tmp_path / "again.db")
    with DaskEngine(scheduler=cluster.scheduler_address, learned=False) as engine:
        rerun_costs = StageCosts()
        rerun = _dask_add(again, engine, work, partition_mb=0.002, costs=rerun_costs)
    assert rerun_costs.skipped == rerun_costs.partitions == costs.partitions
    assert rerun.stored == TEXTS and _articles(again) == _articles(corpus)


def test_claims_on_the_engine_are_the_in_process_claims(cluster: Any, local_store: Corpus, tmp_path: Path) -> None:
    """``corpus claims --engine dask``: every story's claims, stances and contradictions computed on the workers
    are the ones computed in this process; a second run over the same work directory computes nothing again."""
    def claims(*options: str) -> list[dict[str, Any]]:
        result = CliRunner().invoke(app, ["corpus", "claims", "--db", str(local_store.path), "-f", "json",
                                          "--min-articles", "1", *options])
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines()]

    in_process = claims()
    work = tmp_path / "claims-work"
    on_dask = ["--engine", "dask", "--scheduler", cluster.scheduler_address, "--work-dir", str(work),
               "--partition-mb", "0.001"]
    assert claims(*on_dask) == in_process
    assert len({c["story_id"] for c in in_process}) >= 2 and any(c["contradicting"] or c["contradictions"]
                                                                  for c in in_process)
    shards = {p: p.stat().st_mtime_ns for p in (work / "claims").glob("*.parquet")}
    assert len(shards) >= 2  # one partition per story at this size: both workers had work
    assert claims(*on_dask) == in_process
    assert {p: p.stat().st_mtime_ns for p in (work / "claims").glob("*.parquet")} == shards


def test_a_worker_killed_mid_run(cluster: Any, tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "fault.db")
    killed: list[int] = []
    busy: list[str] = []
    with DaskEngine(scheduler=cluster.scheduler_address, learned=False) as engine:

        def advance(n: int) -> None:  # called as the driver stores the first rows, while partitions are in flight
            if killed:
                return
            processing = engine.client.processing()
            address = next(a for a, keys in sorted(processing.items()) if any("part-" in str(k) for k in keys))
            busy.extend(str(k) for k in processing[address])
            pid = engine.worker_pids()[address]
            os.kill(pid, signal.SIGKILL)  # the worker process itself, in the middle of a partition
            killed.append(pid)

        # one or two articles a partition, four in flight: the kill always lands on a busy worker
        summary = _dask_add(corpus, engine, tmp_path / "work", partition_mb=0.002, advance=advance)
        after = set(engine.worker_pids().values())
    assert killed and killed[0] not in after  # the nanny started a new worker process in its place
    assert any(key.startswith("analysis-part-") for key in busy)
    assert summary.stored == TEXTS and summary.errors == 0 and summary.duplicates == 0
    counts = _table(corpus, "SELECT count(*), count(DISTINCT content_hash), count(DISTINCT origin) FROM articles")
    assert counts == [(TEXTS, TEXTS, TEXTS)]
    assert _table(corpus, "SELECT status, count(*) FROM inputs GROUP BY status") == [("stored", TEXTS)]
    assert corpus.store.integrity_check() == "ok"
