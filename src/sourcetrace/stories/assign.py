"""Group a store's articles into stories: every article without a story, in date order, through the clusterer.

What stories read from each stored article: its title, its text, its publication date, and the canonical
entities and language of its stored report (no re-analysis). Articles are left out, with a reason kept in the
store, when they are not English or too short to tell a story by (fewer than ``MIN_WORDS`` content words);
undated articles are placed last, on their text alone (no time features), and say so. A huge article is read
up to its first ``MAX_WORDS`` words. A rerun places only what is new: the index is read lazily and updated.
"""

from __future__ import annotations

import datetime
import json
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sourcetrace.corpus.store import Store
from sourcetrace.errors import InputError
from sourcetrace.stories.clustering import DEFAULT_WINDOW_DAYS, Assignment, StoryClusterer
from sourcetrace.stories.features import MIN_WORDS, ArticleTerms, article_terms, entity_key, report_entities
from sourcetrace.stories.model import MergeModel, default_model
from sourcetrace.stories.storage import StoryStorage

BATCH = 2_000  # articles per transaction
_EPOCH = datetime.date(1970, 1, 1)
_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


@dataclass
class StoriesRun:
    """What one ``corpus stories`` run did."""

    placed: int = 0
    joined: int = 0
    opened: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    undated: int = 0
    seconds: float = 0.0
    assignments: list[Assignment] = field(default_factory=list)


def date_days(published: str | None) -> float | None:
    """``YYYY-MM-DD`` (or ``YYYY-MM``: the 15th) as days since 1970-01-01; None when absent or unreadable."""
    match = _DATE.match(published or "")
    if not match:
        return None
    try:
        day = datetime.date(int(match[1]), int(match[2]), int(match[3] or 15))
    except ValueError:
        return None
    return float((day - _EPOCH).days)


PreparedRow = tuple[ArticleTerms, dict[str, str]] | str


def prepare_row(article_id: int, title: str | None, published: str | None, text: str,
                report: dict[str, Any] | None) -> PreparedRow:
    """The article's terms and entity display names, or the reason it is left out of stories."""
    if report is not None:
        language = (report.get("article") or {}).get("language") or "en"
        if language != "en":
            return f"not English ({language}): stories compare English articles only"
    entities = report_entities(report) if report is not None else None
    terms = article_terms(article_id, text, title=title, date=date_days(published), entities=entities)
    if terms.n_words < MIN_WORDS:
        return (f"too short to place in a story: {terms.n_words} content word{'s' * (terms.n_words != 1)} "
                f"(at least {MIN_WORDS})")
    names = {"e:" + entity_key(name): name for name, _ in entities or ()}
    return terms, names


def _decode(blob: bytes | None) -> dict[str, Any] | None:
    if not blob:
        return None
    try:
        data = json.loads(zlib.decompress(blob))
    except (zlib.error, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _rows(store: Store, ids: list[int]) -> Iterator[tuple[int, str | None, str | None, str, bytes | None]]:
    for start in range(0, len(ids), 500):
        chunk = ids[start: start + 500]
        found = {row[0]: row for row in store.connection.execute(
            f"SELECT id, title, published, text, report FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
            chunk)}
        for article_id in chunk:
            if article_id in found:
                yield found[article_id]


def assign_stories(store: Store, *, window_days: float | None = None, model: MergeModel | None = None,
                   rebuild: bool = False, advance: Callable[[int], None] | None = None,
                   prepared: Callable[[list[int]], Iterator[tuple[int, PreparedRow]]] | None = None) -> StoriesRun:
    """Place every article of ``store`` that has no story yet; returns what was done. ``prepared(ids)`` gives
    the articles' prepared rows in the order of ``ids`` when they are computed elsewhere (issue 25: on an
    engine's workers, sourcetrace.corpus.engine.stories); the placing itself is sequential, here."""
    if rebuild:
        # the stories are replaced in one transaction: until it commits, readers see the old ones whole, and a
        # rebuild killed half-way leaves them as they were (other writers wait for it: docs/reliability.md)
        with store.transaction():
            StoryStorage(store).clear()
            return assign_stories(store, window_days=window_days, model=model, advance=advance, prepared=prepared)
    started = time.perf_counter()
    storage = StoryStorage(store)
    model = model or default_model()
    state = storage.state()
    stored_window = float(state["window_days"]) if "window_days" in state else None
    if window_days is None:
        window_days = stored_window or float(model.meta.get("window_days", DEFAULT_WINDOW_DAYS))
    elif stored_window is not None and stored_window != window_days and storage.n_docs():
        raise InputError(f"the stored stories were grouped with a {stored_window:g}-day window; give "
                         f"--window-days {stored_window:g}, or --rebuild to regroup every article with "
                         f"{window_days:g} days")
    settings = {"window_days": f"{window_days:g}", "model": model.name}
    clusterer = StoryClusterer(model, window_days=window_days, backend=storage, n_docs=storage.n_docs(),
                               next_id=storage.next_id())
    ids = [row[0] for row in store.connection.execute(
        "SELECT a.id FROM articles a LEFT JOIN story_articles s ON s.article_id = a.id "
        "WHERE s.article_id IS NULL ORDER BY a.published IS NULL, a.published, a.id")]
    run = StoriesRun()
    pending: list[Assignment] = []

    def flush(latest: float | None) -> None:
        df_delta, postings, changed = clusterer.drain()
        storage.write(pending, df_delta, postings, changed, n_docs=clusterer.n_docs, settings=settings)
        if advance:
            advance(len(pending))
        pending.clear()
        if latest is not None:
            clusterer.evict(latest)

    latest: float | None = None
    rows = prepared(ids) if prepared is not None else (
        (row[0], prepare_row(row[0], row[1], row[2], row[3], _decode(row[4]))) for row in _rows(store, ids))
    for article_id, prepared_row in rows:
        if isinstance(prepared_row, str):
            assignment = Assignment(article_id, None, "excluded", reason=prepared_row)
            run.excluded[prepared_row.split(":")[0]] += 1
        else:
            terms, names = prepared_row
            if terms.date is None:
                run.undated += 1
            else:
                latest = terms.date if latest is None else max(latest, terms.date)
            assignment = clusterer.place(clusterer.prepare(terms, names))
            run.placed += 1
            if assignment.status == "joined":
                run.joined += 1
            else:
                run.opened += 1
        pending.append(assignment)
        run.assignments.append(assignment)
        if len(pending) >= BATCH:
            flush(latest)
    if pending or not storage.state():
        flush(latest)
    run.seconds = time.perf_counter() - started
    return run
