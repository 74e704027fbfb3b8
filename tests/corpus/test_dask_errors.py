"""--engine dask refuses to start, with one line naming what to fix, when the cluster cannot run the pipeline:
a scheduler that cannot be reached, workers too small for the models, a worker that lacks sourcetrace."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.cli import app
from sourcetrace.corpus.engine import dask_engine

distributed = pytest.importorskip("distributed")

DEMO = Path(__file__).resolve().parents[2] / "src/sourcetrace/resources/demo_corpus/demo-corpus.jsonl"


def _add(tmp_path: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["corpus", "add", str(DEMO), "--db", str(tmp_path / "store.db"), "--quiet",
                                      "--rules-only", *options])
    return result.exit_code, result.output


def _one_error(output: str) -> str:
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, output
    return " ".join(output.split())


def test_unreachable_scheduler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT_S", 2)
    code, output = _add(tmp_path, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9")
    assert code != 0
    message = _one_error(output)
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in message
    assert "dask scheduler" in message and "--scheduler" in message
    assert not (tmp_path / "store.db.work" / "analysis").exists() or not any(
        (tmp_path / "store.db.work" / "analysis").glob("part-*"))


def test_scheduler_needs_the_dask_engine_and_an_address(tmp_path: Path) -> None:
    code, output = _add(tmp_path, "--scheduler", "tcp://127.0.0.1:9")
    assert code != 0 and "--scheduler is for --engine dask" in _one_error(output)
    code, output = _add(tmp_path, "--engine", "dask", "--scheduler", "localhost")
    assert code != 0 and "give tcp://HOST:PORT" in _one_error(output)


@pytest.fixture
def small_cluster() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  memory_limit="300MiB") as cluster:
        yield cluster.scheduler_address


def test_too_little_memory_per_worker(tmp_path: Path, small_cluster: str) -> None:
    code, output = _add(tmp_path, "--engine", "dask", "--scheduler", small_cluster)
    assert code != 0
    message = _one_error(output)
    assert "too little memory" in message and "300 MiB" in message
    assert "--memory-limit 2GiB" in message
    assert len(list((tmp_path / "store.db.work").rglob("part-*"))) == 0  # refused before any work


@pytest.fixture
def worker_without_sourcetrace() -> Iterator[str]:
    """A scheduler with one worker whose Python has dask but not sourcetrace: the venv's packages on its path,
    without the site machinery (``-S``) that reads sourcetrace's editable-install .pth file."""
    with distributed.LocalCluster(n_workers=0, dashboard_address=":0") as cluster:
        env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
        worker = subprocess.Popen([sys.executable, "-S", "-m", "distributed.cli.dask_worker", cluster.scheduler_address,
                                   "--nthreads", "1", "--no-nanny", "--no-dashboard", "--memory-limit", "4GiB"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/")
        try:
            probe = subprocess.run([sys.executable, "-S", "-c", "import sourcetrace"], env=env, cwd="/",
                                   capture_output=True)
            assert probe.returncode != 0, "sourcetrace is importable without site: this test cannot hide it"
            with distributed.Client(cluster) as client:
                client.wait_for_workers(1, timeout=60)
            yield cluster.scheduler_address
        finally:
            worker.kill()
            worker.wait(timeout=10)
            time.sleep(0.1)


def test_worker_without_sourcetrace(tmp_path: Path, worker_without_sourcetrace: str) -> None:
    code, output = _add(tmp_path, "--engine", "dask", "--scheduler", worker_without_sourcetrace)
    assert code != 0
    message = _one_error(output)
    assert "cannot import sourcetrace" in message
    assert "install sourcetrace==" in message and "workers' Python environment" in message
