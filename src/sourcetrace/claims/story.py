"""A story's claims, end to end: the claims of each of its articles → story claims (matching.py) → each article's
stance toward each of the top story claims (article_stance.py) → contradictions (contradictions.py).

Bounded so that the cost grows with the story, not with claims × articles × model calls: each article gives at
most ``CLAIMS_PER_ARTICLE`` claims (the most check-worthy), the stance step covers the ``TOP_CLAIMS`` story claims
that most articles carry, and the stance model is called only for an article that neither carries a claim nor
its opposite but shares words with it (``article_stance``), at most ``MODEL_CALLS_PER_ARTICLE`` times per
article (the claims carried by most articles first; past that, "does not address" with ``how="no_model"``).
Results are computed on demand and kept in a per-process cache until the story's articles change (see
``story_claims``).
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sourcetrace.article.resources import load_resources
from sourcetrace.claims.article_stance import ArticleView, ModelStance, StanceFunction, decide
from sourcetrace.claims.checkworthiness import shipped_model
from sourcetrace.claims.contradictions import find_contradictions, overlap, side
from sourcetrace.claims.extract import extract_claims
from sourcetrace.claims.matching import Item, group_claims
from sourcetrace.claims.models import (
    Appearance,
    ArticleClaim,
    ArticleRef,
    FirstSeen,
    StoryClaim,
    StoryClaims,
)
from sourcetrace.claims.text import content_stems
from sourcetrace.corpus.api import Corpus, StoredArticle
from sourcetrace.corpus.store import Store
from sourcetrace.errors import SourcetraceError
from sourcetrace.models import Voice
from sourcetrace.stories.storage import StoryStorage, StorySummary

LEAD_VOICES = frozenset({Voice.HEADLINE, Voice.REPORTED, Voice.DIRECT_QUOTE, Voice.AUTHOR_ASSERTION,
                         Voice.AUTHOR_OPINION})
CLAIMS_PER_ARTICLE = 15
TOP_CLAIMS = 15
MAX_GROUPS = 80  # story claims made at all: the top ones are listed, the rest only answer them as contradictions
# stance model calls per article, for the most widely carried claims first: with the re-ranker's calls this keeps
# claims + stance under analyze's own cost per article (benchmarks/claims_speed.py: 8 calls cost 1.05x)
MODEL_CALLS_PER_ARTICLE = 6
METHOD = ("claims: attributed contents and author assertions ranked by a check-worthiness model (CheckThat! 2019 "
          "+ ClaimBuster); grouped by TF-IDF + anchor + action overlap{rerank}; stance: carried claim / carried "
          "opposite / lexical overlap, else {model}; contradictions: shared anchor + opposite action polarity "
          "(the credibility signal's test), strict vs tension by time words, hedges, dates and scope")


@dataclass(frozen=True)
class StanceModel:
    """The stance functions the story step may use; all None runs the rules alone."""

    stance: StanceFunction | None = None
    agree: Callable[[str, str], float] | None = None
    disagree: Callable[[str, str], float] | None = None
    name: str = "none"


def stance_model() -> StanceModel:
    """``sourcetrace.stance`` when this install has it (issue 24's stance model), else the rules alone. The story
    step reads each body through the focused window only (``whole_body=False``): it calls the model up to
    ``MODEL_CALLS_PER_ARTICLE`` times per article and more for the re-ranker, and reading the whole body costs
    five times as much for a small gain (docs/benchmarks.md, "Stance")."""
    try:
        from sourcetrace.claims.stance import default_model
    except ImportError:
        return StanceModel()

    def run(claim: str, body: str) -> Any:
        return default_model()(claim, body, whole_body=False)

    def call(claim: str, body: str) -> ModelStance:
        try:
            result = run(claim, body)
        except (SourcetraceError, ValueError):
            return ModelStance(label="unrelated", probability=1.0, evidence=[])
        return ModelStance(label=str(result.label), probability=float(result.probabilities[str(result.label)]),
                           evidence=list(result.evidence))

    def probability(label: str) -> Callable[[str, str], float]:
        def read(claim: str, body: str) -> float:
            try:
                return float(run(claim, body).probabilities.get(label, 0.0))
            except (SourcetraceError, ValueError):
                return 0.0
        return read

    return StanceModel(stance=call, agree=probability("agree"), disagree=probability("disagree"),
                       name="sourcetrace.stance")


def article_ref(stored: StoredArticle) -> ArticleRef:
    return ArticleRef(id=stored.id, url=stored.url, outlet=stored.outlet or stored.site, title=stored.title,
                      published=stored.published)


def _view(stored: StoredArticle) -> ArticleView:
    report = stored.report
    # the headline and the body's sentences: bylines, captions and markers do not count toward the lead
    sentences = sorted((s for s in report.sentences if s.voice in LEAD_VOICES), key=lambda s: s.span.start)
    return ArticleView(ref=article_ref(stored), text=report.article.text,
                       stems=frozenset(content_stems(report.article.text)),
                       sentence_starts=[s.span.start for s in sentences],
                       paragraph_of={s.span.start: s.paragraph for s in sentences})


def _majority(values: Sequence[Sequence[str]]) -> list[str]:
    counts = Counter(v for vs in values for v in set(vs))
    return sorted(v for v, n in counts.items() if n * 2 >= len(values))


def build_story_claims(story_id: int, articles: Sequence[StoredArticle], *, label: str = "",
                       model: StanceModel | None = None, top_claims: int = TOP_CLAIMS,
                       claims_per_article: int = CLAIMS_PER_ARTICLE) -> StoryClaims:
    """The claims of one story from its stored articles (in timeline order)."""
    started = time.perf_counter()
    model = model or StanceModel()
    checkworthiness, lexicon = shipped_model(), load_resources().lexicon
    refs = {a.id: article_ref(a) for a in articles}
    items: list[Item] = []
    claims_of: dict[int, list[ArticleClaim]] = {}
    for stored in articles:
        claims = extract_claims(stored.report, model=checkworthiness, lexicon=lexicon)[:claims_per_article]
        claims_of[stored.id] = claims
        items += [Item(article_id=stored.id, claim=c) for c in claims]
    groups = group_claims(items, agree=model.agree)
    order = {a.id: n for n, a in enumerate(articles)}  # timeline order: date, undated last, then id
    story_claims: list[StoryClaim] = []
    member_claims: list[dict[int, list[ArticleClaim]]] = []
    similarity: list[dict[tuple[int, str], float]] = []  # per story claim: (article, claim id) → match score
    for n, group in enumerate(groups[:MAX_GROUPS], start=1):
        members = [items[m] for m in group.members]
        canonical = items[group.canonical].claim
        first = min(members, key=lambda it: (order[it.article_id], it.claim.spans[0].start))
        by_article: dict[int, list[ArticleClaim]] = {}
        for it in members:
            by_article.setdefault(it.article_id, []).append(it.claim)
        member_claims.append(by_article)
        similarity.append({(items[m].article_id, items[m].claim.id): group.similarity[m] for m in group.members})
        story_claims.append(StoryClaim(
            claim_id=f"{story_id}-{n}", story_id=story_id, text=canonical.text,
            checkworthiness=max(it.claim.checkworthiness for it in members),
            appearances=[Appearance(article_id=it.article_id, claim_id=it.claim.id, text=it.claim.text,
                                    spans=it.claim.spans, speaker=it.claim.speaker, conduits=it.claim.conduits,
                                    similarity=group.similarity[m], anchors=it.claim.anchors)
                         for m, it in zip(group.members, members, strict=True)],
            first_seen=FirstSeen(article=refs[first.article_id], speaker=first.claim.speaker,
                                 conduits=first.claim.conduits, span=first.claim.spans[0]),
            anchors=_majority([it.claim.anchors for it in members]),
            affirmed=_majority([it.claim.affirmed for it in members]),
            denied=_majority([it.claim.denied for it in members])))
    # contradictions: the top claims against every claim of the story, so that a denial only one article carries
    # still answers the claim most articles carry; the claims on the other side join the listed ones
    top = story_claims[:top_claims]
    top_ids = {c.claim_id for c in top}
    contradictions = find_contradictions(story_claims, refs, disagree=model.disagree, among=top_ids)
    sides = {side_id for c in contradictions for side_id in (c.first.claim_id, c.second.claim_id)}
    listed = [i for i, c in enumerate(story_claims) if c.claim_id in top_ids or c.claim_id in sides]
    views = [_view(a) for a in articles]
    with_stances = []
    budget = {view.ref.id: MODEL_CALLS_PER_ARTICLE for view in views}
    for i in listed:
        claim = story_claims[i]
        stances = []
        for view in views:
            scores = similarity[i]
            own = sorted(member_claims[i].get(view.ref.id, []),
                         key=lambda c: -scores.get((view.ref.id, c.id), 0.0))
            opposite = []
            grouped = {c.id for c in own}
            for article_claim in claims_of.get(view.ref.id, []):
                if article_claim.id in grouped:
                    continue
                found = side(claim, article_claim)
                if found > 0:
                    own.append(article_claim)
                elif found < 0:
                    opposite.append(article_claim)
            opposite.sort(key=lambda c: -overlap(claim.text, c.text))  # the best-matching denial first
            allowed = model.stance if budget[view.ref.id] > 0 else None
            decided = decide(claim.text, view, own, opposite, allowed)
            if decided.how == "model":
                budget[view.ref.id] -= 1
            stances.append(decided)
        with_stances.append(claim.model_copy(update={"articles": stances}))
    rerank = " with the stance model's agree probability as re-ranker" if model.agree else ""
    return StoryClaims(story_id=story_id, label=label, articles=list(refs.values()), claims=with_stances,
                       contradictions=contradictions,
                       method=METHOD.format(rerank=rerank, model=model.name if model.stance else
                                            "does not address (no stance model)"),
                       seconds=round(time.perf_counter() - started, 3))


# ---- on demand, with an in-process cache ----------------------------------------------------------------------
# Claims are computed on demand rather than stored: they cost a fraction of the analysis they read
# (benchmarks/claims_speed.py) and depend on the stance model, which is still changing; a process that asks
# twice (the web app) gets the cached result while the story's articles are unchanged.
_CACHE: dict[tuple[str, int], tuple[tuple[tuple[int, str], ...], str, StoryClaims]] = {}
_CACHE_SIZE = 64


def story_claims(corpus: Corpus, story_id: int, *, model: StanceModel | None = None) -> StoryClaims:
    """The claims of a stored story (stories must be assigned: ``corpus stories``)."""
    return story_claims_in_store(corpus.store, story_id, model=model)


def story_claims_in_store(store: Store, story_id: int, *, model: StanceModel | None = None) -> StoryClaims:
    """The same over an open store (read-only is enough: nothing is written)."""
    storage = StoryStorage(store)
    story, ids = story_timeline(storage, story_id)
    marks = ",".join("?" * len(ids))
    rows = store.query(f"SELECT id, analyzed_at FROM articles WHERE id IN ({marks})", ids) if ids else []
    key = tuple(sorted((int(r[0]), str(r[1])) for r in rows))
    model = model or stance_model()
    cache_key = (str(store.path.resolve()), story_id)
    cached = _CACHE.get(cache_key)
    if cached and cached[0] == key and cached[1] == model.name:
        return cached[2]
    articles = _load_articles(store, ids)
    result = build_story_claims(story_id, articles, label=story.label, model=model)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[cache_key] = (key, model.name, result)
    return result


def story_timeline(storage: StoryStorage, story_id: int) -> tuple[StorySummary, list[int]]:
    """A stored story and its article ids in timeline order; a clear error when there is no such story."""
    try:
        story = storage.story(story_id)
    except sqlite3.OperationalError:  # a store from before the stories tables, opened read-only
        story = None
    if story is None:
        raise SourcetraceError(f"no story {story_id} in the store (see: sourcetrace corpus stories)")
    return story, [e.article_id for e in storage.timeline(story_id)]


def article_rows(store: Store, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The store rows (the columns of a StoredArticle, with ``text`` and the ``report`` blob as stored) of
    ``ids``, in that order; ids not in the store are left out."""
    from sourcetrace.corpus.api import _ARTICLE_COLUMNS

    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 400):
        chunk = list(ids[start:start + 400])
        cursor = store.connection.execute(
            f"SELECT {_ARTICLE_COLUMNS}, text, report FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
            chunk)
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            found[int(row["id"])] = row
    return [found[i] for i in ids if i in found]


def _load_articles(store: Store, ids: Sequence[int]) -> list[StoredArticle]:
    """The stored articles with their reports, in the order of ``ids`` (the story's timeline)."""
    from sourcetrace.corpus.api import _stored

    return [_stored(row) for row in article_rows(store, ids)]
