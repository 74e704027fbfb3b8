"""Corpus benchmark: ``corpus add`` with 1 and 2 workers next to the single-process ``analyze`` loop on the same
texts in the same run; store overhead, store size, peak memory per worker; ``corpus search`` latency on a large
store.

Run from the repository root::

    python benchmarks/corpus_speed.py [--articles 84] [--search-articles 100000] [--no-docs]

Each of the three analysis phases runs in its own fresh process (so peak memory is that phase's own), on the
first ``--articles`` PolNeAR dev texts: ``analyze`` builds one ``Pipeline`` and calls ``analyze`` per text;
``add-1`` and ``add-2`` run ``Corpus.add`` on the same texts as a JSONL file into a new store with 1 worker
(in-process) and 2 worker processes. Rates count from the moment the models are loaded (every phase pays its
own load once, reported apart). Store overhead is the main process's time writing articles, as a share of the
workers' time analysing them.

The search store is built from the ``add-1`` store by copying its articles under new ids until it holds
``--search-articles`` (no re-analysis: the full-text index is built by the same triggers as in a real run),
then each query of a fixed list runs ``--repeats`` times through ``Corpus.search`` (top 20, bm25, snippets).
Rewrites the ``corpus-speed`` section of docs/benchmarks.md unless ``--no-docs``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from docs_section import REPO_ROOT, git_commit, markdown_table, today, write_section

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"
QUERIES = [
    "Clinton campaign", "Trump said", "email server", "FBI director", '"Affordable Care Act"', "Supreme Court",
    "debate moderator", "Breitbart", "WikiLeaks", "polls show", "immigration", "voter fraud", "Pence",
    "Obamacare premiums", "Russian hacking", "tax returns", "Green Party", "Gary Johnson", "Benghazi",
    "sexual assault allegations", "Kellyanne Conway", "Paul Ryan endorsement", "Florida early voting",
]
RAW_QUERIES = ["speakers: Comey", "speakers: Conway", "title: Clinton AND contents: emails"]


def _texts(data: Path, limit: int) -> list[tuple[str, str]]:
    files = sorted(data.glob("*.txt"))[:limit]
    return [(path.stem, path.read_text("utf-8")) for path in files]


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


# ---- the phases, each run in its own process ----------------------------------------------------------


def phase_analyze(texts: list[tuple[str, str]]) -> dict[str, float]:
    from sourcetrace import Pipeline

    started = time.perf_counter()
    pipeline = Pipeline()
    pipeline.analyze("Warm-up. The mayor said the budget was balanced.")
    loaded, cpu = time.perf_counter(), _cpu(resource.RUSAGE_SELF)
    for _, text in texts:
        pipeline.analyze(text)
    done = time.perf_counter()
    return {"load_s": loaded - started, "run_s": done - loaded, "cpu_s": _cpu(resource.RUSAGE_SELF) - cpu,
            "peak_mib": _peak_mib(resource.RUSAGE_SELF)}


def phase_add(feed: Path, db: Path, workers: int) -> dict[str, float]:
    from sourcetrace import Corpus

    marks: dict[str, float] = {}
    started = time.perf_counter()

    cpu_start = _cpu(resource.RUSAGE_SELF)

    def ready() -> None:
        marks.update(ready=time.perf_counter(), cpu=_cpu(resource.RUSAGE_SELF))
        marks["load_cpu"] = marks["cpu"] - cpu_start

    with Corpus(db) as corpus:
        summary = corpus.add(feed, workers=workers, on_ready=ready)
        done = time.perf_counter()
        stored = len(corpus)
    # the workers' CPU time includes their model load, measured apart by the load phase of add-1
    return {"load_s": marks["ready"] - started, "run_s": done - marks["ready"], "stored": stored,
            "errors": summary.errors, "store_s": summary.store_seconds, "analysis_s": summary.analysis_seconds,
            "cpu_s": _cpu(resource.RUSAGE_SELF) - marks["cpu"], "load_cpu_s": marks["load_cpu"],
            "worker_cpu_s": _cpu(resource.RUSAGE_CHILDREN),
            "peak_mib": _peak_mib(resource.RUSAGE_SELF), "worker_peak_mib": _peak_mib(resource.RUSAGE_CHILDREN)}


def _run_phase(args: list[str]) -> dict[str, float]:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"phase {args[:2]} failed:\n{result.stderr}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


# ---- the search store ---------------------------------------------------------------------------------


def build_search_store(source: Path, target: Path, articles: int) -> dict[str, float]:
    shutil.copy(source, target)
    connection = sqlite3.connect(target, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    base = int(connection.execute("SELECT count(*) FROM articles").fetchone()[0])
    columns = [row[1] for row in connection.execute("PRAGMA table_info(articles)") if row[1] != "id"]
    renamed = {"external_id": "'copy' || k.i || '-' || a.id", "url_key": "NULL",
               "content_hash": "a.content_hash || '-' || k.i", "origin": "a.origin || '#copy' || k.i"}
    select = ", ".join(renamed.get(column, f"a.{column}") for column in columns)
    started = time.perf_counter()
    copy = 0
    while True:
        have = int(connection.execute("SELECT count(*) FROM articles").fetchone()[0])
        if have >= articles:
            break
        rounds = max(1, min((articles - have) // base, 10_000 // base))
        connection.execute("BEGIN")
        connection.execute(
            f"WITH RECURSIVE k(i) AS (SELECT {copy + 1} UNION ALL SELECT i + 1 FROM k WHERE i < {copy + rounds}) "
            f"INSERT INTO articles ({', '.join(columns)}) SELECT {select} FROM k, "
            f"(SELECT * FROM articles WHERE id <= {base}) AS a LIMIT {articles - have}")
        connection.execute("COMMIT")
        copy += rounds
    built = time.perf_counter() - started
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return {"build_s": built, "bytes": target.stat().st_size}


def measure_search(db: Path, repeats: int) -> dict[str, float]:
    from sourcetrace import Corpus

    latencies = []
    hits = []
    with Corpus(db, read_only=True) as corpus:
        for raw, queries in ((False, QUERIES), (True, RAW_QUERIES)):
            for query in queries:
                corpus.search(query, raw=raw)  # warm-up: the first touch of each index page
                for _ in range(repeats):
                    started = time.perf_counter()
                    found = corpus.search(query, raw=raw, limit=20)
                    latencies.append((time.perf_counter() - started) * 1000)
                hits.append(len(found))
        articles = len(corpus)
    latencies.sort()
    return {"articles": articles, "queries": len(QUERIES) + len(RAW_QUERIES), "runs": len(latencies),
            "p50_ms": statistics.median(latencies), "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
            "max_ms": latencies[-1], "empty": hits.count(0)}


# ---- the report ---------------------------------------------------------------------------------------


def _built(seconds: float) -> str:
    return "by an earlier run" if seconds != seconds else f"in {seconds:.0f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=84, help="PolNeAR dev texts to analyse (84 in all)")
    parser.add_argument("--search-articles", type=int, default=100_000, help="articles in the search store")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each search query")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--keep", type=Path, help="keep the stores in this folder")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--reuse-search-store", action="store_true",
                        help="with --keep: measure search on the search.db an earlier run built there")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--feed", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    texts = _texts(args.data, args.articles)
    if args.phase == "analyze":
        print(json.dumps(phase_analyze(texts)))
        return
    if args.phase == "add":
        print(json.dumps(phase_add(args.feed, args.db, args.workers)))
        return
    if not texts:
        raise SystemExit(f"no texts in {args.data} (the PolNeAR data lives in ../shared/data/polnear)")

    folder = Path(tempfile.mkdtemp(prefix="corpus-bench-")) if args.keep is None else args.keep
    folder.mkdir(parents=True, exist_ok=True)
    feed = folder / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": name, "text": text}) + "\n" for name, text in texts), "utf-8")
    words = sum(len(text.split()) for _, text in texts)
    common = ["--articles", str(args.articles), "--data", str(args.data)]
    load_before = os.getloadavg()
    print(f"{len(texts)} texts, {words:,} words; load average {load_before[0]:.1f}", file=sys.stderr)
    analyze = _run_phase(["--phase", "analyze", *common])
    print(f"analyze: {analyze}", file=sys.stderr)
    adds = {}
    for workers in (1, 2):
        db = folder / f"add-{workers}.db"
        db.unlink(missing_ok=True)
        adds[workers] = _run_phase(["--phase", "add", "--feed", str(feed), "--db", str(db), "--workers",
                                    str(workers), *common])
        print(f"add-{workers}: {adds[workers]}", file=sys.stderr)
    load_after = os.getloadavg()

    connection = sqlite3.connect(folder / "add-1.db", isolation_level=None)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    store_bytes = (folder / "add-1.db").stat().st_size
    per_thousand_mib = store_bytes / len(texts) * 1000 / 2**20

    search_db = folder / "search.db"
    if args.reuse_search_store and search_db.exists():
        built = {"build_s": float("nan"), "bytes": search_db.stat().st_size}  # built by an earlier run
    else:
        built = build_search_store(folder / "add-1.db", search_db, args.search_articles)
    print(f"search store: {built}", file=sys.stderr)
    search = measure_search(search_db, args.repeats)
    print(f"search: {search}", file=sys.stderr)
    if args.keep is None:
        shutil.rmtree(folder)

    n = len(texts)
    rate = {"analyze": n / analyze["run_s"], 1: n / adds[1]["run_s"], 2: n / adds[2]["run_s"]}
    # CPU seconds per article: what a free core would spend; a worker's CPU time less its model load (the
    # 1-worker run's load, measured apart)
    cpu = {"analyze": analyze["cpu_s"] / n, 1: adds[1]["cpu_s"] / n,
           2: (adds[2]["worker_cpu_s"] - 2 * adds[1]["load_cpu_s"]) / n}
    main_cpu_2 = adds[2]["cpu_s"] / n
    rows = [
        ["`analyze` loop, 1 process", f"{analyze['load_s']:.1f}", f"{analyze['run_s']:.1f}",
         f"{rate['analyze']:.2f}", "1.00", f"{cpu['analyze']:.3f}", f"{analyze['peak_mib']:.0f}", "–"],
    ]
    for workers in (1, 2):
        phase = adds[workers]
        cpu_cell = f"{cpu[workers]:.3f}" + (f" per worker + {main_cpu_2:.3f} main" if workers > 1 else "")
        rows.append([f"`corpus add`, {workers} worker{'s' * (workers > 1)}", f"{phase['load_s']:.1f}",
                     f"{phase['run_s']:.1f}", f"{rate[workers]:.2f}", f"{rate[workers] / rate['analyze']:.2f}",
                     cpu_cell, f"{phase['peak_mib']:.0f}",
                     f"{phase['worker_peak_mib']:.0f}" if workers > 1 else "(in process)"])
    overhead = adds[1]["store_s"] / adds[1]["analysis_s"] * 100
    whole_overhead = (adds[1]["run_s"] / analyze["run_s"] - 1) * 100
    speedup = rate[2] / rate[1]
    # on two free cores: each worker runs at its own CPU cost per article, the main process's share on top
    free_speedup = 2 * cpu[1] / (cpu[2] + main_cpu_2)
    command = (f"python benchmarks/corpus_speed.py --articles {args.articles} --search-articles "
               f"{args.search_articles} --repeats {args.repeats}")
    body = f"""## Corpus: `corpus add` and `corpus search`

`{command}` — {today()}, sourcetrace commit `{git_commit()}`, {os.cpu_count()} CPUs ({platform.machine()}),
Python {platform.python_version()}. Load average {load_before[0]:.1f} before the analysis phases and
{load_after[0]:.1f} after them: this machine is shared, so wall-clock rates are only comparable within one run,
and CPU seconds per article say what a free core would do.

Texts: the first {n} PolNeAR dev articles ({words:,} words). Each phase runs in a fresh process; rates count from
the moment the models are loaded (the load column), on the same texts: the `analyze` loop builds one `Pipeline`
and calls `analyze` per text; `corpus add` reads the same texts as JSONL into a new store (1 worker: in the main
process; 2 workers: two worker processes, the main process reading and writing). Peak memory is each process's
own high-water mark (the worker column: the larger worker's).

| phase | load s | run s | articles/s | × analyze loop | CPU s per article | peak MiB (main) | peak MiB per worker |
|---|---|---|---|---|---|---|---|
""" + "\n".join("| " + " | ".join(row) + " |" for row in rows) + f"""

- **2 workers / 1 worker, wall clock: {speedup:.2f}×** (goal ≥ 1.7 on 2 cores). From the CPU cost per article,
  on two free cores: **{free_speedup:.2f}×** (2 × the 1-worker cost over a worker's cost plus the main
  process's share{"; over 2 only by the noise of CPU accounting" if free_speedup > 2 else ""}).
- **Store overhead: {overhead:.1f} %** of the analysis time (the main process writing each article, its
  attributions, outlet links, search entry and input record in one transaction, against the worker's time
  analysing it; goal ≤ 5 %). The whole `corpus add` run with 1 worker, ingestion included, took
  {whole_overhead:+.1f} % against the bare `analyze` loop.
- **Store size: {per_thousand_mib:.1f} MiB per 1,000 articles** ({store_bytes / 2**20:.1f} MiB for {n}, after a
  WAL checkpoint: text, compressed report, summary tables and full-text index).

Search: a store of **{search['articles']:,} articles**, built {_built(built['build_s'])} by copying the {n}
analysed articles under new ids (the full-text index built by the store's own triggers;
{built['bytes'] / 2**30:.2f} GiB). {search['queries']} queries ({len(QUERIES)} plain, e.g. "Clinton campaign",
"email server", a quoted phrase; {len(RAW_QUERIES)} in FTS5 syntax over speakers, titles and contents), each run
{args.repeats} times after a warm-up, top 20 by bm25 with snippets, through `Corpus.search`:

""" + markdown_table(["searches", "p50 ms", "p95 ms", "max ms", "queries with no hit"],
                     [[search["runs"], f"{search['p50_ms']:.1f}", f"{search['p95_ms']:.1f}",
                       f"{search['max_ms']:.1f}", search["empty"]]]) + """

Goal: p50 ≤ 50 ms. A query ranks every article that matches all its words, so a very common word over a large
store costs most; copies make every match count ×(copies), which is harsher than a real store of that size.
"""
    print(body)
    if not args.no_docs:
        write_section("corpus-speed", body)


if __name__ == "__main__":
    main()
