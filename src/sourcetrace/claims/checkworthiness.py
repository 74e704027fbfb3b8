"""Check-worthiness: how much a sentence deserves a fact-checker's attention, as a probability.

A small linear model: hashed word unigrams and bigrams (case-folded, numbers folded to one token) plus a few
dense features a fact-checker looks for (a number, a percentage or money, a comparison, a named thing, first
person, a question, length), scored by a logistic regression. It is trained by
``training/train_checkworthiness.py`` on CLEF CheckThat! 2019 task 1 (English) train and the ClaimBuster
check-worthy/non-check-worthy sentences, and shipped as ``resources/claims/checkworthiness.npz`` (weights only,
no text; see ``resources/claims/README.md`` for the data licences). ``benchmarks/checkworthiness.py`` scores it on
the CheckThat! 2019 test transcripts (MAP per transcript, the lab's measure).

The features live here, not in the training script, so that training and inference cannot drift apart.
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise
from pathlib import Path

import numpy as np

HASH_BITS = 18
N_HASHED = 1 << HASH_BITS
DENSE_FEATURES = ("bias", "has_number", "has_percent_or_money", "has_comparison", "has_capitalised_inside",
                  "first_person", "second_person", "question", "log_words", "short", "has_year")
N_FEATURES = N_HASHED + len(DENSE_FEATURES)
MODEL_FILE = "checkworthiness.npz"

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d[\d,.]*%?|[$€£%]")
_NUMBER = re.compile(r"\d")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_PERCENT_MONEY = re.compile(r"%|\$|€|£|\bper ?cent\b|\bpercent\b|\bmillion\b|\bbillion\b|\btrillion\b", re.I)
_COMPARISON = re.compile(r"\b(?:more|less|fewer|most|least|increase[ds]?|decrease[ds]?|double[ds]?|tripled?|"
                         r"higher|lower|largest|biggest|smallest|record|rose|fell|cut|raised?)\b", re.I)
_FIRST = frozenset({"i", "me", "my", "we", "us", "our"})
_SECOND = frozenset({"you", "your"})


def tokens(text: str) -> list[str]:
    """Case-folded words; every number becomes ``<num>`` (the value rarely matters, its presence does)."""
    return ["<num>" if t[0].isdigit() else t.lower().replace("’", "'") for t in _WORD.findall(text)]


def _bucket(feature: str) -> int:
    # crc32 is stable across processes and Python versions (hash() is salted per process)
    return zlib.crc32(feature.encode("utf-8")) & (N_HASHED - 1)


def features(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The sentence's active features as (indices, values), hashed part first, then the dense ones."""
    words = tokens(text)
    counts: dict[int, float] = {}
    for gram in words + [f"{a} {b}" for a, b in pairwise(words)]:
        key = _bucket(gram)
        counts[key] = counts.get(key, 0.0) + 1.0
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    inside = text.split()[1:]
    dense = (
        1.0,
        float(bool(_NUMBER.search(text))),
        float(bool(_PERCENT_MONEY.search(text))),
        float(bool(_COMPARISON.search(text))),
        float(any(w[:1].isupper() and w.strip("\"'“‘(").lower() not in _FIRST for w in inside)),
        float(any(w in _FIRST for w in words)),
        float(any(w in _SECOND for w in words)),
        float("?" in text),
        math.log1p(len(words)) / 4.0,
        float(len(words) < 6),
        float(bool(_YEAR.search(text))),
    )
    indices = np.fromiter(list(counts) + [N_HASHED + i for i in range(len(dense))], dtype=np.int64)
    values = np.fromiter([v / norm for v in counts.values()] + list(dense), dtype=np.float64)
    return indices, values


@dataclass(frozen=True)
class CheckWorthinessModel:
    """The weights of the logistic regression over :func:`features`."""

    weights: np.ndarray  # float32, N_FEATURES
    trained_on: str = ""

    def score(self, text: str) -> float:
        """P(check-worthy) for one sentence."""
        indices, values = features(text)
        z = float(np.dot(self.weights[indices].astype(np.float64), values))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def scores(self, texts: Sequence[str]) -> list[float]:
        return [self.score(t) for t in texts]

    def save(self, path: Path) -> None:
        np.savez_compressed(path, weights=self.weights.astype(np.float32),
                            trained_on=np.array(self.trained_on), n_features=np.array(N_FEATURES))

    @classmethod
    def load(cls, path: Path | None = None) -> CheckWorthinessModel:
        if path is None:
            with resources.as_file(resources.files("sourcetrace.resources") / "claims" / MODEL_FILE) as shipped:
                return cls.load(shipped)
        with np.load(path) as data:
            if int(data["n_features"]) != N_FEATURES:
                raise ValueError(f"{path} was trained with other features ({int(data['n_features'])} weights, "
                                 f"this version uses {N_FEATURES}): retrain it (training/train_checkworthiness.py)")
            return cls(weights=data["weights"].astype(np.float32), trained_on=str(data["trained_on"]))


@functools.cache
def shipped_model() -> CheckWorthinessModel:
    """The bundled model, loaded once per process."""
    return CheckWorthinessModel.load()


def average_precision(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Average precision of one ranked list (the CheckThat! measure per transcript): the mean, over the positives,
    of the precision at the rank where each appears; 0 when the list has no positive. Ties keep input order."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    hits, total = 0, 0.0
    for rank, i in enumerate(order, start=1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0
