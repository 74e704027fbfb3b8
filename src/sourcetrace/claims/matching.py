"""The same claim across the articles of a story: group article claims that say the same thing into story claims.

Three steps, as claim-matching systems do (CheckThat! 2021 task 2: retrieval, then re-ranking):

1. **Retrieval.** Each claim becomes a TF-IDF vector of content-word stems (document frequencies over the story's
   claims, so the story's own vocabulary — "Iraq", "Russia" — weighs little and what tells claims apart weighs
   much); candidate pairs are those sharing a stem that at most half the claims carry.
2. **Scoring.** cosine + anchor overlap (the entities named, metonyms folded: Baghdad = Iraq) + action overlap
   (the lexicon's predicate groups), minus a penalty when both state numbers and none is shared. Two claims
   that state the same action with opposite polarity ("has authorised" / "has not authorised") are never the
   same claim, whatever their wording: they become two story claims, and a contradiction.
3. **Re-ranking.** Where a stance function is given, a pair scored near the threshold is confirmed by the stance
   model's agree probability of one claim read as the body for the other.

Grouping is average-link over the pairs above the threshold, best first (cluster-to-cluster score sums kept up to
date; a wording repeated word for word — wire copy — is scored once and weighs by its number of copies). The
canonical text is the member most similar to the others, weighted by check-worthiness, preferring a short
attributed or asserted sentence.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sourcetrace.claims.models import ArticleClaim
from sourcetrace.claims.text import content_stems, numbers

THRESHOLD = 0.45  # pair score at which two claims are the same claim (chosen on the demo and claims corpora)
ALL_PAIRS = 60  # up to this many claims every pair is scored (cheap, and no word is too common to retrieve)
MAX_POSTING = 200  # retrieval skips words carried by more claims than this
RERANK_BAND = 0.06  # pairs within this of the threshold go to the re-ranker when one is given
AGREE_MIN = 0.7  # the re-ranker's agree probability that confirms a borderline pair (claim-vs-claim is
# not what a headline/body stance model was trained on: only a confident agree counts)
MAX_WORDS_CANONICAL = 30

AgreeFunction = Callable[[str, str], float]


@dataclass(frozen=True)
class Item:
    """One article claim, as the matcher sees it."""

    article_id: int
    claim: ArticleClaim


@dataclass
class Group:
    members: list[int]  # indices into the items
    canonical: int
    similarity: dict[int, float]  # member → similarity to the canonical


def _opposed(a: ArticleClaim, b: ArticleClaim) -> bool:
    return bool((set(a.affirmed) & set(b.denied)) or (set(a.denied) & set(b.affirmed)))


class Matcher:
    """Pairwise scores over one story's claims."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = list(items)
        stems = [content_stems(i.claim.text) for i in self.items]
        df: Counter[str] = Counter()
        for words in stems:
            df.update(set(words))
        self.df = df
        n = max(len(self.items), 1)
        self.idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}
        self.vectors: list[dict[str, float]] = []
        for words in stems:
            tf = Counter(words)
            vec = {w: (1 + math.log(c)) * self.idf[w] for w, c in tf.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            self.vectors.append({w: v / norm for w, v in vec.items()})
        self.numbers = [numbers(i.claim.text) for i in self.items]

    def candidates(self) -> list[tuple[int, int]]:
        """Pairs that share an informative stem (an inverted index instead of every pair)."""
        if len(self.items) <= ALL_PAIRS:
            return [(i, j) for i in range(len(self.items)) for j in range(i + 1, len(self.items))]
        # a word most claims share ("Iraq" in an Iraq story) retrieves nothing useful and costs quadratic pairs
        ceiling = min(max(2, len(self.items) // 2), MAX_POSTING)
        postings: dict[str, list[int]] = {}
        for i, vec in enumerate(self.vectors):
            for w in vec:
                if self.df[w] <= ceiling:
                    postings.setdefault(w, []).append(i)
        pairs = {(a, b) for members in postings.values() for k, a in enumerate(members) for b in members[k + 1:]}
        return sorted(pairs)

    def cosine(self, i: int, j: int) -> float:
        a, b = self.vectors[i], self.vectors[j]
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b.get(w, 0.0) for w, v in a.items())

    def score(self, i: int, j: int) -> float:
        a, b = self.items[i].claim, self.items[j].claim
        if _opposed(a, b):
            return 0.0
        anchors_a, anchors_b = set(a.anchors), set(b.anchors)
        anchor = len(anchors_a & anchors_b) / len(anchors_a | anchors_b) if anchors_a | anchors_b else 0.0
        actions_a, actions_b = set(a.affirmed) | set(a.denied), set(b.affirmed) | set(b.denied)
        action = len(actions_a & actions_b) / len(actions_a | actions_b) if actions_a | actions_b else 0.0
        score = 0.6 * self.cosine(i, j) + 0.25 * anchor + 0.15 * action
        if self.numbers[i] and self.numbers[j] and not self.numbers[i] & self.numbers[j]:
            score -= 0.15  # "killed 12" and "killed 40" are different claims
        return score


def group_claims(items: Sequence[Item], *, agree: AgreeFunction | None = None,
                 threshold: float = THRESHOLD) -> list[Group]:
    """Story claims as groups of item indices, largest and most check-worthy first."""
    # a wording carried word for word by many articles (wire copy) is scored once, with its number of copies as
    # its weight in the average link: a story of 200 reposts costs what one does
    copies: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        key = " ".join(content_stems(it.claim.text)) + "|" + ",".join(it.claim.affirmed) + "|" + \
            ",".join(it.claim.denied)
        copies.setdefault(key, []).append(i)
    reps = [group[0] for group in copies.values()]
    repeats = list(copies.values())
    sub = [items[r] for r in reps]
    matcher = Matcher(sub)
    scored: dict[tuple[int, int], float] = {}
    for i, j in matcher.candidates():
        s = matcher.score(i, j)
        if agree is not None and abs(s - threshold) <= RERANK_BAND and s > 0:
            a, b = sub[i].claim.text, sub[j].claim.text
            p = max(agree(a, b), agree(b, a))
            s = max(s, threshold) if p >= AGREE_MIN else min(s, threshold - 1e-6)
        if s >= threshold - RERANK_BAND:
            scored[(i, j)] = s
    # average link with the cluster-to-cluster sums of pair scores kept up to date, so that a refused merge costs
    # nothing to try again; polarity kept per cluster (a claim and its denial never share one)
    cluster_of = list(range(len(sub)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(sub))}
    size = {i: float(len(repeats[i])) for i in range(len(sub))}
    affirmed = {i: set(sub[i].claim.affirmed) for i in range(len(sub))}
    denied = {i: set(sub[i].claim.denied) for i in range(len(sub))}
    sums: dict[int, dict[int, float]] = {i: {} for i in range(len(sub))}
    for (i, j), s in scored.items():
        sums[i][j] = sums[j][i] = s * size[i] * size[j]
    for (i, j), s in sorted(scored.items(), key=lambda kv: -kv[1]):
        if s < threshold:
            break
        ci, cj = cluster_of[i], cluster_of[j]
        if ci == cj or (affirmed[ci] & denied[cj]) or (denied[ci] & affirmed[cj]):
            continue
        if sums[ci].get(cj, 0.0) / (size[ci] * size[cj]) < threshold * 0.75:  # a little looser than a pair
            continue
        if len(members[ci]) < len(members[cj]):
            ci, cj = cj, ci
        for ck, value in sums.pop(cj).items():
            del sums[ck][cj]
            if ck != ci:
                sums[ci][ck] = sums[ck][ci] = sums[ci].get(ck, 0.0) + value
        for m in members[cj]:
            cluster_of[m] = ci
        members[ci].extend(members.pop(cj))
        size[ci] += size.pop(cj)
        affirmed[ci] |= affirmed.pop(cj)
        denied[ci] |= denied.pop(cj)
    groups = []
    for group in members.values():
        canonical = _canonical(group, sub, scored)
        similarity: dict[int, float] = {}
        for m in group:
            value = 1.0 if m == canonical else round(
                scored.get((min(m, canonical), max(m, canonical)), matcher.score(m, canonical)), 3)
            for item in repeats[m]:
                similarity[item] = value
        groups.append(Group(members=sorted(similarity), canonical=reps[canonical], similarity=similarity))
    groups.sort(key=lambda g: (-len({items[m].article_id for m in g.members}),
                               -max(items[m].claim.checkworthiness for m in g.members)))
    return groups


def _canonical(group: list[int], items: Sequence[Item], scored: dict[tuple[int, int], float]) -> int:
    def merit(m: int) -> float:
        claim = items[m].claim
        typical = (sum(scored.get((min(m, o), max(m, o)), 0.0) for o in group if o != m) / (len(group) - 1)
                   if len(group) > 1 else 0.0)
        words = len(claim.text.split())
        readable = 1.0 if 6 <= words <= MAX_WORDS_CANONICAL else 0.6
        if not claim.text[:1].isupper():
            readable *= 0.8  # "him there was no request…": a clause cut from its sentence reads badly
        return (0.5 * typical + 0.5 * claim.checkworthiness) * readable
    return max(group, key=merit)
