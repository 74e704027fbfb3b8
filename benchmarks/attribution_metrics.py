"""Scoring functions for attribution extraction, kept pure so that they can be unit-tested by hand.

Everything works on character offsets (``(start, end)``, half-open) and on a list of token offsets, so the
same code scores gold-against-gold, perturbed gold and the real extractor. Three families:

* CofeNet protocol (Wang et al., COLING 2022; github.com/cofe-ai/CofeNet ``exe/eval/evaluation.py``): per-role
  spans inside one instance (CofeNet's released PolNeAR files hold one paragraph per instance), scored by
  exact match, by first token ("begin"), and by CofeNet's Jaccard score.
* Relation F1: a whole (source, cue, content) triple must be right, matched one-to-one.
* Quote F1 as the Gender Gap Tracker computes it (Asr et al. 2021; github.com/sfu-discourse-lab/GenderGapTracker
  ``NLP/evaluation/src/eval/evaluate_quotes.py``): a gold content is found when one prediction covers more than
  30 % (or 80 %) of its characters.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

CharSpan = tuple[int, int]
TokSpan = tuple[int, int]  # first token index, last token index + 1

QUOTE_MARKS = '"“”„«»'


@dataclass
class PRF:
    """Micro-averaged counts; add them up over articles, then read precision, recall and F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Triple:
    """One attribution as character pieces. ``source_aliases`` lets a prediction's source count when another
    mention of the same resolved entity overlaps the gold source (gold triples leave it empty)."""

    source: tuple[CharSpan, ...] | None
    cue: tuple[CharSpan, ...]
    content: tuple[CharSpan, ...]
    source_aliases: tuple[CharSpan, ...] = field(default=())


# ---------------------------------------------------------------- character and token helpers


def merge(pieces: Iterable[CharSpan]) -> list[CharSpan]:
    """Sorted, non-overlapping, non-empty pieces (predicted pieces may overlap; gold pieces may touch)."""
    merged: list[CharSpan] = []
    for start, end in sorted(p for p in pieces if p[1] > p[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def overlap_chars(a: Iterable[CharSpan], b: Iterable[CharSpan]) -> int:
    """Number of characters covered by both piece lists."""
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in merge(a) for s2, e2 in merge(b))


def covered_chars(pieces: Iterable[CharSpan]) -> int:
    return sum(end - start for start, end in merge(pieces))


def token_range(piece: CharSpan, token_starts: Sequence[int], token_ends: Sequence[int]) -> TokSpan | None:
    """Tokens that overlap a character piece, as ``(first, last + 1)``; None when it covers no token.

    A token counts when it shares at least one character with the piece, so an annotation boundary that falls
    inside a token ("Clinton’s" split by the tokenizer or not) still maps onto whole tokens.
    """
    first = bisect_right(token_ends, piece[0])
    last = bisect_left(token_starts, piece[1])
    return (first, last) if last > first else None


def token_set(pieces: Iterable[CharSpan], token_starts: Sequence[int], token_ends: Sequence[int]) -> set[int]:
    tokens: set[int] = set()
    for piece in pieces:
        span = token_range(piece, token_starts, token_ends)
        if span:
            tokens.update(range(*span))
    return tokens


def clip_to_units(pieces: Iterable[CharSpan], units: Sequence[CharSpan]) -> list[CharSpan]:
    """Cut pieces at unit (paragraph or sentence) boundaries, as per-instance BIO tagging implies."""
    clipped = []
    for start, end in pieces:
        for u_start, u_end in units:
            s, e = max(start, u_start), min(end, u_end)
            if e > s:
                clipped.append((s, e))
    return clipped


def role_token_spans(
    pieces: Iterable[CharSpan], units: Sequence[CharSpan], token_starts: Sequence[int], token_ends: Sequence[int]
) -> set[TokSpan]:
    """The set of token spans one role occupies, each cut to its unit: what CofeNet's ``get_element`` reads
    back from a BIO sequence (identical spans from different attributions collapse, as tags would)."""
    spans = (token_range(p, token_starts, token_ends) for p in clip_to_units(pieces, units))
    return {s for s in spans if s}


# ---------------------------------------------------------------- (a) CofeNet protocol


@dataclass
class JaccardScore:
    """CofeNet's 'jaccard': Σ best overlap of each gold span / (gold spans + predicted spans overlapping none)."""

    total: float = 0.0
    count: int = 0

    def __add__(self, other: JaccardScore) -> JaccardScore:
        return JaccardScore(self.total + other.total, self.count + other.count)

    @property
    def value(self) -> float:
        return self.total / self.count if self.count else 0.0


def span_jaccard(a: TokSpan, b: TokSpan) -> float:
    """CofeNet's ``cal_overlap``: intersection over the hull of two token ranges, 0 when disjoint."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return max(0, inter) / (max(a[1], b[1]) - min(a[0], b[0]))


def set_counts(gold: Collection[Hashable], pred: Collection[Hashable]) -> PRF:
    gold_set, pred_set = set(gold), set(pred)
    tp = len(gold_set & pred_set)
    return PRF(tp, len(pred_set) - tp, len(gold_set) - tp)


def exact_counts(gold: set[TokSpan], pred: set[TokSpan]) -> PRF:
    """CofeNet's 'exact_match': a predicted span counts when its first and last tokens equal a gold span's."""
    return set_counts(gold, pred)


def begin_counts(gold: set[TokSpan], pred: set[TokSpan]) -> PRF:
    """CofeNet's 'begin': only the first token of each span is compared."""
    return set_counts({s for s, _ in gold}, {s for s, _ in pred})


def jaccard_score(gold: set[TokSpan], pred: set[TokSpan]) -> JaccardScore:
    total = sum(max((span_jaccard(g, p) for p in pred), default=0.0) for g in gold)
    spurious = sum(1 for p in pred if p not in gold and not any(span_jaccard(p, g) > 0 for g in gold))
    return JaccardScore(total, len(gold) + spurious)


# ---------------------------------------------------------------- (b) relation F1


def source_matches(gold: Triple, pred: Triple) -> bool:
    if gold.source is None or pred.source is None:
        return gold.source is None and pred.source is None
    return overlap_chars(gold.source, (*pred.source, *pred.source_aliases)) > 0


def relation_matches(
    gold: Sequence[Triple],
    pred: Sequence[Triple],
    token_starts: Sequence[int],
    token_ends: Sequence[int],
    min_jaccard: float = 0.5,
) -> list[tuple[int, int, float]]:
    """One-to-one greedy matching, best content token-Jaccard first.

    A pair is eligible when content Jaccard ≥ ``min_jaccard``, the cues share a character and the sources
    match (:func:`source_matches`). Returns ``(gold index, pred index, jaccard)``.
    """
    gold_tokens = [token_set(g.content, token_starts, token_ends) for g in gold]
    pred_tokens = [token_set(p.content, token_starts, token_ends) for p in pred]
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            union = gold_tokens[gi] | pred_tokens[pi]
            jac = len(gold_tokens[gi] & pred_tokens[pi]) / len(union) if union else 0.0
            if jac >= min_jaccard and overlap_chars(g.cue, p.cue) > 0 and source_matches(g, p):
                candidates.append((-jac, gi, pi))
    matches, used_gold, used_pred = [], set(), set()
    for neg_jac, gi, pi in sorted(candidates):
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            matches.append((gi, pi, -neg_jac))
    return matches


def match_counts(matched: int, gold: int, predicted: int) -> PRF:
    """Counts from a one-to-one matching: ``matched`` pairs out of ``gold`` and ``predicted`` items."""
    return PRF(matched, predicted - matched, gold - matched)


def relation_counts(
    gold: Sequence[Triple], pred: Sequence[Triple], token_starts: Sequence[int], token_ends: Sequence[int]
) -> PRF:
    return match_counts(len(relation_matches(gold, pred, token_starts, token_ends)), len(gold), len(pred))


# ---------------------------------------------------------------- (c) Gender Gap Tracker quote F1


def ggt_quote_counts(gold: Sequence[Sequence[CharSpan]], pred: Sequence[Sequence[CharSpan]], threshold: float) -> PRF:
    """GGT's ``compare_res``: gold contents in order, each takes the remaining prediction with the highest
    coverage ``|gold ∩ pred| / |gold|`` in characters, provided it is strictly above ``threshold``.

    The score is asymmetric (gold is the reference), as in GGT: a prediction much longer than the gold content
    still matches; only the one-to-one pairing keeps it from matching twice.
    """
    remaining = list(range(len(pred)))
    tp = 0
    for g in gold:
        size = covered_chars(g)
        best, best_score = None, 0.0
        for pi in remaining:
            score = overlap_chars(g, pred[pi]) / size if size else 0.0
            if score > threshold and score > best_score:
                best, best_score = pi, score
        if best is not None:
            tp += 1
            remaining.remove(best)
    return PRF(tp, len(remaining), len(gold) - tp)


def has_quote_marks(text: str) -> bool:
    return any(mark in text for mark in QUOTE_MARKS)
