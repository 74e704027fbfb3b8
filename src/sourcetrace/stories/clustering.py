"""Online story clustering: one article in, one assignment out, in date order (after Miranda et al. 2018).

For each article: its sub-vectors are weighted with the document frequencies seen so far; candidate stories
come from an inverted index over its strongest terms and entities (``features.index_keys``), looking only at
the most recent stories under each term and keeping those active within the time window, so the work per
article does not grow with the corpus; each candidate is scored by the learned model; the best joins when it
reaches the threshold, else the article opens a story. The article's vectors are then added to the story's
centroid, its terms to the index and the document frequencies.

The clusterer keeps what it touches in memory. With a :class:`Backend` (the store, see
:mod:`~sourcetrace.stories.storage`) it reads document frequencies, postings and centroids lazily, only for
the terms and stories an article needs, and hands back what changed: adding one article to a large store
reads a few index rows and writes a few, nothing is rebuilt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sourcetrace.stories.features import (
    ARTICLE_TERMS,
    ArticleTerms,
    Centroid,
    Vector,
    index_keys,
    pair_features,
    weigh,
)
from sourcetrace.stories.model import MergeModel

DEFAULT_WINDOW_DAYS = 10.0
SCAN_PER_TERM = 48  # the most recent stories looked at under each indexed term
MAX_CANDIDATES = 24  # stories scored by the model per article


@dataclass(frozen=True)
class Assignment:
    """What became of one article: it ``joined`` or ``opened`` a story, or was ``excluded`` (with a reason)."""

    article_id: int
    story_id: int | None
    status: str
    probability: float | None = None  # the model's probability for the story it joined (best candidate else)
    candidates: int = 0
    reason: str | None = None


@dataclass
class Story:
    """A story's state while clustering: its centroid, and the display names of its entities."""

    id: int
    centroid: Centroid
    names: dict[str, str] = field(default_factory=dict)

    def label(self, n_entities: int = 3, n_terms: int = 3) -> str:
        """Key entities, then key terms not already in them: 'Islamic State, Kobani, Turkey · siege, border'."""
        entities = [self.names.get(key, key[2:].title()) for key in self.centroid.top_terms(5, n_entities)]
        taken = {part for name in entities for part in name.casefold().split()}
        terms = [t[2:] for t in self.centroid.top_terms(3, n_terms + 6) if t[2:] not in taken][:n_terms]
        return " · ".join(part for part in (", ".join(entities), ", ".join(terms)) if part) or "(no terms)"


@dataclass(frozen=True)
class Prepared:
    """An article ready to be placed: weighted sub-vectors and index keys."""

    terms: ArticleTerms
    vectors: tuple[Vector, ...]
    keys: tuple[str, ...]
    names: dict[str, str]


class Backend(Protocol):
    """Where the index lives between runs (the store): read lazily, written by the caller in batches."""

    def load_df(self, terms: Sequence[str]) -> dict[str, int]: ...

    def load_postings(self, keys: Sequence[str], limit: int) -> dict[str, list[int]]: ...

    def load_spans(self, story_ids: Sequence[int]) -> dict[int, tuple[float | None, float | None]]: ...

    def load_stories(self, story_ids: Sequence[int]) -> dict[int, Story]: ...


class StoryClusterer:
    """The online clusterer. ``n_docs`` and ``next_id`` continue a stored index; ``backend`` None means the
    whole index is in memory (a fresh store, training, tests)."""

    def __init__(self, model: MergeModel, *, window_days: float = DEFAULT_WINDOW_DAYS,
                 backend: Backend | None = None, n_docs: int = 0, next_id: int = 1,
                 threshold: float | None = None) -> None:
        self.model = model
        self.threshold = model.threshold if threshold is None else threshold
        self.window = window_days
        self.backend = backend
        # a fresh index (nothing stored before this run) has everything in memory: no lookups needed
        self.lookups = backend is not None and n_docs > 0
        self.n_docs = n_docs
        self.next_id = next_id
        self.df: dict[str, int] = {}
        self.postings: dict[str, list[int]] = {}
        self.spans: dict[int, list[float | None]] = {}  # story id → [oldest, newest]
        self.stories: dict[int, Story] = {}
        # changes since the last drain
        self.df_delta: Counter[str] = Counter()
        self.new_postings: list[tuple[str, int]] = []
        self.dirty: set[int] = set()

    # ---- one article ------------------------------------------------------------------------------------

    def prepare(self, terms: ArticleTerms, names: dict[str, str] | None = None) -> Prepared:
        """Count the article in the document frequencies and weigh its sub-vectors."""
        document = terms.document_terms()
        if self.backend is not None and self.lookups:
            missing = [t for t in document if t not in self.df]
            if missing:
                loaded = self.backend.load_df(missing)
                for term in missing:
                    self.df[term] = loaded.get(term, 0)
        for term in document:
            self.df[term] = self.df.get(term, 0) + 1
        self.df_delta.update(document)
        self.n_docs += 1
        vectors = tuple(weigh(counts, self.df, self.n_docs, keep)
                        for counts, keep in zip(terms.counts, ARTICLE_TERMS, strict=True))
        return Prepared(terms, vectors, tuple(index_keys(vectors)), names or {})

    def candidates(self, prepared: Prepared) -> list[int]:
        """Stories sharing indexed terms with the article and active in the window, most shared terms first."""
        keys = prepared.keys
        if self.backend is not None and self.lookups:
            missing = [k for k in keys if k not in self.postings]
            if missing:
                loaded = self.backend.load_postings(missing, SCAN_PER_TERM)
                for key in missing:
                    self.postings[key] = loaded.get(key, [])
        hits: Counter[int] = Counter()
        for key in keys:
            hits.update(set(self.postings.get(key, ())[-SCAN_PER_TERM:]))
        if not hits:
            return []
        if self.backend is not None and self.lookups:
            unknown = [s for s in hits if s not in self.spans]
            if unknown:
                for story_id, (oldest, newest) in self.backend.load_spans(unknown).items():
                    self.spans[story_id] = [oldest, newest]
        date = prepared.terms.date
        active = [s for s in hits if self._active(s, date)]
        active.sort(key=lambda s: (-hits[s], -s))
        return active[:MAX_CANDIDATES]

    def _active(self, story_id: int, date: float | None) -> bool:
        if date is None:
            return True
        oldest, newest = self.spans.get(story_id, (None, None))
        if oldest is None or newest is None:
            return True  # an undated story
        return oldest - self.window <= date <= newest + self.window

    def story(self, story_id: int) -> Story:
        if story_id not in self.stories and self.backend is not None:
            self.stories.update(self.backend.load_stories([story_id]))
        return self.stories[story_id]

    def features(self, prepared: Prepared, story_id: int) -> list[float]:
        return pair_features(prepared.vectors, prepared.terms.date, self.story(story_id).centroid)

    def place(self, prepared: Prepared) -> Assignment:
        """Score the candidates, join the best when the model agrees, else open a story; update the index."""
        candidates = self.candidates(prepared)
        if self.backend is not None:
            wanted = [s for s in candidates if s not in self.stories]
            if wanted:
                self.stories.update(self.backend.load_stories(wanted))
        best_id, best_p = None, 0.0
        for story_id in candidates:
            p = self.model.probability(self.features(prepared, story_id))
            if p > best_p:
                best_id, best_p = story_id, p
        article_id = prepared.terms.article_id
        if best_id is not None and best_p >= self.threshold:
            self.commit(prepared, best_id)
            return Assignment(article_id, best_id, "joined", best_p, len(candidates))
        story_id = self.commit(prepared, None)
        return Assignment(article_id, story_id, "opened", best_p if candidates else None, len(candidates))

    def commit(self, prepared: Prepared, story_id: int | None) -> int:
        """Add the article to a story (a new one when ``story_id`` is None): centroid, dates, index."""
        if story_id is None:
            story_id = self.next_id
            self.next_id += 1
            self.stories[story_id] = Story(story_id, Centroid())
        story = self.story(story_id)
        story.centroid.add(prepared.vectors, prepared.terms.date)
        for key in story.centroid.top_terms(5, 40):
            if key not in story.names and key in prepared.names:
                story.names[key] = prepared.names[key]
        self.spans[story_id] = [story.centroid.oldest, story.centroid.newest]
        for key in prepared.keys:
            postings = self.postings.setdefault(key, [])
            if story_id not in postings[-SCAN_PER_TERM:]:
                postings.append(story_id)
                self.new_postings.append((key, story_id))
        self.dirty.add(story_id)
        return story_id

    # ---- bookkeeping --------------------------------------------------------------------------------------

    def drain(self) -> tuple[Counter[str], list[tuple[str, int]], list[Story]]:
        """What changed since the last drain (document-frequency increments, new postings, changed stories),
        for the caller to write; the change lists start afresh."""
        changed = [self.stories[s] for s in sorted(self.dirty)]
        out = (self.df_delta, self.new_postings, changed)
        self.df_delta, self.new_postings, self.dirty = Counter(), [], set()
        return out

    def evict(self, before: float) -> int:
        """Forget the centroids of stored stories last active before ``before`` minus the window (they are
        reloaded if ever needed); returns how many."""
        limit = before - self.window
        old = [s for s, story in self.stories.items() if s not in self.dirty and story.centroid.newest is not None
               and story.centroid.newest < limit]
        for story_id in old:
            del self.stories[story_id]
        return len(old)

    def run(self, items: Iterable[tuple[ArticleTerms, dict[str, str]]]) -> list[Assignment]:
        """Place every article in order (callers sort by date)."""
        return [self.place(self.prepare(terms, names)) for terms, names in items]
