"""Load benchmark of the web app: ``POST /api/analyze`` with the seed article from a few concurrent clients.

Run from the repository root::

    python benchmarks/web_load.py [--requests 200] [--concurrency 1,4] [--max-seconds 120] [--no-docs]

``sourcetrace serve`` runs in a subprocess on a free loopback port with its defaults, as a user starts it
(one uvicorn process, analyses in a pool of 2 worker processes); the clients are httpx async clients in this
process. A few warm-up requests go first, then for each concurrency level at most ``--requests`` are sent,
stopping early at ``--max-seconds``. Latency is the time from sending a request to reading the whole answer,
so under concurrency it includes the wait for a free worker: the p50 then says what a user waits for,
requests/s what the pool sustains.
Each run rewrites the ``web-load`` section of docs/benchmarks.md (``--no-docs`` for a trial run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import httpx
from docs_section import git_commit, markdown_table, today, write_section
from rich.console import Console
from rich.table import Table

WARMUP = 3


@dataclass
class Run:
    requests: int
    concurrency: int
    elapsed_s: float
    latencies_s: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    stopped_early: bool = False

    @property
    def ok(self) -> int:
        return len(self.latencies_s)

    @property
    def per_second(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, p: float) -> float:
        return percentile_ms(self.latencies_s, p)


def percentile_ms(latencies_s: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of latencies in seconds, in milliseconds."""
    ordered = sorted(latencies_s)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1] * 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(port: int, log: Path, *, extra_args: Sequence[str] = (),
                 timeout: float = 90.0) -> subprocess.Popen[bytes]:
    """``sourcetrace serve`` on loopback (its output in ``log``), returned once ``/healthz`` answers 200."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "sourcetrace.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             *extra_args], stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"error: sourcetrace serve exited with {process.returncode}: "
                             f"{log.read_text(errors='replace').strip()[-500:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    process.kill()
    raise SystemExit(f"error: sourcetrace serve did not answer within {timeout:g} s")


async def load(base: str, body: dict[str, str], requests: int, concurrency: int, max_seconds: float) -> Run:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(WARMUP):
            (await client.post("/api/analyze", json=body)).raise_for_status()
    issued = 0
    run = Run(requests, concurrency, 0.0)
    start = time.perf_counter()

    async def worker() -> None:
        nonlocal issued
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            while issued < requests:
                if time.perf_counter() - start > max_seconds:
                    run.stopped_early = True
                    return
                issued += 1
                sent = time.perf_counter()
                try:
                    response = await client.post("/api/analyze", json=body)
                    await response.aread()
                except httpx.HTTPError as error:
                    key = error.__class__.__name__
                else:
                    if response.status_code == 200:
                        run.latencies_s.append(time.perf_counter() - sent)
                        continue
                    key = f"HTTP {response.status_code}"
                run.errors[key] = run.errors.get(key, 0) + 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run.elapsed_s = time.perf_counter() - start
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200, help="at most this many measured requests")
    parser.add_argument("--concurrency", default="1,4", help="concurrent clients, one run per comma-separated level")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="stop sending after this long")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args()
    try:
        levels = [int(level) for level in args.concurrency.split(",")]
    except ValueError:
        parser.error("--concurrency takes numbers separated by commas, e.g. 1,4")
    if not 1 <= args.requests <= 10_000 or not all(1 <= level <= 64 for level in levels):
        parser.error("--requests must be 1..10000 and each concurrency level 1..64")

    console = Console()
    text = resources.files("sourcetrace.resources").joinpath("demo-article.txt").read_text("utf-8")
    body = {"text": text, "url": "http://usdefensewatch.com/2015/10/insult-to-injury/"}
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="sourcetrace-web-load-")) / "server.log"
    with console.status("Starting sourcetrace serve…"):
        started = time.perf_counter()
        server = start_server(port, log)
        startup_s = time.perf_counter() - started
    try:
        runs = []
        for level in levels:
            with console.status(f"{args.requests} requests from {level} clients…"):
                runs.append(asyncio.run(load(f"http://127.0.0.1:{port}", body, args.requests, level,
                                             args.max_seconds)))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()

    table = Table(title=f"POST /api/analyze, seed article ({len(text):,} characters)", title_justify="left")
    for column in ("ok", "errors", "clients", "seconds", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="right")
    rows = [[str(run.ok), str(sum(run.errors.values())), str(run.concurrency), f"{run.elapsed_s:.1f}",
             f"{run.per_second:.1f}", f"{run.percentile(50):.0f}", f"{run.percentile(90):.0f}",
             f"{run.percentile(99):.0f}", f"{max(run.latencies_s, default=float('nan')) * 1000:.0f}"] for run in runs]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(f"server start-up (models loaded, first answer): {startup_s:.1f} s")
    for run in runs:
        if run.errors:
            console.print(f"[yellow]errors with {run.concurrency} clients:[/] {run.errors}")
        if run.stopped_early:
            console.print(f"[yellow]stopped early with {run.concurrency} clients:[/] the {args.max_seconds:g} s cap")
    if args.no_docs:
        return
    cpu = platform.processor() or platform.machine()
    body_md = "\n".join([
        "## Web app load",
        "",
        f"`python benchmarks/web_load.py --requests {args.requests} --concurrency {args.concurrency}` — "
        f"{today()}, sourcetrace commit `{git_commit()}`, {os.cpu_count()} CPUs ({cpu}), Python "
        f"{platform.python_version()}.",
        "",
        f"`sourcetrace serve` (defaults: one uvicorn process, analyses in 2 worker processes) on loopback; "
        f"concurrent httpx clients in another process post the seed article ({len(text):,} characters) to "
        f"`/api/analyze` after {WARMUP} warm-up requests. Latency runs from sending a request to reading the "
        "whole report JSON, so it includes the wait for a free worker. Start-up is the time until the server first "
        f"answered, every worker's models loaded: {startup_s:.1f} s.",
        "",
        markdown_table(["requests ok", "errors", "clients", "seconds", "requests/s", "p50 ms", "p90 ms", "p99 ms",
                        "max ms"], rows),
        "",
        "Throughput is bound by one core parsing (spaCy holds the GIL), so more clients raise latency, not "
        "requests/s; run more worker processes behind a proxy for more.",
    ])
    for run in runs:
        if run.stopped_early:
            body_md += f"\n\nWith {run.concurrency} clients: stopped early at the {args.max_seconds:g} s cap."
    write_section("web-load", body_md)
    console.print("wrote the web-load section of docs/benchmarks.md")


if __name__ == "__main__":
    main()
