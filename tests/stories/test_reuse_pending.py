"""The reuse index finds the articles it has not indexed yet by a seek past the last indexed one, and still finds
one that lies below it (an index entry removed, an article stored out of order): no article is skipped."""

from __future__ import annotations

from pathlib import Path

from sourcetrace.corpus.store import Store
from sourcetrace.stories.demo import demo_corpus_records
from sourcetrace.stories.reuse import ArticleMeta, ReuseIndex, passages, reuse_stats, store_bare_texts


def test_pending_after_the_last_and_below_it(tmp_path: Path) -> None:
    records = {r["id"]: r for r in demo_corpus_records()}
    reuters = records["demo-reuters"]["text"]
    shared = max(reuters.split("\n"), key=len)
    store = Store(tmp_path / "pending.db")
    first = store_bare_texts(store, [ArticleMeta(0, reuters, outlet="Reuters", published="2015-10-20"),
                                     ArticleMeta(0, records["demo-fars"]["text"], published="2015-10-21")])
    index = ReuseIndex(store)
    assert index.pending() == first
    index.update()
    assert index.pending() == [] and reuse_stats(store)["pending"] == 0
    [later] = store_bare_texts(store, [ArticleMeta(0, records["demo-anadolu"]["text"] + "\n\n" + shared,
                                                   published="2015-10-23")])
    assert index.pending() == [later] and reuse_stats(store)["pending"] == 1
    # the first article's entry goes (as after a partial repair): it lies below the last indexed id
    store.connection.execute("DELETE FROM reuse_articles WHERE article_id = ?", (first[0],))
    assert index.pending() == [first[0], later]
    index.update()
    assert index.pending() == []
    assert any(p.source_id == first[0] and p.target_id == later for p in passages(store))
