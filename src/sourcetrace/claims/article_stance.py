"""Each article's stance toward each story claim — supports, contradicts, discusses, does not address — with the
evidence spans that decide it.

The cheap, explainable evidence comes first; the stance model is asked only where it is needed, so that the
pairs stay bounded (the cost goal: claims + stance within 2x ``analyze`` per article):

1. The article **carries the claim** (one of its own claims was grouped into it): supports, with that claim's
   spans and speaker. It **carries a conflicting claim** (same action, opposite polarity, a shared anchor):
   contradicts. Carrying both: the side stated first decides when it is in the article's lead and the other
   side comes in a later paragraph (a report that answers a claim and then recalls it) or after an answering
   word ("contradicting a lawmaker who said …"), otherwise the article discusses both.
2. Otherwise, an article that shares no informative word with the claim does **not address** it, with no model
   call.
3. Otherwise ``sourcetrace.stance(claim, article text)`` (FNC-1's agree / disagree / discuss / unrelated, with the
   body sentences it read as evidence) decides: agree → supports, disagree → contradicts, discuss → discusses,
   unrelated → does not address; an agree or disagree below ``MODEL_CONFIDENT`` counts as discusses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sourcetrace.claims.models import ArticleClaim, ArticleRef, ArticleStance, ClaimStance
from sourcetrace.claims.text import content_stems
from sourcetrace.models import Span

# words by which a lead answers the other side it then reports ("…, contradicting a lawmaker who said …")
_ANSWERING = ("contradicting", "denying", "rejecting", "disputing", "dismissing", "refuting", "countering",
              "despite")
LEAD_SENTENCES = 3  # the headline and the first two body sentences: where a report states its own line
MODEL_CONFIDENT = 0.6  # below this, the model's agree/disagree is reported as "discusses", not as a side
MIN_SHARED_STEMS = 2  # fewer shared content words than this: the article does not address the claim
_MAP = {"agree": ClaimStance.SUPPORTS, "disagree": ClaimStance.CONTRADICTS, "discuss": ClaimStance.DISCUSSES,
        "unrelated": ClaimStance.NOT_ADDRESSED}


@dataclass(frozen=True)
class ModelStance:
    """What the stance function returns, reduced to what the claims level uses."""

    label: str  # agree | disagree | discuss | unrelated
    probability: float
    evidence: list[Span]


StanceFunction = Callable[[str, str], ModelStance]


@dataclass(frozen=True)
class ArticleView:
    """One article of the story as the stance step reads it."""

    ref: ArticleRef
    text: str
    stems: frozenset[str]
    sentence_starts: list[int]  # sorted, to tell lead sentences and paragraphs apart
    paragraph_of: dict[int, int]  # sentence start → paragraph index


def _position(view: ArticleView, offset: int) -> tuple[int, int]:
    """(sentence index, paragraph index) of a character offset."""
    from bisect import bisect_right

    i = max(bisect_right(view.sentence_starts, offset) - 1, 0)
    start = view.sentence_starts[i] if view.sentence_starts else 0
    return i, view.paragraph_of.get(start, 0)


def decide(claim_text: str, view: ArticleView, own: list[ArticleClaim], opposite: list[ArticleClaim],
           stance: StanceFunction | None) -> ArticleStance:
    """The article's stance toward one story claim (``own``: its claims grouped into it; ``opposite``: its claims
    grouped into conflicting story claims)."""
    if own or opposite:
        # the side is read from where each side first appears; the evidence shown is the best-matching wording
        # (the callers order own and opposite by relevance, best first)
        first_own = min(own, key=lambda c: c.spans[0].start) if own else None
        first_opp = min(opposite, key=lambda c: c.spans[0].start) if opposite else None
        if first_own and first_opp:
            chosen = _lead_side(view, first_own, first_opp)
            if chosen is None:
                return ArticleStance(article=view.ref, stance=ClaimStance.DISCUSSES, how="states_both",
                                     speaker=None, spans=[*own[0].spans, *opposite[0].spans])
            first_own, first_opp = (chosen, None) if chosen is first_own else (None, chosen)
        if first_own is not None:
            return ArticleStance(article=view.ref, stance=ClaimStance.SUPPORTS, how="states",
                                 speaker=own[0].speaker, spans=list(own[0].spans))
        return ArticleStance(article=view.ref, stance=ClaimStance.CONTRADICTS, how="states_opposite",
                             speaker=opposite[0].speaker, spans=list(opposite[0].spans))
    shared = set(content_stems(claim_text)) & view.stems
    if len(shared) < MIN_SHARED_STEMS or stance is None:
        return ArticleStance(article=view.ref, stance=ClaimStance.NOT_ADDRESSED,
                             how="no_overlap" if len(shared) < MIN_SHARED_STEMS else "no_model")
    result = stance(claim_text, view.text)
    label = _MAP.get(result.label, ClaimStance.NOT_ADDRESSED)
    if label in (ClaimStance.SUPPORTS, ClaimStance.CONTRADICTS) and result.probability < MODEL_CONFIDENT:
        label = ClaimStance.DISCUSSES  # the model sees the article on the topic but is unsure of its side
    return ArticleStance(article=view.ref, stance=label, how="model", probability=round(result.probability, 3),
                         spans=result.evidence[:2] if label != ClaimStance.NOT_ADDRESSED else [])


def _lead_side(view: ArticleView, a: ArticleClaim, b: ArticleClaim) -> ArticleClaim | None:
    """The side the article takes when it states both, or None when it gives both sides alike."""
    (sa, pa), (sb, pb) = _position(view, a.spans[0].start), _position(view, b.spans[0].start)
    first, (s_first, p_first), p_other = (a, (sa, pa), pb) if a.spans[0].start <= b.spans[0].start else \
        (b, (sb, pb), pa)
    if s_first < LEAD_SENTENCES and p_other > p_first:
        return first
    other = b if first is a else a
    between = view.text[first.spans[0].start:other.spans[0].start].lower()
    if s_first < LEAD_SENTENCES and any(re.search(rf"\b{w}\b", between) for w in _ANSWERING):
        return first  # "X has not authorised strikes, …, contradicting a lawmaker who said …": X is the line
    return None
