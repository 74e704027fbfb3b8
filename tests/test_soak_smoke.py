"""benchmarks/soak.py runs end to end (a few seconds of load against ``serve --workers 1 --db``): the store is
built, every kind of request is sent, no good request fails, every bad one gets its 4xx. The real soak (10
minutes, ``--workers 2``) is a benchmark, not a test: docs/benchmarks.md, "Web app soak and load"."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "soak.py"


def test_the_soak_script_runs_briefly(tmp_path: Path) -> None:
    numbers = tmp_path / "soak.json"
    done = subprocess.run([sys.executable, str(SCRIPT), "--duration", "5", "--warmup", "0", "--clients", "3",
                           "--workers", "1", "--shared-articles", "0", "--no-docs", "--json", str(numbers)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(numbers.read_text())
    assert results["good_errors"] == 0 and results["bad_wrong"] == 0 and results["healthy"]
    assert results["tracebacks"] == 0 and len(results["memory"]) >= 2
    assert results["requests"] >= 10
    assert sum(1 for kind in results["kinds"].values() if kind["n"]) >= 5
