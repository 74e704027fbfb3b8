"""A story-labelled, dated, multi-outlet set built from FNC-1 train bodies and Emergent (benchmark, training).

FNC-1 pairs article bodies with headlines; a pair is *related* (agree, disagree, discuss) exactly when the
headline and the body come from the same Emergent claim. The connected components of the related pairs are
therefore stories: every body of a component reports the same claim, from many outlets. Each component is
named by the Emergent claim that its headlines carry (``articleHeadline`` → ``claimId``, majority), which also
gives the split (Emergent's own train/test split is by claim: test claims are the test stories; a fifth of the
train claims, by a hash of the claim id, is the dev split for tuning) and the dates.

Dates: FNC-1 has none. Emergent's ``articleId`` values are version-1 UUIDs, whose timestamp is when Emergent
logged the article (Aug 2014 – Mar 2015), days at most after its publication. The bodies of a story are
spread over its articles' logged dates (bodies in Body ID order over the sorted dates): each story keeps its
real time span and its place among the others; which body got which date inside a story is arbitrary.

Components whose headlines match no Emergent claim have no date and no split; they are left out (counted).
FNC-1's ``competition_test_stances.csv`` is never read. Neither data set is shipped: both are research data
with no stated licence (see ``../shared/data/fnc1/README.md``).
"""

from __future__ import annotations

import csv
import datetime
import random
import re
import uuid
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from sourcetrace.stories.features import ArticleTerms, article_terms, entity_key

EPOCH = datetime.datetime(1970, 1, 1)
_UUID_EPOCH = datetime.datetime(1582, 10, 15)


@dataclass(frozen=True)
class LabelledArticle:
    """One FNC-1 train body with its story (Emergent claim id), date and split."""

    body_id: int
    text: str
    story: str
    claim: str
    date: float  # days since 1970-01-01
    split: str  # train, dev or test


@dataclass(frozen=True)
class LabelledSet:
    articles: list[LabelledArticle]
    left_out_bodies: int
    left_out_components: int

    def split(self, name: str) -> list[LabelledArticle]:
        return sorted((a for a in self.articles if a.split == name), key=lambda a: (a.date, a.body_id))


def uuid1_days(value: str) -> float:
    """The timestamp of a version-1 UUID in days since 1970-01-01."""
    moment = _UUID_EPOCH + datetime.timedelta(microseconds=uuid.UUID(value).time // 10)
    return (moment - EPOCH).total_seconds() / 86400.0


def day_string(days: float) -> str:
    return (EPOCH + datetime.timedelta(days=days)).date().isoformat()


def build(data_dir: Path) -> LabelledSet:
    """The labelled set from ``data_dir`` (``../shared/data``)."""
    fnc, emergent = data_dir / "fnc1", data_dir / "emergent"
    with (fnc / "train_bodies.csv").open(encoding="utf-8") as handle:
        bodies = {int(row["Body ID"]): row["articleBody"] for row in csv.DictReader(handle)}
    with (fnc / "train_stances.csv").open(encoding="utf-8") as handle:
        related = [(row["Headline"], int(row["Body ID"])) for row in csv.DictReader(handle)
                   if row["Stance"] != "unrelated"]
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for headline, body in related:
        a, b = find("h:" + headline), find(f"b:{body}")
        if a != b:
            parent[a] = b
    components: dict[str, list[str]] = defaultdict(list)
    for node in list(parent):
        components[find(node)].append(node)

    with (emergent / "url-versions-2015-06-14-clean.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (emergent / "url-versions-2015-06-14-clean-test.csv").open(encoding="utf-8") as handle:
        test_claims = {row["claimId"] for row in csv.DictReader(handle)}
    claims_of: dict[str, set[str]] = defaultdict(set)
    dates_of: dict[tuple[str, str], list[float]] = defaultdict(list)  # (claim, headline) → logged dates
    for row in rows:
        claims_of[row["articleHeadline"]].add(row["claimId"])
        dates_of[row["claimId"], row["articleHeadline"]].append(uuid1_days(row["articleId"]))

    articles: list[LabelledArticle] = []
    left_bodies = left_components = 0
    for nodes in components.values():
        headlines = [n[2:] for n in nodes if n.startswith("h:")]
        body_ids = sorted(int(n[2:]) for n in nodes if n.startswith("b:"))
        votes = Counter(claim for h in headlines for claim in sorted(claims_of.get(h, ())))
        if not votes:
            left_components += 1
            left_bodies += len(body_ids)
            continue
        claim = votes.most_common(1)[0][0]
        dates = sorted(d for h in headlines for d in dates_of.get((claim, h), ()))
        split = "test" if claim in test_claims else "dev" if zlib.crc32(claim.encode()) % 5 == 0 else "train"
        for index, body_id in enumerate(body_ids):
            position = round(index * (len(dates) - 1) / max(1, len(body_ids) - 1))
            articles.append(LabelledArticle(body_id, bodies[body_id], claim, claim, dates[position], split))
    return LabelledSet(articles, left_bodies, left_components)


def article_items(articles: list[LabelledArticle], entities: dict[int, list[tuple[str, int]]] | None, *,
                  undated: frozenset[int] = frozenset()) -> list[tuple[ArticleTerms, dict[str, str]]]:
    """The clusterer's input for labelled articles (in the given order): FNC-1 bodies have no title, so the
    first sentence stands for it; ``entities`` None uses capitalised phrases; bodies in ``undated`` lose
    their date (to teach the model undated articles)."""
    out = []
    for article in articles:
        found = entities.get(article.body_id, []) if entities is not None else None
        terms = article_terms(article.body_id, article.text, title=None,
                              date=None if article.body_id in undated else article.date, entities=found)
        names = {"e:" + entity_key(name): name for name, _ in found or ()}
        out.append((terms, names))
    return out


STORIES_PER_DAY = 5.0
SEPARATION_DAYS = 30.0  # no claim retold within this many days, so planted stories stay apart
_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])")


@dataclass(frozen=True)
class PlantedArticle:
    """One article of a planted stream: its planted story, text and date (days since 1970)."""

    story: int
    claim: str
    text: str
    date: float


def planted_stream(articles: list[LabelledArticle], n_articles: int, *, seed: int = 7,
                   stories_per_day: float = STORIES_PER_DAY) -> list[PlantedArticle]:
    """A dense synthetic stream of planted stories (threshold tuning on train claims; the scale benchmark).

    Each planted story retells one body of one claim: every article keeps ~70 % of its sentences, lightly
    shuffled, plus one or two sentences of a random other body; 1–30 articles (mean ~8) over three days; about
    ``stories_per_day`` stories start a day and no claim is retold within ``SEPARATION_DAYS``. Generation order
    (callers sort by date)."""
    by_claim: dict[str, list[str]] = {}
    for article in articles:
        by_claim.setdefault(article.story, []).append(article.text)
    claims = sorted(by_claim)
    all_bodies = [t for c in claims for t in by_claim[c]]
    rng = random.Random(seed)
    last_used: dict[str, float] = {}
    out: list[PlantedArticle] = []
    story = 0
    day = 16000.0  # 2013-10-22: any origin will do
    while len(out) < n_articles:
        day += rng.expovariate(stories_per_day)
        free = [c for c in claims if last_used.get(c, -1e9) < day - SEPARATION_DAYS]
        while not free:  # a burst used every claim: wait for one
            day += 0.25
            free = [c for c in claims if last_used.get(c, -1e9) < day - SEPARATION_DAYS]
        claim = rng.choice(free)
        last_used[claim] = day
        sentences = [s for s in _SENTENCE.split(rng.choice(by_claim[claim])) if s.strip()]
        size = min(30, 1 + int(rng.expovariate(1 / 7)))
        story += 1
        for _ in range(size):
            kept = [s for s in sentences if rng.random() < 0.7] or sentences[:3]
            if len(kept) > 3 and rng.random() < 0.5:
                i = rng.randrange(len(kept) - 1)
                kept[i], kept[i + 1] = kept[i + 1], kept[i]
            noise = [s for s in _SENTENCE.split(rng.choice(all_bodies)) if s.strip()]
            kept += rng.sample(noise, min(len(noise), rng.randint(1, 2)))
            out.append(PlantedArticle(story, claim, " ".join(kept), day + rng.uniform(0, 3)))
            if len(out) >= n_articles:
                break
    return out
