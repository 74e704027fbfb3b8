"""The long fuzz run: every atheris target of tests/fuzz for N seconds each, a table of what it tried.

    nice -n 10 python benchmarks/fuzz.py --seconds 60            # ten targets, about 11 minutes
    python benchmarks/fuzz.py --seconds 600 --targets web_request,analyze --no-write

Each target runs in its own process (``python -m tests.fuzz.atheris_fuzz TARGET -max_total_time=N``) on the corpus
kept from earlier runs in ``out/fuzz/corpus/TARGET`` (so a rerun goes on from where the last one stopped); a
crash stops that target and leaves its input in ``out/fuzz/crash-<sha1>`` with the traceback in
``out/fuzz/TARGET.log``. The table (inputs tried, coverage, corpus, crashes) goes to stdout and, unless
``--no-write``, to the "fuzz-run" section of docs/reliability.md.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_section import REPO_ROOT, cpu_model, git_commit, markdown_table, write_section

TARGETS = ["ingest_bytes", "ingest_text", "html_page", "corpus_file", "url_check", "redirects", "registry_file",
           "renderers", "web_request", "analyze"]
PAGE = REPO_ROOT / "docs" / "reliability.md"
OUT = REPO_ROOT / "out" / "fuzz"
_STATUS = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/", re.MULTILINE)
_DONE = re.compile(r"^Done (\d+) (?:runs )?in (\d+) second", re.MULTILINE)
_EXCEPTION = re.compile(r"=== Uncaught Python exception: ===\n(.+)")


def run(target: str, seconds: int) -> dict[str, object]:
    corpus = OUT / "corpus" / target
    corpus.mkdir(parents=True, exist_ok=True)
    before = len(list(corpus.iterdir()))
    command = [sys.executable, "-m", "tests.fuzz.atheris_fuzz", target, f"-max_total_time={seconds}", "-timeout=60",
               "-rss_limit_mb=6000", f"-artifact_prefix={OUT}/", "-print_final_stats=1", str(corpus)]
    started = time.monotonic()
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False,
                            timeout=seconds + 600)
    wall = time.monotonic() - started
    output = result.stdout + result.stderr
    (OUT / f"{target}.log").write_text(output, encoding="utf-8")
    statuses = _STATUS.findall(output)
    done = _DONE.search(output)
    executed = re.search(r"stat::number_of_executed_units: (\d+)", output)
    runs = int(done.group(1)) if done else int(executed.group(1)) if executed else \
        (int(statuses[-1][0]) if statuses else 0)
    crash = _EXCEPTION.search(output)
    return {
        "target": target,
        "inputs": runs,
        "seconds": round(wall),
        "per_second": round(runs / max(seconds, 1)),
        "coverage": statuses[-1][1] if statuses else "?",
        "features": statuses[-1][2] if statuses else "?",
        "corpus": f"{before} → {len(list(corpus.iterdir()))}",
        "result": f"CRASH: {crash.group(1)[:100]}" if crash else ("clean" if result.returncode == 0
                                                                     else f"exit {result.returncode}"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60, help="per target")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args()
    rows = []
    for target in args.targets.split(","):
        row = run(target, args.seconds)
        print(" | ".join(str(value) for value in row.values()), flush=True)
        rows.append(row)
    load = os.getloadavg()
    headers = ["target", "inputs tried", "wall s", "inputs/s", "coverage (edges)", "features", "corpus", "result"]
    table = markdown_table(headers, [list(row.values()) for row in rows])
    print(table)
    if not args.no_write:
        body = (f"`nice -n 10 python benchmarks/fuzz.py --seconds {args.seconds}` at commit {git_commit()}, "
                f"{time.strftime('%Y-%m-%d', time.gmtime())}, {cpu_model()} (2 cores shared with other work: load "
                f"{load[0]:.1f} at the end, so inputs/s are low and vary)."
                f" Inputs tried = libFuzzer executions of the target, each one generated input through its parser "
                f"and invariant checks; coverage counts the instrumented code edges reached.\n\n{table}")
        write_section("fuzz-run", body, path=PAGE)


if __name__ == "__main__":
    main()
