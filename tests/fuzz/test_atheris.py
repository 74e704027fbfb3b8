"""The atheris harness runs in CI too: every target, one start-up (``all``: each input picks a target), a fixed
seed and a bounded number of inputs, in a subprocess with a time limit. A crash fails the test with the
harness's traceback; the long run is ``python benchmarks/fuzz.py`` (docs/reliability.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNS = 400 * int(os.environ.get("SOURCETRACE_FUZZ_SCALE", "1"))


def test_every_atheris_target_runs_clean(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    command = [sys.executable, "-m", "tests.fuzz.atheris_fuzz", "all", f"-atheris_runs={RUNS}", "-seed=1",
               "-timeout=60", f"-artifact_prefix={tmp_path}/", "-print_final_stats=1"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert f"Done {RUNS} " in output, output[-2000:]
    assert not list(tmp_path.glob("crash-*")), output[-4000:]
