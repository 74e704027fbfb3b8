"""Shared fixtures: the bundled demo (seed) article and one pipeline for the whole test session."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from sourcetrace import Pipeline, Report

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return resources.files("sourcetrace.resources").joinpath("demo-article.txt").read_text("utf-8")


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return Pipeline()


@pytest.fixture(scope="session")
def seed_report(pipeline: Pipeline, seed_text: str) -> Report:
    return pipeline.analyze(seed_text)


@pytest.fixture(scope="session")
def seed_report_with_url(pipeline: Pipeline, seed_text: str) -> Report:
    from sourcetrace.cli import DEMO_URL

    return pipeline.analyze(seed_text, url=DEMO_URL)
