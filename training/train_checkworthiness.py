"""Train the check-worthiness model (src/sourcetrace/resources/claims/checkworthiness.npz).

    python training/train_checkworthiness.py          # ~1 min on 2 cores, needs ../shared

Data (../shared/data, read-only):
* CLEF CheckThat! 2019 task 1 English **train** (``checkthat-en/clef2019-task1/CT19-T1-Training.csv``, 19 debate
  and speech transcripts, 2.7 % check-worthy). Five of its transcripts (every fourth by name) are the
  development split that picks the regularisation and the ClaimBuster weight; the final model is then refitted
  on all 19. The 2019 **test** file is never read here: benchmarks/checkworthiness.py scores it.
* ClaimBuster (``claimbuster/3xNCS.json``: 2,764 check-worthy factual sentences and 8,292 others from US
  presidential debates 1960–2016), minus every sentence that also occurs in CheckThat! 2019 train (compared
  case- and space-folded), so that the development split sees no training sentence (its README finds none of
  the 2019 test sentences in it).

The model (:mod:`sourcetrace.claims.checkworthiness`) is a logistic regression over hashed word uni-/bigrams and
a few dense features, fitted with full-batch Adagrad (numpy only), the two classes weighted equally.

Licences: CheckThat! 2019 states none (research data released "to the research community"); ClaimBuster is
open access on Zenodo (believed CC BY 4.0) and GPL-3.0 in its GitHub repository. The artifact holds hashed
weights only, no text (resources/claims/README.md).
"""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from sourcetrace.claims.checkworthiness import (  # noqa: E402
    N_FEATURES,
    CheckWorthinessModel,
    average_precision,
    features,
)

DATA = REPO.parent / "shared" / "data"
CT19 = DATA / "checkthat-en" / "clef2019-task1"
CLAIMBUSTER = DATA / "claimbuster" / "3xNCS.json"
OUTPUT = REPO / "src" / "sourcetrace" / "resources" / "claims" / "checkworthiness.npz"
L2S = (1e-5, 1e-4, 1e-3)
CB_WEIGHTS = (0.0, 0.3, 1.0)
ITERATIONS = 400


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def read_ct19(name: str) -> list[tuple[str, str, int]]:
    """(transcript, sentence, label) rows."""
    with (CT19 / name).open(encoding="utf-8", newline="") as handle:
        return [(row["file_name"], row["text"], int(row["label"])) for row in csv.DictReader(handle)]


def read_claimbuster(exclude: set[str]) -> list[tuple[str, int]]:
    rows = json.loads(CLAIMBUSTER.read_text(encoding="utf-8"))
    return [(r["text"], int(r["label"])) for r in rows if fold(r["text"]) not in exclude]


class Matrix:
    """Rows of hashed features as flat (row, column, value) arrays."""

    def __init__(self, texts: list[str]) -> None:
        rows, cols, vals = [], [], []
        for i, text in enumerate(texts):
            idx, val = features(text)
            rows.append(np.full(len(idx), i, dtype=np.int64))
            cols.append(idx)
            vals.append(val)
        self.n = len(texts)
        self.rows = np.concatenate(rows)
        self.cols = np.concatenate(cols)
        self.vals = np.concatenate(vals)

    def dot(self, w: np.ndarray) -> np.ndarray:
        return np.bincount(self.rows, weights=w[self.cols] * self.vals, minlength=self.n)

    def tdot(self, r: np.ndarray) -> np.ndarray:
        return np.bincount(self.cols, weights=self.vals * r[self.rows], minlength=N_FEATURES)


def fit(x: Matrix, y: np.ndarray, sample_weight: np.ndarray, l2: float) -> np.ndarray:
    # equal class weight: positives are 2-25 % of the sentences
    weight = sample_weight.copy()
    for label in (0, 1):
        mask = y == label
        weight[mask] *= 0.5 / max(weight[mask].sum(), 1e-9)
    w = np.zeros(N_FEATURES)
    g2 = np.full(N_FEATURES, 1e-8)
    for _ in range(ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-np.clip(x.dot(w), -30, 30)))
        grad = x.tdot((p - y) * weight) + l2 * w
        g2 += grad * grad
        w -= 0.5 * grad / np.sqrt(g2)
    return w


def transcript_map(w: np.ndarray, rows: list[tuple[str, str, int]]) -> float:
    model = CheckWorthinessModel(weights=w.astype(np.float32))
    by: dict[str, tuple[list[float], list[int]]] = defaultdict(lambda: ([], []))
    for transcript, text, label in rows:
        by[transcript][0].append(model.score(text))
        by[transcript][1].append(label)
    return float(np.mean([average_precision(s, lab) for s, lab in by.values()]))


def training_set(ct: list[tuple[str, str, int]], cb: list[tuple[str, int]],
                 cb_weight: float) -> tuple[Matrix, np.ndarray, np.ndarray]:
    texts = [t for _, t, _ in ct] + ([t for t, _ in cb] if cb_weight else [])
    y = np.array([lab for _, _, lab in ct] + ([lab for _, lab in cb] if cb_weight else []), dtype=np.float64)
    sw = np.array([1.0] * len(ct) + ([cb_weight] * len(cb) if cb_weight else []))
    return Matrix(texts), y, sw


def main() -> None:
    started = time.perf_counter()
    train = read_ct19("CT19-T1-Training.csv")
    transcripts = sorted({t for t, _, _ in train})
    dev_names = set(transcripts[::4])
    dev = [r for r in train if r[0] in dev_names]
    fit_rows = [r for r in train if r[0] not in dev_names]
    exclude = {fold(t) for _, t, _ in train}
    claimbuster = read_claimbuster(exclude)
    print(f"CheckThat! 2019 train: {len(fit_rows):,} sentences to fit, {len(dev):,} dev ({len(dev_names)} "
          f"transcripts); ClaimBuster after de-duplication: {len(claimbuster):,}")
    results = []
    for cb_weight in CB_WEIGHTS:
        x, y, sw = training_set(fit_rows, claimbuster, cb_weight)
        for l2 in L2S:
            score = transcript_map(fit(x, y, sw, l2), dev)
            results.append((score, cb_weight, l2))
            print(f"  ClaimBuster weight {cb_weight:<4} L2 {l2:<7g} dev MAP {score:.4f}")
    best_map, cb_weight, l2 = max(results)
    print(f"chosen: ClaimBuster weight {cb_weight}, L2 {l2:g} (dev MAP {best_map:.4f}); refitting on all train")
    x, y, sw = training_set(train, claimbuster, cb_weight)
    w = fit(x, y, sw, l2)
    trained_on = (f"CheckThat! 2019 task 1 en train (19 transcripts) + ClaimBuster 3xNCS x{cb_weight} "
                  f"(de-duplicated); L2 {l2:g}; dev MAP {best_map:.4f} on 5 held-out train transcripts")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    CheckWorthinessModel(weights=w.astype(np.float32), trained_on=trained_on).save(OUTPUT)
    print(f"wrote {OUTPUT.relative_to(REPO)} ({OUTPUT.stat().st_size / 1e6:.1f} MB) in "
          f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
