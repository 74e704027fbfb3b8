"""The stories tables of the store (schema version 3): read lazily by the clusterer, written in batches.

* ``stories`` — one row per story: label, size, date span (days since 1970 and ISO dates), centroid (zlib JSON);
* ``story_articles`` — each article's story and how it got there (opened, joined, or excluded with a reason);
* ``story_postings`` — the inverted index: indexed term → stories;
* ``story_df`` — document frequencies of every term seen; ``story_state`` — counters (documents, next id) and
  the settings the index was built with.

One :meth:`StoryStorage.write` is one transaction holding the assignments and the index changes they caused,
so a run killed at any moment leaves the index and the assignments in step, and a rerun goes on from there.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sourcetrace.corpus.store import Store, now
from sourcetrace.stories.clustering import Assignment, Story
from sourcetrace.stories.features import Centroid

_CHUNK = 900  # SQLite host parameters per IN (…)
EPOCH = datetime.date(1970, 1, 1)


def day_string(days: float | None) -> str | None:
    return None if days is None else (EPOCH + datetime.timedelta(days=int(days // 1))).isoformat()


def _after_its_days(published: str) -> str:
    """Sort key: a month-only (or year-only) date after the days of its month (as reuse.sortable_date)."""
    return published[:10] + "-99" * max(0, (10 - len(published[:10])) // 3)


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start: start + _CHUNK]


def encode_story(story: Story) -> bytes:
    data = story.centroid.to_json()
    keep = set(data["v"][5]) | set(data["v"][2])
    data["names"] = {k: v for k, v in story.names.items() if k in keep}
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)


def decode_story(story_id: int, blob: bytes) -> Story:
    data = json.loads(zlib.decompress(blob))
    return Story(story_id, Centroid.from_json(data), dict(data.get("names") or {}))


@dataclass(frozen=True)
class StorySummary:
    """A story as listed: id, label, size and date span."""

    id: int
    label: str
    n_articles: int
    first_date: str | None
    last_date: str | None


@dataclass(frozen=True)
class TimelineEntry:
    """One article of a story's timeline."""

    article_id: int
    published: str | None
    date_source: str | None
    site: str | None
    title: str | None
    url: str | None
    status: str
    probability: float | None


class StoryStorage:
    """The clusterer's :class:`~sourcetrace.stories.clustering.Backend` over a store, plus writes and reads."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.connection

    # ---- state ----------------------------------------------------------------------------------------

    def state(self) -> dict[str, str]:
        return {k: v for k, v in self.db.execute("SELECT key, value FROM story_state")}

    def n_docs(self) -> int:
        return int(self.state().get("n_docs", "0"))

    def next_id(self) -> int:
        row = self.db.execute("SELECT max(id) FROM stories").fetchone()
        return int(row[0] or 0) + 1

    def clear(self) -> None:
        """Forget every story and the index (``corpus stories --rebuild``)."""
        with self.store.transaction() as db:
            for table in ("story_articles", "stories", "story_postings", "story_df", "story_state"):
                db.execute(f"DELETE FROM {table}")

    # ---- Backend: lazy reads ----------------------------------------------------------------------------

    def load_df(self, terms: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk in _chunks(list(terms)):
            sql = f"SELECT term, df FROM story_df WHERE term IN ({','.join('?' * len(chunk))})"
            out.update(self.db.execute(sql, chunk).fetchall())
        return out

    def load_postings(self, keys: Sequence[str], limit: int) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for key in keys:
            rows = self.db.execute("SELECT story_id FROM story_postings WHERE term = ? ORDER BY story_id DESC "
                                   "LIMIT ?", (key, limit)).fetchall()
            out[key] = [r[0] for r in reversed(rows)]
        return out

    def load_spans(self, story_ids: Sequence[int]) -> dict[int, tuple[float | None, float | None]]:
        out: dict[int, tuple[float | None, float | None]] = {}
        for chunk in _chunks(list(story_ids)):
            sql = f"SELECT id, oldest, newest FROM stories WHERE id IN ({','.join('?' * len(chunk))})"
            out.update((r[0], (r[1], r[2])) for r in self.db.execute(sql, chunk))
        return out

    def load_stories(self, story_ids: Sequence[int]) -> dict[int, Story]:
        out: dict[int, Story] = {}
        for chunk in _chunks(list(story_ids)):
            sql = f"SELECT id, centroid FROM stories WHERE id IN ({','.join('?' * len(chunk))})"
            out.update((r[0], decode_story(r[0], r[1])) for r in self.db.execute(sql, chunk))
        return out

    # ---- writes -------------------------------------------------------------------------------------------

    def write(self, assignments: Sequence[Assignment], df_delta: Counter[str], postings: Iterable[tuple[str, int]],
              stories: Sequence[Story], *, n_docs: int, settings: dict[str, str]) -> None:
        """One transaction: the assignments and the index changes they made."""
        stamp = now()
        with self.store.transaction() as db:
            db.executemany(
                "INSERT INTO story_df (term, df) VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET df = df + excluded.df",
                df_delta.items())
            db.executemany("INSERT OR IGNORE INTO story_postings (term, story_id) VALUES (?, ?)", postings)
            db.executemany(
                "INSERT OR REPLACE INTO stories (id, label, n_articles, oldest, newest, first_date, last_date, "
                "centroid, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(s.id, s.label(), s.centroid.size, s.centroid.oldest, s.centroid.newest,
                  day_string(s.centroid.oldest), day_string(s.centroid.newest), encode_story(s), stamp)
                 for s in stories])
            db.executemany(
                "INSERT OR REPLACE INTO story_articles (article_id, story_id, status, probability, reason, "
                "assigned_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(a.article_id, a.story_id, a.status, None if a.probability is None else round(a.probability, 4),
                  a.reason, stamp) for a in assignments])
            db.executemany("INSERT OR REPLACE INTO story_state (key, value) VALUES (?, ?)",
                           [("n_docs", str(n_docs)), *settings.items()])

    # ---- reads for people and scripts -------------------------------------------------------------------

    def unassigned(self) -> Iterator[sqlite3.Row]:
        """Articles without a story row, in date order (undated last, then by id), with what stories need."""
        cursor = self.db.execute(
            "SELECT a.id, a.title, a.published, a.text, a.report FROM articles a "
            "LEFT JOIN story_articles s ON s.article_id = a.id WHERE s.article_id IS NULL "
            "ORDER BY a.published IS NULL, a.published, a.id")
        cursor.row_factory = sqlite3.Row
        yield from cursor

    def count_unassigned(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles a LEFT JOIN story_articles s "
                                   "ON s.article_id = a.id WHERE s.article_id IS NULL").fetchone()[0])

    def stories(self, limit: int = 50, min_articles: int = 1) -> list[StorySummary]:
        rows = self.db.execute("SELECT id, label, n_articles, first_date, last_date FROM stories "
                               "WHERE n_articles >= ? ORDER BY n_articles DESC, last_date DESC, id LIMIT ?",
                               (min_articles, limit)).fetchall()
        return self._as_written([StorySummary(*row) for row in rows])

    def story(self, story_id: int) -> StorySummary | None:
        row = self.db.execute("SELECT id, label, n_articles, first_date, last_date FROM stories WHERE id = ?",
                              (story_id,)).fetchone()
        return self._as_written([StorySummary(*row)])[0] if row else None

    def _as_written(self, summaries: list[StorySummary]) -> list[StorySummary]:
        """The stories with their first and last dates as their articles have them. The stored columns are days
        of the centroid's time span, where a month-only date counts as the 15th (for time decay): shown, they
        would claim a day nobody wrote ("2015-10-15" for "2015-10")."""
        spans: dict[int, list[str]] = {}
        ids = [s.id for s in summaries]
        for chunk in _chunks(ids):
            for story_id, published in self.db.execute(
                    "SELECT s.story_id, a.published FROM story_articles s JOIN articles a ON a.id = s.article_id "
                    f"WHERE s.story_id IN ({','.join('?' * len(chunk))}) AND a.published IS NOT NULL", list(chunk)):
                spans.setdefault(int(story_id), []).append(str(published))
        out = []
        for summary in summaries:
            dates = sorted(spans.get(summary.id, []), key=_after_its_days)
            out.append(StorySummary(summary.id, summary.label, summary.n_articles, dates[0] if dates else None,
                                    dates[-1] if dates else None))
        return out

    def story_of(self, article_id: int) -> tuple[int | None, str, str | None] | None:
        row = self.db.execute("SELECT story_id, status, reason FROM story_articles WHERE article_id = ?",
                              (article_id,)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def timeline(self, story_id: int) -> list[TimelineEntry]:
        rows = self.db.execute(
            "SELECT a.id, a.published, a.date_source, coalesce(a.site, a.outlet), a.title, a.url, s.status, "
            "s.probability FROM story_articles s JOIN articles a ON a.id = s.article_id WHERE s.story_id = ? "
            "ORDER BY a.published IS NULL, a.published, a.id", (story_id,)).fetchall()
        return [TimelineEntry(*row) for row in rows]

    def excluded(self) -> Counter[str]:
        return Counter(r[0] for r in self.db.execute(
            "SELECT reason FROM story_articles WHERE status = 'excluded'"))

    def counts(self) -> dict[str, int]:
        stories = self.db.execute("SELECT count(*), coalesce(sum(n_articles > 1), 0) FROM stories").fetchone()
        statuses = dict(self.db.execute("SELECT status, count(*) FROM story_articles GROUP BY status").fetchall())
        return {"stories": int(stories[0]), "stories_with_several_articles": int(stories[1]),
                "articles_placed": int(statuses.get("opened", 0) + statuses.get("joined", 0)),
                "articles_excluded": int(statuses.get("excluded", 0))}

    def export_rows(self) -> Iterator[dict[str, Any]]:
        """One row per article with a story row (assigned or excluded), by story then date."""
        cursor = self.db.execute(
            "SELECT s.story_id, a.id, a.url, a.title, a.published, a.date_source, coalesce(a.site, a.outlet), "
            "st.label, s.status, s.probability, s.reason FROM story_articles s JOIN articles a ON a.id = s.article_id "
            "LEFT JOIN stories st ON st.id = s.story_id "
            "ORDER BY s.story_id IS NULL, s.story_id, a.published IS NULL, a.published, a.id")
        names = ("story_id", "id", "url", "title", "published", "date_source", "site", "story_label", "status",
                 "probability", "reason")
        for row in cursor:
            yield dict(zip(names, row, strict=True))


def story_records(store: Store) -> Iterator[Any]:
    """The ``--what stories`` export rows (:class:`~sourcetrace.corpus.export.StoryRecord`)."""
    from sourcetrace.corpus.export import StoryRecord

    for row in StoryStorage(store).export_rows():
        yield StoryRecord(**row)
