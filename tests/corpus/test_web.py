"""``sourcetrace serve --db``: the corpus list, search and stored reports in the web app, read-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sourcetrace import Pipeline
from sourcetrace.corpus import StoreError
from sourcetrace.corpus.web import corpus_router
from sourcetrace.web.app import create_app

from .corpus_batch import Added


@pytest.fixture(scope="module")
def client(added: Added, pipeline: Pipeline) -> TestClient:
    app = create_app(pipeline=pipeline, workers=0)
    app.include_router(corpus_router(added.corpus.path))
    return TestClient(app)


def test_list_search_and_open(client: TestClient, added: Added) -> None:
    page = client.get("/corpus")
    assert page.status_code == 200 and "7 articles" in page.text and "Harbour expansion" in page.text
    assert "Content-Security-Policy" in page.text
    found = client.get("/corpus", params={"q": "salt marsh"})
    assert found.status_code == 200 and "<mark>salt</mark>" in found.text and "Harbour expansion" in found.text
    hostile = client.get("/corpus", params={"q": "<script>alert(1)</script>"})
    assert hostile.status_code == 200 and "<script>alert" not in hostile.text
    article_id = client.get("/api/corpus/search", params={"q": "river crest"}).json()[0]["id"]
    report = client.get(f"/corpus/articles/{article_id}")
    assert report.status_code == 200 and "Flood warnings" in report.text and 'href="/corpus"' in report.text
    data = client.get(f"/api/corpus/articles/{article_id}").json()
    assert data["article"]["title"].startswith("Flood warnings")
    assert client.get("/api/corpus/stats").json()["articles"] == 7
    assert client.get("/corpus/articles/99999").status_code == 404


def test_refuses_a_foreign_store(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_text("not a store", "utf-8")
    with pytest.raises(StoreError):
        corpus_router(path)
