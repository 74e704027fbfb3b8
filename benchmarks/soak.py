"""Soak and load check of the web app (issue 26): ``sourcetrace serve --workers 2 --db STORE`` on loopback under a
bounded mix of good and bad requests from concurrent clients, for a set time (10 minutes by default).

Run from the repository root (on a shared machine, with nice)::

    nice -n 10 python benchmarks/soak.py [--duration 600] [--clients 8] [--shared-articles 60] [--no-docs]

A store is built first with ``sourcetrace corpus add``: the bundled demo corpus (7 articles) and, when ../shared
is there, the first ``--shared-articles`` articles of its FakeNewsCorpus sample. The server then runs as a user
starts it (one uvicorn process, analyses in ``--workers`` worker processes, the corpus pages and API over the
store), with the per-client rate limit raised above what the clients send, since they all come from one
address. Each client loops until the time is up, picking a request kind at random (fixed seed) from a weighted
mix: analyses (JSON and the HTML form), an editor adding an article and deleting it again, corpus search, lists
and stored reports (JSON and HTML), the small pages, and bad requests (malformed or non-JSON bodies, a body over
the limit, empty or German text, a private URL, unknown ids and routes, wrong methods). A good request counts as
an error unless answered 200; a bad one unless answered with the 4xx it deserves. At the end the store must hold
exactly the articles it held before. The server's resident memory (its own and its worker processes') is
sampled every few seconds; start, middle and end are reported, start being after the warm-up.

Prints a table per request kind (requests, requests/s, p50/p99/max latency, errors) and rewrites the
``web-soak`` section of docs/benchmarks.md (``--no-docs`` for a trial run; ``--json PATH`` saves the numbers).
Exits 1 when a good request failed, a bad one was not refused as it should be, or the store changed.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import psutil
from docs_section import cpu_model, git_commit, markdown_table, today, write_section
from rich.console import Console
from rich.table import Table
from web_load import free_port, percentile_ms, start_server

SHARED_SAMPLE = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "fakenewscorpus-sample" / \
    "news_sample.csv"
SEARCH_WORDS = ["Russia", "Iraq", "said", "air strikes", "\"prime minister\"", "government", "police", "Trump",
                "election", "reported", "according", "health", "Baghdad", "news", "war", "money"]
GERMAN = ("Die Bundesregierung hat am Dienstag neue Maßnahmen gegen die steigenden Energiepreise beschlossen. "
          "Der Minister sagte, die Lage sei ernst, aber man werde alles tun, um die Bürger zu schützen. "
          "Kritiker bemängeln, dass die Schritte zu spät kämen und nicht weit genug gingen.")
SAMPLE_EVERY_S = 5.0


@dataclass
class Kind:
    """One kind of request: how to send it, how often, and which statuses are right."""

    name: str
    group: str  # "analysis", "corpus", "pages" or "bad"
    weight: int
    expected: frozenset[int]
    send: Callable[[httpx.AsyncClient, random.Random], Any]


@dataclass
class Tally:
    latencies_s: list[float] = field(default_factory=list)
    wrong: dict[str, int] = field(default_factory=dict)

    def percentile(self, p: float) -> float:
        return percentile_ms(self.latencies_s, p)


def kinds(texts: list[str], ids: list[int]) -> list[Kind]:
    def word(rng: random.Random) -> str:
        return rng.choice(SEARCH_WORDS)

    def analyze(c: httpx.AsyncClient, rng: random.Random) -> Any:
        return c.post("/api/analyze", json={"text": rng.choice(texts)})

    def form(c: httpx.AsyncClient, rng: random.Random) -> Any:
        return c.post("/report", files={"text": (None, rng.choice(texts)), "title": (None, "")})

    async def add_then_delete(c: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        """An editor's round trip: a new article stored (201), then deleted (200); a failed add is answered as
        it came, so a duplicate (200 on add) cannot pass for a delete: the text is new every time."""
        text = f"{rng.choice(texts)}\n\nSoak marker {rng.getrandbits(64):x}."
        added = await c.post("/api/corpus/articles", json={"text": text})
        if added.status_code != 201:
            return httpx.Response(added.status_code if added.status_code != 200 else 299, request=added.request)
        return await c.delete(f"/api/corpus/articles/{added.json()['id']}")

    good, bad = frozenset({200}), frozenset
    return [
        Kind("analyze JSON", "analysis", 4, good, analyze),
        Kind("analyze form (HTML)", "analysis", 2, good, form),
        Kind("editor: add, then delete", "editor", 1, good, add_then_delete),
        Kind("corpus search API", "corpus", 8, good,
             lambda c, r: c.get("/api/corpus/search", params={"q": word(r), "limit": 20})),
        Kind("corpus search page", "corpus", 4, good, lambda c, r: c.get("/corpus", params={"q": word(r)})),
        Kind("corpus list page", "corpus", 2, good, lambda c, r: c.get("/corpus", params={"page": r.choice([1, 2])})),
        Kind("stored report JSON", "corpus", 6, good, lambda c, r: c.get(f"/api/corpus/articles/{r.choice(ids)}")),
        Kind("stored report HTML", "corpus", 4, good, lambda c, r: c.get(f"/corpus/articles/{r.choice(ids)}")),
        Kind("small pages", "pages", 6, good, lambda c, r: c.get(r.choice(
            ["/", "/healthz", "/api/schema", "/api/corpus/stats", "/api/outlets/reuters.com", "/openapi.json"]))),
        Kind("bad: malformed JSON", "bad", 2, bad({422}), lambda c, r: c.post(
            "/api/analyze", content=b'{"text": "unterminated', headers={"content-type": "application/json"})),
        Kind("bad: not JSON", "bad", 2, bad({415}), lambda c, r: c.post(
            "/api/analyze", content=b"\x89PNG\r\n\x1a\n" + bytes(range(256)), headers={"content-type": "image/png"})),
        Kind("bad: body over the limit", "bad", 1, bad({413}), lambda c, r: c.post(
            "/api/analyze", content=b'{"text": "' + b"a" * 2_100_000 + b'"}',
            headers={"content-type": "application/json"})),
        Kind("bad: empty text", "bad", 2, bad({422}), lambda c, r: c.post("/api/analyze", json={"text": "  \n "})),
        Kind("bad: not English", "bad", 2, bad({422}), lambda c, r: c.post("/api/analyze", json={"text": GERMAN})),
        Kind("bad: private URL", "bad", 2, bad({400}), lambda c, r: c.post(
            "/api/analyze", json={"url": r.choice(["http://127.0.0.1:9/", "http://169.254.169.254/latest/",
                                                    "http://10.0.0.1/"])})),
        Kind("bad: unknown field", "bad", 1, bad({422}), lambda c, r: c.post(
            "/api/analyze", json={"text": "x", "evil": True})),
        Kind("bad: unknown article", "bad", 2, bad({404}), lambda c, r: c.get("/api/corpus/articles/987654")),
        Kind("bad: malformed id", "bad", 1, bad({422}), lambda c, r: c.get("/api/corpus/articles/1%20OR%201=1")),
        Kind("bad: path traversal", "bad", 1, bad({404}),
             lambda c, r: c.get("/corpus/articles/..%2F..%2Fetc%2Fpasswd")),
        Kind("bad: unknown route", "bad", 1, bad({404}), lambda c, r: c.get("/admin/../../etc/passwd")),
        Kind("bad: search without a query", "bad", 1, bad({422}), lambda c, r: c.get("/api/corpus/search")),
        Kind("bad: wrong method", "bad", 1, bad({405}), lambda c, r: c.delete("/api/analyze")),
    ]


# ---- the store and the server ---------------------------------------------------------------------------


def build_store(directory: Path, shared_articles: int) -> tuple[Path, int, float]:
    """The demo corpus and the first ``shared_articles`` of the shared sample, added with ``corpus add``."""
    source = directory / "articles.jsonl"
    lines = resources.files("sourcetrace.resources").joinpath("demo_corpus", "demo-corpus.jsonl").read_text(
        "utf-8").splitlines()
    if shared_articles and SHARED_SAMPLE.exists():
        csv.field_size_limit(50_000_000)
        with SHARED_SAMPLE.open(encoding="utf-8", newline="") as handle:
            for n, row in enumerate(csv.DictReader(handle)):
                if n >= shared_articles:
                    break
                if row.get("content") and row.get("title"):
                    lines.append(json.dumps({"id": f"fnc-{row['id']}", "url": row.get("url") or None,
                                             "title": row["title"], "text": f"{row['title']}\n\n{row['content']}"}))
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = directory / "store.db"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sourcetrace.cli", "corpus", "add", str(source), "--db", str(store),
                           "--workers", "2"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"error: corpus add failed: {(done.stderr or done.stdout).strip()[-500:]}")
    return store, len(lines), time.perf_counter() - started


class Memory:
    """Resident memory of the server process and of its children (the analysis workers), sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.samples: list[tuple[float, int, int, int]] = []  # (time, server, workers, worker count)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        try:
            server = self.process.memory_info().rss
            children = self.process.children(recursive=True)
            workers = 0
            for child in children:
                try:
                    workers += child.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            self.samples.append((time.monotonic(), server, workers, len(children)))
        except psutil.NoSuchProcess:
            pass

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            self.sample()

    def start(self) -> None:
        self.sample()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def at(self, fraction: float) -> tuple[float, int, int, int]:
        return self.samples[min(len(self.samples) - 1, round(fraction * (len(self.samples) - 1)))]


# ---- the load ---------------------------------------------------------------------------------------------


async def soak(base: str, mix: list[Kind], clients: int, duration: float, seed: int) -> tuple[dict[str, Tally], float]:
    tallies = {kind.name: Tally() for kind in mix}
    weights = [kind.weight for kind in mix]
    deadline = time.perf_counter() + duration
    started = time.perf_counter()

    async def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        async with httpx.AsyncClient(base_url=base, timeout=120) as session:
            while time.perf_counter() < deadline:
                kind = rng.choices(mix, weights)[0]
                tally = tallies[kind.name]
                sent = time.perf_counter()
                try:
                    response = await kind.send(session, rng)
                    await response.aread()
                    outcome = response.status_code
                except httpx.HTTPError as error:
                    outcome = -1
                    tally.wrong[error.__class__.__name__] = tally.wrong.get(error.__class__.__name__, 0) + 1
                tally.latencies_s.append(time.perf_counter() - sent)
                if outcome != -1 and outcome not in kind.expected:
                    tally.wrong[f"HTTP {outcome}"] = tally.wrong.get(f"HTTP {outcome}", 0) + 1

    await asyncio.gather(*(client(n) for n in range(clients)))
    return tallies, time.perf_counter() - started


async def warm_up(base: str, texts: list[str]) -> None:
    """Every text analysed twice (so most likely by each worker: their vocabularies have grown)."""
    async with httpx.AsyncClient(base_url=base, timeout=120) as session:
        for text in texts + texts:
            (await session.post("/api/analyze", json={"text": text})).raise_for_status()


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load (default 600)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="the server's analysis workers (default 2)")
    parser.add_argument("--shared-articles", type=int, default=60,
                        help="articles of ../shared's FakeNewsCorpus sample added to the store (default 60)")
    parser.add_argument("--warmup", type=float, default=60.0,
                        help="seconds of the same mix before measuring, so caches are filled (default 60)")
    parser.add_argument("--seed", type=int, default=26)
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args()
    if not (1 <= args.duration <= 24 * 3600 and 0 <= args.warmup <= 3600 and 1 <= args.clients <= 64
            and 1 <= args.workers <= 16):
        parser.error("--duration must be 1..86400 s, --warmup 0..3600 s, --clients 1..64 and --workers 1..16")
    if not 0 <= args.shared_articles <= 250:
        parser.error("--shared-articles must be 0..250 (the sample has 250)")

    console = Console(width=max(110, Console().width))  # the per-kind table reads badly wrapped
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="sourcetrace-soak-") as tmp:
        directory = Path(tmp)
        with console.status("Building the store (corpus add)…"):
            store, n_inputs, add_s = build_store(directory, args.shared_articles)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with console.status(f"Starting sourcetrace serve --workers {args.workers}…"):
            started = time.perf_counter()
            server = start_server(port, directory / "server.log", timeout=180.0, extra_args=[
                "--workers", str(args.workers), "--db", str(store), "--rate-limit", "10000", "--rate-burst", "10000"])
            startup_s = time.perf_counter() - started
        try:
            stats = httpx.get(f"{base}/api/corpus/stats", timeout=30).json()
            listed = httpx.get(f"{base}/api/corpus/search", params={"q": "the", "limit": 200}, timeout=30).json()
            ids = [hit["id"] for hit in listed] or [1]
            texts = [line["text"] for line in map(json.loads, (directory / "articles.jsonl").read_text(
                "utf-8").splitlines()) if len(line["text"]) < 20_000][:12]
            mix = kinds(texts, ids)
            with console.status(f"Warming up: every text analysed, then the mix for {args.warmup:g} s…"):
                asyncio.run(warm_up(base, texts if args.warmup else texts[:1]))
                asyncio.run(soak(base, mix, args.clients, args.warmup, args.seed + 1))
            memory = Memory(server.pid)
            memory.start()
            with console.status(f"{args.clients} clients for {args.duration:g} s…"):
                tallies, elapsed = asyncio.run(soak(base, mix, args.clients, args.duration, args.seed))
            memory.stop()
            healthy = httpx.get(f"{base}/healthz", timeout=30).status_code == 200
            # nothing stored before the load was lost, and every article the editors added is gone again
            after = httpx.get(f"{base}/api/corpus/stats", timeout=30).json()
            kept = sum(httpx.get(f"{base}/api/corpus/articles/{i}", timeout=60).status_code == 200 for i in ids)
            store_intact = after.get("articles") == stats.get("articles") and kept == len(ids)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        server_log = (directory / "server.log").read_text(errors="replace")
    load_after = os.getloadavg()
    tracebacks = server_log.count("Traceback")

    table = Table(title=f"{args.clients} clients, {elapsed:.0f} s, serve --workers {args.workers}",
                  title_justify="left")
    headers = ["request kind", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "wrong answers"]
    for column in headers:
        table.add_column(column, justify="left" if column == "request kind" else "right")
    rows: list[list[str]] = []
    groups: dict[str, Tally] = {}
    for kind in mix:
        tally = tallies[kind.name]
        group = groups.setdefault("all bad requests" if kind.group == "bad" else "all good requests", Tally())
        group.latencies_s += tally.latencies_s
        for key, count in tally.wrong.items():
            group.wrong[key] = group.wrong.get(key, 0) + count
    for name, tally in [*((k.name, tallies[k.name]) for k in mix), *groups.items()]:
        wrong = ", ".join(f"{key}: {count}" for key, count in sorted(tally.wrong.items())) or "0"
        rows.append([name, f"{len(tally.latencies_s):,}", f"{len(tally.latencies_s) / elapsed:.2f}",
                     f"{tally.percentile(50):.0f}", f"{tally.percentile(99):.0f}",
                     f"{max(tally.latencies_s, default=float('nan')) * 1000:.0f}", wrong])
    for row in rows:
        table.add_row(*row)
    console.print(table)
    total = sum(len(t.latencies_s) for t in tallies.values())
    good_errors = sum(groups.get("all good requests", Tally()).wrong.values())
    bad_wrong = sum(groups.get("all bad requests", Tally()).wrong.values())
    marks = [("start", 0.0), ("middle", 0.5), ("end", 1.0)]
    memory_rows = []
    for label, fraction in marks:
        at, server_rss, workers_rss, children = memory.at(fraction)
        memory_rows.append([label, f"{at - memory.samples[0][0]:.0f}", _mib(server_rss), _mib(workers_rss),
                            str(children)])
    peak_server = max(s[1] for s in memory.samples)
    peak_workers = max(s[2] for s in memory.samples)
    growth_server = memory.at(1.0)[1] / memory.at(0.0)[1] - 1
    growth_workers = memory.at(1.0)[2] / memory.at(0.0)[2] - 1 if memory.at(0.0)[2] else float("nan")
    memory_table = markdown_table(["when", "s", "server RSS MiB", "worker processes RSS MiB", "child processes"],
                                  memory_rows)
    console.print(memory_table)
    summary = (f"{total:,} requests in {elapsed:.0f} s ({total / elapsed:.1f}/s); good requests answered wrongly: "
               f"{good_errors}; bad requests not refused as they should be: {bad_wrong}; server RSS "
               f"{growth_server:+.1%} start to end (peak {_mib(peak_server)} MiB), workers {growth_workers:+.1%} "
               f"(peak {_mib(peak_workers)} MiB); tracebacks in the server log: {tracebacks}; healthy at the end: "
               f"{healthy}; store as before the load ({stats.get('articles')} articles, {kept} of {len(ids)} "
               f"checked by id): {store_intact}")
    console.print(summary)
    results = {"duration_s": elapsed, "requests": total, "good_errors": good_errors, "bad_wrong": bad_wrong,
               "healthy": healthy, "store_intact": store_intact, "tracebacks": tracebacks, "memory": memory.samples,
               "kinds": {name: {"n": len(t.latencies_s), "p50_ms": t.percentile(50), "p99_ms": t.percentile(99),
                                "wrong": t.wrong} for name, t in tallies.items()}}
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    if not args.no_docs:
        command = "nice -n 10 python benchmarks/soak.py" + (
            f" --duration {args.duration:g}" if args.duration != 600 else "") + (
            f" --clients {args.clients}" if args.clients != 8 else "")
        body = "\n".join([
            "## Web app soak and load (issue 26)",
            "",
            f"`{command}` — {today()}, sourcetrace commit `{git_commit()}`, {os.cpu_count()} CPUs ({cpu_model()}), "
            f"Python {platform.python_version()}. **The machine was shared** with other developers' jobs and this "
            f"run was niced: load average {load_before[0]:.1f} before, {load_after[0]:.1f} after (on "
            f"{os.cpu_count()} CPUs), so latencies are upper bounds of what the app needs.",
            "",
            f"`sourcetrace serve --workers {args.workers} --db STORE` on 127.0.0.1 (start-up to the first answer "
            f"{startup_s:.1f} s), the store built by `corpus add` from {n_inputs} inputs ({stats.get('articles')} "
            f"articles stored, {add_s:.0f} s): the bundled demo corpus and the first {args.shared_articles} articles "
            f"of ../shared's FakeNewsCorpus sample. {args.clients} concurrent httpx clients loop for "
            f"{args.duration:g} s over a weighted mix (fixed seed): analyses (JSON and the HTML form, texts of the "
            "store), an editor's round trip (a new article added, then deleted), corpus search, list and stored "
            "reports (JSON and HTML), small pages, and bad requests, each of which must get its own 4xx. The "
            "rate limit is raised above the clients' rate (they share one address). "
            "Latency is from sending to reading the whole answer, so an analysis includes its wait for a free worker.",
            "",
            markdown_table(headers, rows),
            "",
            f"Memory, sampled every {SAMPLE_EVERY_S:g} s from the end of the warm-up (every text analysed twice, "
            f"then {args.warmup:g} s of the same mix; the worker processes summed; "
            "child processes include multiprocessing's resource tracker):",
            "",
            memory_table,
            "",
            f"**{summary}.**",
        ])
        write_section("web-soak", body)
        console.print("wrote the web-soak section of docs/benchmarks.md")
    if good_errors or bad_wrong or not healthy or not store_intact:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
