"""Rebuilding the registry from ../shared/data gives the bundled file byte for byte."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from conftest import SHARED_DATA

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (SHARED_DATA / "opensources").is_dir(), reason="../shared/data is not present")
def test_registry_rebuild_is_reproducible(tmp_path: Path) -> None:
    out = tmp_path / "outlets.json.gz"
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_registry.py"), "--data", str(SHARED_DATA),
                    "--out", str(out)], check=True, capture_output=True)
    bundled = resources.files("sourcetrace.resources").joinpath("outlets.json.gz").read_bytes()
    assert out.read_bytes() == bundled
