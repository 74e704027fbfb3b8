"""Property-based fuzzing (hypothesis) of every parser of untrusted input: each target in targets.py gets a
bounded number of generated inputs in CI (budget.py: SOURCETRACE_FUZZ=long for a longer search). A failure
prints the smallest input hypothesis found; it becomes a regression test in test_regressions.py once fixed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from . import targets
from .budget import budget
from .draw import HypothesisDraw


@given(st.data())
@budget(60)
def test_ingest_bytes(data: st.DataObject) -> None:
    targets.ingest_bytes(HypothesisDraw(data))


@given(st.data())
@budget(60)
def test_ingest_text(data: st.DataObject) -> None:
    targets.ingest_text(HypothesisDraw(data))


@given(st.data())
@budget(40)
def test_html_page(data: st.DataObject) -> None:
    targets.html_page(HypothesisDraw(data))


@given(st.data())
@budget(80)
def test_corpus_file(data: st.DataObject) -> None:
    targets.corpus_file(HypothesisDraw(data))


@given(st.data())
@budget(100)
def test_url_check(data: st.DataObject) -> None:
    targets.url_check(HypothesisDraw(data))


@given(st.data())
@budget(60)
def test_redirects(data: st.DataObject) -> None:
    targets.redirects(HypothesisDraw(data))


@given(st.data())
@budget(120)
def test_registry_file(data: st.DataObject) -> None:
    targets.registry_file(HypothesisDraw(data))


@given(st.data())
@budget(60)
def test_renderers(data: st.DataObject) -> None:
    targets.renderers(HypothesisDraw(data))


@given(st.data())
@budget(25)
def test_analyze(data: st.DataObject) -> None:
    targets.analyze(HypothesisDraw(data))


@pytest.fixture(scope="module")
def web() -> Iterator[targets.WebApp]:
    app = targets.WebApp()
    yield app
    app.close()


@given(st.data())
@budget(80)
def test_web_request(web: targets.WebApp, data: st.DataObject) -> None:
    targets.web_request(HypothesisDraw(data), web)
