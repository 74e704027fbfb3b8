"""Outlet registry lookups per second: names, bare domains and full URLs, hits and misses mixed.

    python benchmarks/outlet_lookup_speed.py [--rounds 5] [--no-docs]

"First sight" is a host the registry has not matched before (a walk up its parent domains); "repeated" is
the steady state of a long-running process, where each host's match is cached. Writes its section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_section import git_commit, markdown_table, today, write_section

from sourcetrace.outlets.registry import Outlet, Registry


def _queries(registry: Registry, rng: random.Random) -> dict[str, list[str]]:
    """2,000 listed outlets as a reader would write them (names from outlets that have one besides their
    domain), plus 500 misses per kind, shuffled."""
    outlets = rng.sample(sorted(registry.outlets.values(), key=lambda o: o.id), 2000)
    named = sorted((o for o in registry.outlets.values() if o.name not in o.domains), key=lambda o: o.id)
    names = [rng.choice([o.name, *o.aliases]) for o in rng.choices(named, k=2000)]
    names = [rng.choice([n, n.upper(), f"the {n}", f"{n}."]) for n in names]
    names += [f"Unknown Outlet {i}" for i in range(500)]
    domains = [rng.choice(o.domains) for o in outlets if o.domains]
    domains = [rng.choice([d, f"www.{d}", f"news.{d}"]) for d in domains] + [f"nosuch{i}.example" for i in range(500)]
    urls = [f"https://{d}/2024/05/story-{i}.html?utm_source=x" for i, d in enumerate(domains)]
    for queries in (names, domains, urls):
        rng.shuffle(queries)
    return {"name": names, "domain": domains, "url": urls}


def _rate(lookup: Callable[[str], Outlet | None], queries: list[str], rounds: int) -> tuple[float, int]:
    started = time.perf_counter()
    hits = 0
    for _ in range(rounds):
        hits = sum(lookup(q) is not None for q in queries)
    return len(queries) * rounds / (time.perf_counter() - started), hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args()
    started = time.perf_counter()
    registry = Registry.load()
    load_s = time.perf_counter() - started
    rows = []
    for kind, queries in _queries(registry, random.Random(13)).items():
        registry = Registry.load()  # an empty per-host cache for each kind
        lookup = registry.lookup_name if kind == "name" else registry.lookup_domain
        first, hits = _rate(lookup, queries, 1)  # every host seen for the first time
        repeated, _ = _rate(lookup, queries, args.rounds)
        rows.append((kind, f"{len(queries):,}", f"{hits / len(queries):.0%}", f"{first:,.0f}", f"{repeated:,.0f}"))
    headers = ["lookup", "queries", "hits", "first sight /s", "repeated /s"]
    table = Table(title=f"Outlet lookups: {len(registry.outlets):,} outlets, registry loaded in {load_s:.2f} s")
    for column in headers:
        table.add_column(column, justify="left" if column == "lookup" else "right")
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    if not args.no_docs:
        write_section("outlet-lookup", "\n".join([
            "## Outlet registry lookups", "",
            f"`python benchmarks/outlet_lookup_speed.py --rounds {args.rounds}`, commit `{git_commit()}`, {today()}, "
            f"Python {platform.python_version()} on one core. {len(registry.outlets):,} outlets; loading the "
            f"bundled registry takes {load_s:.2f} s. Queries: 2,000 listed outlets written as a reader would "
            "(aliases, case, a leading 'the', `www.`/`news.` subdomains, full URLs) plus 500 misses per kind. "
            "'First sight' is a host not matched before (a walk up its parent domains); 'repeated' is the "
            "steady state, with each host's match cached.", "",
            markdown_table(headers, rows), "",
        ]))


if __name__ == "__main__":
    main()
