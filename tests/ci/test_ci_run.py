"""`.ci/run` stops at the first failing step, names it, and exits non-zero (issue 20).

A copy of the real CI script runs the real README's set-up commands, the real lock guard and browser runner, in a
scratch repository whose tools (python3, python, pip, sourcetrace, ruff, mypy) are stand-ins on PATH: each logs
its call, and the one a test breaks exits 3. Nothing is installed; the whole run takes well under a second.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Stand-in for every tool CI calls: log the call; fail on the CI_BREAK_AT-th call whose command line is
# CI_BREAK; `python3 -m venv DIR` makes DIR/bin/activate so that the scripts' `. DIR/bin/activate` works.
FAKE_TOOL = r"""#!/usr/bin/env bash
call="$(basename "$0")${*:+ $*}"
echo "$call" >> "$CI_LOG"
if [ "$call" = "${CI_BREAK:-}" ]; then
  seen=$(grep -cxF -- "$call" "$CI_LOG")
  if [ "$seen" = "${CI_BREAK_AT:-1}" ]; then echo "broken on purpose: $call" >&2; exit 3; fi
fi
if [ "${1:-}" = "-m" ] && [ "${2:-}" = "venv" ]; then mkdir -p "$3/bin" && echo ':' > "$3/bin/activate"; fi
exit 0
"""
TOOLS = ("python3", "python", "pip", "sourcetrace", "ruff", "mypy")


@pytest.fixture()
def scratch_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for relative in (".ci/run", "README.md", "tests/ci/check_lock.sh", "tests/browser/run.sh"):
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / relative, repo / relative)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        (bin_dir / tool).write_text(FAKE_TOOL)
        (bin_dir / tool).chmod(0o755)
    return repo


def run_ci(repo: Path, break_call: str = "", break_at: int = 1) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    log = repo.parent / "calls.log"
    log.touch()
    env = {
        "PATH": f"{repo.parent / 'bin'}:/usr/bin:/bin",
        "HOME": str(repo.parent),
        "CI_LOG": str(log),
        "CI_BREAK": break_call,
        "CI_BREAK_AT": str(break_at),
        # the browser runner's Chromium check passes without installing anything
        "SOURCETRACE_CHROMIUM": "/bin/true",
    }
    result = subprocess.run(["bash", ".ci/run"], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    return result, log.read_text().splitlines()


def test_every_step_runs_in_order_when_none_fails(scratch_repo: Path) -> None:
    result, calls = run_ci(scratch_repo)
    assert result.returncode == 0, result.stderr
    assert "CI passed" in result.stdout
    assert calls[0] == "python3 -m venv .venv"
    assert calls[1] == "python -m pip install --require-hashes --no-deps -r requirements-bootstrap.lock"
    assert "sourcetrace demo" in calls
    assert calls.index("sourcetrace demo") < calls.index("ruff check .") < calls.index("mypy")
    assert calls.index("mypy") < calls.index("python -m pytest")
    # the lock guard installs into a venv of its own with the image's pip, then the browser tests run
    assert calls.index("python -m pytest") < calls.index("python tests/ci/lock_matches_install.py requirements.lock")
    assert calls[-1] == "python -m pytest tests/browser -m browser"


@pytest.mark.parametrize(
    ("broken_call", "occurrence", "step"),
    [
        ("pip install --require-hashes --no-deps -r requirements-bootstrap.lock", 1, "install (pinned pip)"),
        ("pip install --require-hashes --no-deps -r requirements.lock", 1, "install (locked dependencies)"),
        ("pip check", 1, "install (dependency check)"),
        ("sourcetrace demo", 1, "demo"),
        ("ruff check .", 1, "ruff"),
        ("mypy", 1, "mypy"),
        ("python -m pytest", 1, "tests"),
        # the guard's own install, with the image's pip: the second install of the lock in the run
        ("pip install --quiet --require-hashes --no-deps -r requirements.lock", 1, "lock guard"),
        ("pip check", 2, "lock guard"),
        ("python -m pytest tests/browser -m browser", 1, "browser tests"),
    ],
)
def test_ci_stops_at_the_first_failing_step(scratch_repo: Path, broken_call: str, occurrence: int, step: str) -> None:
    if broken_call.startswith("pip install --require-hashes --no-deps -r requirements-bootstrap"):
        broken_call = "python -m " + broken_call  # the README bootstraps pip through `python -m pip`
    result, calls = run_ci(scratch_repo, broken_call, occurrence)
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert f"CI FAILED at step: {step}:" in result.stderr
    assert "CI passed" not in result.stdout
    # nothing ran after the broken call
    broken_index = [i for i, call in enumerate(calls) if call == broken_call][occurrence - 1]
    assert broken_index == len(calls) - 1, calls[broken_index:]


def test_ci_fails_when_the_readme_loses_a_setup_command(scratch_repo: Path) -> None:
    readme = scratch_repo / "README.md"
    text = readme.read_text()
    # keep the first ```bash block, drop every later one
    first_end = text.index("```", text.index("```bash") + 3)
    readme.write_text(text[: first_end + 3] + "\n")
    result, calls = run_ci(scratch_repo)
    assert result.returncode == 2
    assert "no set-up command number 2" in result.stderr
    assert "ruff check ." not in calls


def test_ci_script_runs_the_readme_commands_verbatim() -> None:
    """CI and the README cannot drift apart: the script has no install command of its own, it reads the README's."""
    script = (REPO / ".ci/run").read_text()
    assert "run_readme_command 1" in script and "run_readme_command 2" in script
    assert "pip install" not in script and "pytest" not in script.replace("*pytest*", "")
    assert os.access(REPO / ".ci/run", os.X_OK)
