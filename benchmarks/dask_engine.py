"""Dask engine benchmark: the local engine against Dask with 1 and 2 workers on the same texts in the same run;
per-partition cost, shuffle volume per stage, and a projection (stated as such) to 1M and 10M articles.

Run from the repository root::

    nice -n 10 python benchmarks/dask_engine.py [--articles 32] [--rules-only] [--no-docs]

Four phases, each in its own fresh process, each building a new store from the same JSONL feed (the first
``--articles`` PolNeAR dev texts, or the bundled demo corpus when ../shared is absent): ``local-1`` and
``local-2`` (``corpus add`` as today: the runner in-process and with 2 forked workers), ``dask-1`` and ``dask-2``
(``corpus add --engine dask``: a LocalCluster of 1 or 2 worker processes, shards, the driver storing them). Each
phase then brings the copied-passages index and the stories up to date — the local way in the local phases, on
the engine in the Dask ones. Times count from the moment the workers have loaded their models (start-up is
reported apart); Dask's overhead is its analysis time over the local engine's at the same worker count. Rewrites
the ``dask-engine`` section of docs/benchmarks.md unless ``--no-docs``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from docs_section import REPO_ROOT, cpu_model, git_commit, markdown_table, today, write_section

SHARED = REPO_ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"
DEMO = REPO_ROOT / "src" / "sourcetrace" / "resources" / "demo_corpus" / "demo-corpus.jsonl"


def _feed(path: Path, articles: int) -> tuple[str, int, int]:
    """The benchmark's texts as JSONL; (where they came from, how many, their characters)."""
    if SHARED.is_dir():
        rows = [{"id": p.stem, "text": p.read_text("utf-8")} for p in sorted(SHARED.glob("*.txt"))[:articles]]
        origin = f"PolNeAR dev, first {len(rows)} texts"
    else:
        rows = [json.loads(line) for line in DEMO.read_text("utf-8").splitlines() if line.strip()]
        origin = f"the bundled demo corpus ({len(rows)} texts; ../shared absent)"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return origin, len(rows), sum(len(r["text"]) for r in rows)


# ---- one phase, in its own process ------------------------------------------------------------------------------


def phase(kind: str, workers: int, feed: Path, work: Path, learned: bool, partition_mb: float) -> dict[str, Any]:
    import psutil  # installed with distributed

    from sourcetrace.corpus import Corpus
    from sourcetrace.corpus.engine import open_engine
    from sourcetrace.corpus.engine.analysis import StageCosts, run_add
    from sourcetrace.corpus.engine.reuse import ReuseCosts, run_reuse
    from sourcetrace.corpus.engine.stories import StageCosts as StoryCosts
    from sourcetrace.corpus.engine.stories import run_stories
    from sourcetrace.corpus.runner import RunSummary, unseen
    from sourcetrace.corpus.sources import iter_inputs
    from sourcetrace.stories.assign import assign_stories
    from sourcetrace.stories.reuse import ReuseIndex

    marks: dict[str, float] = {}
    out: dict[str, Any] = {"kind": kind, "workers": workers}
    corpus = Corpus(work / "store.db")
    started = time.perf_counter()
    me = psutil.Process()

    def cpu_now() -> float:
        """CPU seconds of this process and every live descendant (worker processes, Dask's nannies)."""
        times = me.cpu_times()
        total = times.user + times.system
        for child in me.children(recursive=True):
            try:
                child_times = child.cpu_times()
            except psutil.Error:
                continue
            total += child_times.user + child_times.system
        return float(total)

    def ready() -> None:
        marks["ready"] = time.perf_counter()
        marks["cpu0"] = cpu_now()

    def advance(n: int) -> None:  # sampled as rows are stored, while the workers are alive (the last one counts)
        marks["cpu1"] = cpu_now()

    if kind == "local":
        summary = corpus.add(feed, workers=workers, learned=learned, on_ready=ready, advance=advance)
        out["analysis_s"] = time.perf_counter() - marks["ready"]
        out["start_s"] = marks["ready"] - started
        clock = time.perf_counter()
        reuse = ReuseIndex(corpus.store).update()
        out["reuse_s"] = time.perf_counter() - clock
        clock = time.perf_counter()
        stories = assign_stories(corpus.store)
        out["stories_s"] = time.perf_counter() - clock
    else:
        costs, reuse_costs, story_costs = StageCosts(), ReuseCosts(), StoryCosts()
        with open_engine("dask", workers=workers, learned=learned) as engine:
            items = unseen(corpus.store, iter_inputs([feed]), RunSummary())
            summary = run_add(corpus.store, items, engine, work / "shards", learned=learned, on_ready=ready,
                              advance=advance, partition_mb=partition_mb, costs=costs)
            out["analysis_s"] = time.perf_counter() - marks["ready"]
            out["start_s"] = marks["ready"] - started
            out["worker_rss_mib"] = max(info.get("rss", 0) for info in getattr(engine, "worker_info", [])) / 2**20
            clock = time.perf_counter()
            reuse = run_reuse(corpus.store, engine, work / "shards", partition_mb=partition_mb, costs=reuse_costs)
            out["reuse_s"] = time.perf_counter() - clock
            clock = time.perf_counter()
            stories = run_stories(corpus.store, engine, work / "shards", partition_mb=partition_mb, costs=story_costs)
            out["stories_s"] = time.perf_counter() - clock
        out["partitions"] = [{"chars": r.chars, "rows": r.rows, "seconds": r.seconds, "bytes": r.bytes}
                             for r in costs.results]
        out["reuse_stages"] = {name: {"partitions": s.partitions, "worker_s": s.worker_seconds,
                                      "bytes": s.shard_bytes} for name, s in reuse_costs.stages.items()}
        out["reuse_seconds"] = reuse_costs.seconds
        out["shuffle_rows"] = reuse_costs.shuffle_rows
        out["shuffle_bytes"] = reuse_costs.shuffle_bytes
        out["story_terms_worker_s"] = story_costs.worker_seconds
    out["cpu_s"] = marks["cpu1"] - marks["cpu0"]
    out.update(stored=summary.stored, errors=summary.errors, store_s=summary.store_seconds,
               worker_analysis_s=summary.analysis_seconds, passages=reuse.passages, placed=stories.placed,
               stories_place_s=stories.seconds)
    corpus.close()
    return out


def _run(args: list[str]) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"phase {args[:3]} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


# ---- the report ----------------------------------------------------------------------------------------------


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def projection(dask2: dict[str, Any], articles: int) -> list[list[str]]:
    """Hours for N articles on W workers, from this run's per-article costs (a projection, not a measurement)."""
    # CPU seconds per article, Dask's own included (driver, scheduler, nannies, workers): what a dedicated core
    # spends; the wall times of this shared machine are inflated by the other jobs' load
    analysis = dask2["cpu_s"] / articles
    store = dask2["store_s"] / articles  # the driver's, serial whatever the cluster
    reuse_worker = sum(s["worker_s"] for s in dask2["reuse_stages"].values()) / articles
    stories_driver = dask2["stories_place_s"] / articles
    rows = []
    for n in (1_000_000, 10_000_000):
        for w in (16, 64):
            analysis_h = n * analysis / w / 3600
            store_h = n * store / 3600
            add_h = max(analysis_h, store_h)  # the driver stores while the workers analyse
            reuse_h = n * reuse_worker / w / 3600
            stories_h = n * stories_driver / 3600
            bound = "workers" if analysis_h >= store_h else "the driver's store writes"
            rows.append([f"{n:,}", str(w), f"{analysis_h:,.1f}", f"{store_h:,.1f}", f"{add_h:,.1f} ({bound})",
                         f"{reuse_h:,.2f}", f"{stories_h:,.1f}"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=32)
    parser.add_argument("--rules-only", action="store_true", help="Skip the learned tagger.")
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved rounds; each phase keeps its best.")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--phase", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        kind, workers, feed, work, partition_mb = args.phase
        result = phase(kind, int(workers), Path(feed), Path(work), not args.rules_only, float(partition_mb))
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        origin, n, chars = _feed(root / "feed.jsonl", args.articles)
        # about four partitions per worker of the larger cluster: enough to balance, few enough to amortise
        partition_mb = max(chars / 8 / 1_000_000, 0.001)
        load_before = _load()
        results: dict[str, dict[str, Any]] = {}
        # the four phases in turn, --rounds times, each keeping its fastest round: on a shared machine the
        # other jobs' load comes and goes, and the best of interleaved rounds compares like with like
        for round_ in range(args.rounds):
            for kind, workers in (("local", 1), ("dask", 1), ("local", 2), ("dask", 2)):
                name = f"{kind}-{workers}"
                work = root / f"{name}-{round_}"
                work.mkdir()
                extra = ["--rules-only"] if args.rules_only else []
                result = _run(["--phase", kind, str(workers), str(root / "feed.jsonl"), str(work), str(partition_mb),
                               *extra])
                result["rounds"] = [*results.get(name, {}).get("rounds", []), result["analysis_s"]]
                if name not in results or result["analysis_s"] < results[name]["analysis_s"]:
                    results[name] = result
                else:
                    results[name]["rounds"] = result["rounds"]
                print(f"{name} round {round_ + 1}: {result['analysis_s']:.1f} s", file=sys.stderr)
        load_after = _load()
    for workers in (1, 2):
        dask, local = results[f"dask-{workers}"], results[f"local-{workers}"]
        dask["overhead"] = dask["analysis_s"] / local["analysis_s"]
        dask["cpu_overhead"] = dask["cpu_s"] / local["cpu_s"]
    rows = []
    for name, r in results.items():
        overhead = f"{(r['overhead'] - 1) * 100:+.1f} %" if "overhead" in r else "—"
        cpu_overhead = f"{(r['cpu_overhead'] - 1) * 100:+.1f} %" if "cpu_overhead" in r else "—"
        rows.append([name, str(r["stored"]), f"{r['start_s']:.1f}",
                     f"{r['analysis_s']:.1f} ({', '.join(f'{x:.1f}' for x in r['rounds'])})",
                     f"{r['stored'] / r['analysis_s']:.2f}", overhead, f"{r['cpu_s']:.1f}", cpu_overhead,
                     f"{r['reuse_s']:.2f}", f"{r['stories_s']:.2f}",
                     str(r["passages"])])
    table = markdown_table(["engine", "stored", "start-up s", "analysis s, best (rounds)", "articles/s",
                            "Dask overhead (wall)", "CPU s", "Dask overhead (CPU)", "reuse s", "stories s",
                            "passages"], rows)
    d2 = results["dask-2"]
    parts = d2["partitions"]
    part_rows = [[str(len(parts)), f"{sum(p['chars'] for p in parts) / len(parts) / 1000:,.1f}",
                  f"{sum(p['rows'] for p in parts) / len(parts):.1f}",
                  f"{sum(p['seconds'] for p in parts) / len(parts):.2f}",
                  f"{sum(p['seconds'] for p in parts) / (sum(p['chars'] for p in parts) / 1e6):,.0f}",
                  f"{sum(p['bytes'] for p in parts) / len(parts) / 1024:,.1f}"]]
    part_table = markdown_table(["partitions", "kB of text each", "articles each", "worker s each",
                                 "worker s per MB of text", "shard kB each"], part_rows)
    shuffle_rows = []
    for key in d2["shuffle_rows"]:
        shuffle_rows.append([key, f"{d2['shuffle_rows'][key]:,}", f"{d2['shuffle_rows'][key] / n:,.1f}",
                             f"{d2['shuffle_bytes'][key] / 1024:,.1f}", f"{d2['shuffle_bytes'][key] / n:,.0f}"])
    shuffle_table = markdown_table(["shuffle", "rows", "rows per article", "kB (Parquet, zstd)", "bytes per article"],
                                   shuffle_rows)
    stage_rows = [[name, str(s["partitions"]), f"{s['worker_s']:.2f}", f"{d2['reuse_seconds'].get(name, 0):.2f}"]
                  for name, s in d2["reuse_stages"].items()]
    stage_table = markdown_table(["reuse stage (dask-2)", "tasks", "worker s", "wall s"], stage_rows)
    proj = markdown_table(["articles", "workers", "analysis h", "driver store h", "corpus add h", "reuse workers h",
                           "stories placing h"], projection(d2, n))
    body = f"""## Dask engine (`benchmarks/dask_engine.py`, issue 25)

{today()}, commit {git_commit()}, {cpu_model()}; {origin}, {chars:,} characters; {"rules only" if args.rules_only
else "full pipeline (learned tagger)"}; partitions of {partition_mb * 1000:.1f} kB of text. Load average
(1/5/15 min) {load_before} before, {load_after} after, on 2 cores (above 2, other jobs competed with the run): the
ratios below, measured in one run with the phases interleaved, mean more than the absolute times.
Reproduce: `nice -n 10 python benchmarks/dask_engine.py --articles {args.articles}{" --rules-only" if
args.rules_only else ""}`.

{table}

Start-up is the workers starting and loading the models (Dask: cluster start, probe, load), paid once per run.
Analysis counts from then to the last article stored, the best of {args.rounds} interleaved rounds (all rounds in
brackets); the Dask overhead (wall) is that time over the local engine's at
the same worker count (goal ≤ 10 %). CPU s is the CPU time of the driver and all its worker processes over the
same interval (psutil; the scheduler and nannies included for Dask), from the same round: on a machine shared
with other jobs, wall time swings with their load while CPU time barely does, so the CPU overhead is the
steadier measure of what Dask adds. Reuse and stories on a corpus this small are dominated by task round trips
(Dask) or are a fraction of a second (local): those columns show the fixed cost, not a rate.

Per analysis partition (dask-2):

{part_table}

Shuffle volume of the copied-passages stages (dask-2; what moves between workers through the work directory):

{shuffle_table}

{stage_table}

Largest worker resident memory after loading the models (dask-2): {d2.get('worker_rss_mib', 0):,.0f} MiB.

**Projection, not a measurement**: hours for N articles from this run's per-article costs (dask-2: CPU seconds
per article of the whole run — workers, driver, scheduler, nannies — ÷ workers, i.e. a dedicated core per worker;
the driver's store writes (wall seconds here) are serial and overlap the analysis, so `corpus add` takes the
larger of the two; the reuse stages' worker seconds ÷ workers; story placing is serial on the driver and does not
shrink with workers). It assumes PolNeAR-like articles, one core per worker, linear
scaling, and a driver disk as fast as this one; it ignores the driver's reading of shards over a network
filesystem, and the reuse alignment's growth with the number of candidate pairs, which grows with the corpus.

{proj}
"""
    print(body)
    if not args.no_docs:
        write_section("dask-engine", body)


if __name__ == "__main__":
    main()
