"""Outlet registry lookups per second: names, bare domains and full URLs, hits and misses mixed.

    python benchmarks/outlet_lookup_speed.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_section import git_commit, markdown_table, write_section

from sourcetrace.outlets import Registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    registry = Registry.load()
    load_s = time.perf_counter() - started
    rng = random.Random(13)
    outlets = rng.sample(list(registry.outlets.values()), 2000)
    names = [o.name for o in outlets] + [f"Unknown Outlet {i}" for i in range(500)]
    domains = [o.domains[0] for o in outlets if o.domains] + [f"nosuchsite{i}.example" for i in range(500)]
    urls = [f"https://www.{d}/2024/05/story-{i}.html" for i, d in enumerate(domains)]
    rows = []
    for kind, queries, lookup in (("name", names, registry.lookup_name), ("domain", domains, registry.lookup_domain),
                                  ("url", urls, registry.lookup_domain)):
        for query in queries:  # first pass fills the per-host cache, as a long-running process would
            lookup(query)
        started = time.perf_counter()
        for _ in range(args.rounds):
            for query in queries:
                lookup(query)
        elapsed = time.perf_counter() - started
        rows.append((kind, len(queries) * args.rounds, f"{len(queries) * args.rounds / elapsed:,.0f}"))
    table = Table(title=f"Outlet lookups ({len(registry.outlets):,} outlets, load {load_s:.2f} s)")
    for column in ("lookup", "queries", "lookups/s"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(c) for c in row))
    Console().print(table)
    if not args.no_docs:
        write_section("outlet-lookup", "\n".join([
            "## Outlet registry lookups", "",
            f"`python benchmarks/outlet_lookup_speed.py --rounds {args.rounds}` — commit `{git_commit()}`. "
            f"{len(registry.outlets):,} outlets; registry load {load_s:.2f} s. 2,000 random outlets plus 500 misses "
            "per kind, one warm-up pass (the per-host cache is part of the design), one core.", "",
            markdown_table(["lookup", "queries", "lookups/s"], rows), "",
        ]))


if __name__ == "__main__":
    main()
