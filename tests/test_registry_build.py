"""Rebuilding the registry from ../shared/data gives the bundled file byte for byte (skipped without the data)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from conftest import SHARED_DATA

REPO = Path(__file__).resolve().parents[1]
REGISTRIES = ("opensources", "domain-quality-ratings", "wikipedia-perennial-sources", "state-media-profiles")


def test_registry_rebuild_is_reproducible(tmp_path: Path) -> None:
    if not all((SHARED_DATA / name).is_dir() for name in REGISTRIES):
        pytest.skip(f"{SHARED_DATA} does not hold the four source registries")
    out = tmp_path / "outlets.json.gz"
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_registry.py"), "--data", str(SHARED_DATA),
                    "--out", str(out)], check=True, capture_output=True)
    bundled = resources.files("sourcetrace.resources").joinpath("outlets.json.gz").read_bytes()
    rebuilt = out.read_bytes()
    # the content first, for a readable failure; then the bytes, which also depend on zlib's version
    assert gzip.decompress(rebuilt).decode().splitlines() == gzip.decompress(bundled).decode().splitlines()
    assert rebuilt == bundled
