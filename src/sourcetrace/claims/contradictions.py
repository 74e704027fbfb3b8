"""Contradictions between story claims: two claims about the same actors and the same kind of action, one
affirming it and the other denying it ("Iraq has given Russia permission" / "There is no request right now").

The test is the article pipeline's "claims in tension" (article/credibility.py: shared anchor + the lexicon's
predicate groups with opposite polarity, hypotheticals skipped), lifted to the story: each side is a story claim
and carries its first appearance (span, speaker, outlet, date). Each pair is then told apart:

* **contradiction** — nothing in the text reconciles the two: same dates (within two days), no time
  qualifier, no hedge, the same actors named;
* **tension** — the text leaves room for both to be true: one side is limited in time ("right now", "so far",
  "yet"), the sides are dated days apart, one side is hedged ("reportedly", "may"), or they name different
  actors besides the shared one (scope). The reasons are listed either way; different speakers are noted, since
  a fact-checker asks who, but do not by themselves make a pair a tension.

Where a stance function is given, the stance model's disagree probability of one side read against the other
is added as a second opinion (it never removes a pair: the rule is the explainable part).
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sourcetrace.claims.models import (
    ArticleClaim,
    ArticleRef,
    Contradiction,
    ContradictionKind,
    ContradictionSide,
    StoryClaim,
)
from sourcetrace.claims.text import content_stems
from sourcetrace.models import Span

MAX_CONTRADICTIONS = 12
DATE_GAP_DAYS = 2
_TIME_LIMITED = re.compile(r"\b(?:right now|for now|at the moment|at this time|so far|as yet|yet|currently|"
                           r"at present|for the time being|until now|not immediately|"
                           r"by (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|then|now|the time))\b",
                           re.I)
_HEDGED = re.compile(r"\b(?:reportedly|allegedly|may|might|could|possibly|perhaps|apparently|likely|"
                     r"unconfirmed|rumou?red)\b", re.I)

MAX_WORDINGS = 8
# content-word Jaccard two sides need, unless they name mostly the same actors: the same action on one shared
# anchor is not enough ("Russia launched strikes following a request from Assad" does not answer "no request")
MIN_OVERLAP = 0.15
SAME_ACTORS = 0.5  # anchor Jaccard at which two sides name the same actors
SAME_SIDE_OVERLAP = 0.25  # an article claim not grouped into the story claim restates it at this overlap,
SAME_SIDE_ACTORS = 0.6  # or at MIN_OVERLAP when it names mostly the same actors

DisagreeFunction = Callable[[str, str], float]


@functools.lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    return frozenset(content_stems(text))


def overlap(a: str, b: str) -> float:
    x, y = _stems(a), _stems(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def conflicts(a: StoryClaim, b: StoryClaim) -> tuple[list[str], list[str]]:
    """(opposed actions, shared anchors) when two story claims conflict, else two empty lists."""
    actions = sorted((set(a.affirmed) & set(b.denied)) | (set(a.denied) & set(b.affirmed)))
    shared = sorted(set(a.anchors) & set(b.anchors))
    if not actions or not shared or (_best_actors(a, b.anchors) < SAME_ACTORS and best_overlap(a, b) < MIN_OVERLAP):
        return [], []
    return actions, shared


def side(claim: StoryClaim, article_claim: ArticleClaim) -> int:
    """+1 when an article's claim states the story claim's side (same action and polarity, a shared anchor, the
    same words), -1 when it states the opposite side, 0 when neither."""
    if not set(claim.anchors) & set(article_claim.anchors):
        return 0
    texts = [claim.text] + [x.text for x in claim.appearances[:MAX_WORDINGS]]
    similar = max(overlap(t, article_claim.text) for t in texts)
    if (set(claim.affirmed) & set(article_claim.denied)) | (set(claim.denied) & set(article_claim.affirmed)):
        return -1 if similar >= MIN_OVERLAP or _best_actors(claim, article_claim.anchors) >= SAME_ACTORS else 0
    if (set(claim.affirmed) & set(article_claim.affirmed)) | (set(claim.denied) & set(article_claim.denied)):
        same_actors = _best_actors(claim, article_claim.anchors) >= SAME_SIDE_ACTORS
        return 1 if similar >= SAME_SIDE_OVERLAP or (same_actors and similar >= MIN_OVERLAP) else 0
    return 0


def _anchor_jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    x, y = set(a), set(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def _best_actors(claim: StoryClaim, anchors: Sequence[str]) -> float:
    """The best anchor Jaccard between any wording of the claim (its own anchors first) and ``anchors``."""
    wordings = [claim.anchors] + [x.anchors for x in claim.appearances[:MAX_WORDINGS] if x.anchors]
    return max(_anchor_jaccard(w, anchors) for w in wordings)


def best_overlap(a: StoryClaim, b: StoryClaim) -> float:
    """The best overlap between any wording of one claim and any of the other (a few of each)."""
    texts_a = [a.text] + [x.text for x in a.appearances[:MAX_WORDINGS]]
    texts_b = [b.text] + [x.text for x in b.appearances[:MAX_WORDINGS]]
    return max(overlap(x, y) for x in texts_a for y in texts_b)


@dataclass(frozen=True)
class _Wording:
    """One appearance of a story claim, as a side of a contradiction."""

    claim_id: str
    claim_text: str
    text: str
    article: ArticleRef
    speaker: str
    conduits: list[str]
    span: Span
    anchors: list[str]

    def side(self) -> ContradictionSide:
        return ContradictionSide(claim_id=self.claim_id, claim_text=self.claim_text, text=self.text,
                                 article=self.article,
                                 speaker=self.speaker, conduits=self.conduits, span=self.span)


def _qualifiers(text: str) -> list[str]:
    found = []
    limited = _TIME_LIMITED.search(text)
    if limited:
        found.append(f"“{limited.group(0)}” limits it in time")
    hedge = _HEDGED.search(text)
    if hedge:
        found.append(f"“{hedge.group(0)}” hedges it")
    return found


def _wording(claim: StoryClaim, refs: dict[int, ArticleRef]) -> _Wording:
    """The side a contradiction shows for a story claim: its earliest wording that states it plainly (no time
    limit, no hedge), else its first appearance — so "has not authorised" answers "has authorised" strictly even
    when the same story claim also holds "there is no request right now"."""
    first = claim.first_seen
    wordings = [_Wording(claim.claim_id, claim.text, a.text, refs.get(a.article_id, first.article), a.speaker,
                         a.conduits, a.spans[0], a.anchors or claim.anchors) for a in claim.appearances if a.spans]
    if not wordings:
        return _Wording(claim.claim_id, claim.text, claim.text, first.article, first.speaker, first.conduits,
                        first.span, claim.anchors)
    wordings.sort(key=lambda w: (bool(_qualifiers(w.text)), w.article.published or "9999", w.article.id,
                                 w.span.start))
    return wordings[0]


def _date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def find_contradictions(claims: Sequence[StoryClaim], refs: dict[int, ArticleRef], *,
                        disagree: DisagreeFunction | None = None,
                        among: set[str] | None = None) -> list[Contradiction]:
    """Conflicting pairs among the story claims, strict contradictions first, then by how much they share; with
    ``among``, only pairs with at least one side among those claim ids."""
    found: list[tuple[float, Contradiction]] = []
    for i, a in enumerate(claims):
        for b in claims[i + 1:]:
            if among is not None and a.claim_id not in among and b.claim_id not in among:
                continue
            actions, shared = conflicts(a, b)
            if not actions:
                continue
            first, second = sorted((_wording(a, refs), _wording(b, refs)),
                                   key=lambda w: (w.article.published or "9999", w.article.id))
            reasons: list[str] = []
            for side in (first, second):
                reasons += [f"{q} ({side.claim_id})" for q in _qualifiers(side.text)]
            d1, d2 = _date(first.article.published), _date(second.article.published)
            if d1 and d2 and abs((d2 - d1).days) > DATE_GAP_DAYS:
                reasons.append(f"stated {abs((d2 - d1).days)} days apart ({d1} and {d2})")
            only_a, only_b = set(first.anchors) - set(shared), set(second.anchors) - set(shared)
            if only_a and only_b:
                reasons.append(f"different scope: {', '.join(sorted(only_a))} vs {', '.join(sorted(only_b))}")
            kind = ContradictionKind.TENSION if reasons else ContradictionKind.STRICT
            if first.speaker != second.speaker:
                reasons.append(f"different speakers: {first.speaker} vs {second.speaker}")
            else:
                reasons.append(f"the same speaker: {first.speaker}")
            p = None
            if disagree is not None:
                p = round(max(disagree(first.text, second.text), disagree(second.text, first.text)), 3)
            strict = 1.0 if kind == ContradictionKind.STRICT else 0.0
            weight = len(actions) + len(shared) + 4 * best_overlap(a, b) + strict + (p or 0.0)
            found.append((weight, Contradiction(
                kind=kind, first=first.side(), second=second.side(), shared_anchors=shared,
                actions=actions, reasons=reasons, disagree=p)))
    found.sort(key=lambda item: -item[0])
    return [c for _, c in found[:MAX_CONTRADICTIONS]]
