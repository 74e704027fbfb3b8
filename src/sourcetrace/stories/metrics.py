"""Clustering scores against gold stories: pairwise and B-cubed precision, recall and F1.

Pairwise: over all pairs of articles, a pair put in one story is right when the gold puts it in one story too.
B-cubed (Bagga & Baldwin 1998): per article, precision is the share of its predicted story that shares its gold
story, recall the share of its gold story that shares its predicted story, both averaged over articles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(predicted: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]) -> Scores:
    """Pair counting over the articles in ``gold`` (each mapped to its story)."""
    items = list(gold)
    both = Counter((predicted[i], gold[i]) for i in items)
    together = sum(_pairs(n) for n in both.values())
    predicted_pairs = sum(_pairs(n) for n in Counter(predicted[i] for i in items).values())
    gold_pairs = sum(_pairs(n) for n in Counter(gold[i] for i in items).values())
    return Scores(together / predicted_pairs if predicted_pairs else 1.0,
                  together / gold_pairs if gold_pairs else 1.0)


def bcubed(predicted: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]) -> Scores:
    """B-cubed precision and recall over the articles in ``gold``."""
    items = list(gold)
    if not items:
        return Scores(1.0, 1.0)
    both = Counter((predicted[i], gold[i]) for i in items)
    predicted_size = Counter(predicted[i] for i in items)
    gold_size = Counter(gold[i] for i in items)
    precision = sum(both[predicted[i], gold[i]] / predicted_size[predicted[i]] for i in items) / len(items)
    recall = sum(both[predicted[i], gold[i]] / gold_size[gold[i]] for i in items) / len(items)
    return Scores(precision, recall)
