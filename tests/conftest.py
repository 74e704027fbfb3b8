"""Shared fixtures: the bundled demo (seed) article and one pipeline for the whole test session."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import httpx
import pytest

from sourcetrace import Pipeline, Report

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _network_stand_ins_undone() -> Iterator[None]:
    """Fetch tests replace the resolver and httpx's client; one left in place makes every later fetch test lie."""
    resolver, client = socket.getaddrinfo, httpx.Client
    yield
    assert socket.getaddrinfo is resolver, "a test left socket.getaddrinfo replaced"
    assert httpx.Client is client, "a test left httpx.Client replaced"


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
