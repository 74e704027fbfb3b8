"""The learned merge decision: a logistic regression over an article–story pair's features.

For each article the clusterer scores its candidate stories with this model; the best one is joined when its
probability reaches the model's threshold, else the article opens a new story (Miranda et al. 2018 rank
candidates and then decide merge-or-new; here one linear model does both, its threshold tuned on a dev
split). The weights are a small JSON file in ``sourcetrace/resources`` made by ``training/train_stories.py``
from story-labelled FNC-1 bodies (see that script for the data and its licence).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from sourcetrace.stories.features import FEATURE_NAMES

MODEL_RESOURCE = "stories_model.json"


@dataclass(frozen=True)
class MergeModel:
    """Weights over FEATURE_NAMES; ``probability`` of "this article belongs to this story"."""

    weights: tuple[float, ...]
    threshold: float = 0.5
    name: str = "stories-lr"
    meta: dict[str, Any] = field(default_factory=dict)

    def probability(self, features: Sequence[float]) -> float:
        z = sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "features": list(FEATURE_NAMES), "weights": [round(w, 6) for w in self.weights],
                "threshold": round(self.threshold, 4), **self.meta}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MergeModel:
        if list(data["features"]) != list(FEATURE_NAMES):
            raise ValueError("the stories model was trained on other features; retrain it: "
                             "python training/train_stories.py")
        meta = {k: v for k, v in data.items() if k not in ("name", "features", "weights", "threshold")}
        return cls(tuple(float(w) for w in data["weights"]), float(data["threshold"]), str(data["name"]), meta)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")


@cache
def default_model() -> MergeModel:
    """The shipped model (loaded once per process)."""
    raw = resources.files("sourcetrace.resources").joinpath(MODEL_RESOURCE).read_text(encoding="utf-8")
    return MergeModel.from_json(json.loads(raw))


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 1.0, iterations: int = 50) -> np.ndarray:
    """Weights of an L2-regularised logistic regression (Newton's method; the bias column is not penalised),
    with the two classes weighted equally whatever their counts."""
    n, d = x.shape
    positives = max(1.0, float(y.sum()))
    negatives = max(1.0, float(n - y.sum()))
    sample = np.where(y > 0, n / (2 * positives), n / (2 * negatives))
    penalty = np.full(d, l2)
    penalty[0] = 0.0
    w = np.zeros(d)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (sample * (p - y)) + penalty * w
        hessian = (x * (sample * p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return w
