"""Train the story merge decision (src/sourcetrace/resources/stories_model.json).

    python training/stories_entities.py     # once: entities of the labelled bodies (~2 min)
    python training/train_stories.py        # ~1 min on 2 cores

Data: the story-labelled FNC-1 train bodies of :mod:`sourcetrace.stories.labels` (stories = Emergent claims,
dates from Emergent's logged article times). Only the **train** split (Emergent train claims, four fifths by
claim hash) trains the weights; the **dev** split (the other fifth of the train claims) picks the threshold;
the **test** split (Emergent test claims) is never read here: benchmarks/stories.py scores it.

Training pairs follow Miranda et al. (2018): the train stream is replayed in date order with the gold stories
as the clusters; for each article, its features against its gold story (when that story already has an
article) are a positive, and against every other candidate the index retrieves a negative. 15 % of the articles
lose their date, so the model learns what an undated article looks like. The model is a logistic regression
(numpy, Newton's method, classes weighted equally).

Licence of the data: FNC-1 and Emergent state none (research data, see ../shared/data/*/README.md); the
artifact holds 14 weights and a threshold, no text.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "training"))

from stories_entities import DATA, load  # noqa: E402

from sourcetrace.stories.clustering import StoryClusterer  # noqa: E402
from sourcetrace.stories.features import FEATURE_NAMES  # noqa: E402
from sourcetrace.stories.labels import LabelledArticle, article_items, build  # noqa: E402
from sourcetrace.stories.metrics import bcubed, pairwise  # noqa: E402
from sourcetrace.stories.model import MergeModel, fit_logistic  # noqa: E402

OUTPUT = REPO / "src" / "sourcetrace" / "resources" / "stories_model.json"
UNDATED_SHARE = 0.15
WINDOW_DAYS = 10.0


def training_pairs(articles: list[LabelledArticle], entities: dict[int, list[tuple[str, int]]] | None,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = random.Random(seed)
    undated = frozenset(a.body_id for a in articles if rng.random() < UNDATED_SHARE)
    items = article_items(articles, entities, undated=undated)
    clusterer = StoryClusterer(MergeModel(tuple([0.0] * len(FEATURE_NAMES))), window_days=WINDOW_DAYS)
    story_of: dict[str, int] = {}
    x: list[list[float]] = []
    y: list[float] = []
    for article, (terms, names) in zip(articles, items, strict=True):
        prepared = clusterer.prepare(terms, names)
        gold = story_of.get(article.story)
        for candidate in clusterer.candidates(prepared):
            if candidate != gold:
                x.append(clusterer.features(prepared, candidate))
                y.append(0.0)
        if gold is not None:
            x.append(clusterer.features(prepared, gold))
            y.append(1.0)
        story_of[article.story] = clusterer.commit(prepared, gold)
    return np.array(x), np.array(y)


def cluster(articles: list[LabelledArticle], entities: dict[int, list[tuple[str, int]]] | None,
            model: MergeModel, threshold: float | None = None, window: float = WINDOW_DAYS) -> dict[int, int]:
    """Predicted story per body id, clustering the stream online in date order."""
    clusterer = StoryClusterer(model, window_days=window, threshold=threshold)
    return {a.article_id: a.story_id or 0 for a in clusterer.run(article_items(articles, entities))}


def scores(predicted: dict[int, int], articles: list[LabelledArticle]) -> tuple[float, float]:
    gold = {a.body_id: a.story for a in articles}
    return pairwise(predicted, gold).f1, bcubed(predicted, gold).f1


def tune(articles: list[LabelledArticle], entities: dict[int, list[tuple[str, int]]] | None,
         model: MergeModel, grid: list[float]) -> tuple[float, float]:
    """The threshold with the best mean of pairwise and B-cubed F1 on ``articles``, and that mean."""
    best = (0.5, -1.0)
    for threshold in grid:
        f_pair, f_b3 = scores(cluster(articles, entities, model, threshold), articles)
        if (f_pair + f_b3) / 2 > best[1]:
            best = (threshold, (f_pair + f_b3) / 2)
    return best


def baseline_model(threshold: float) -> MergeModel:
    """TF-IDF only: one cosine (body words against the centroid) over a threshold; no time, no entities."""
    weights = [0.0] * len(FEATURE_NAMES)
    index = FEATURE_NAMES.index("cos_body_words")
    weights[0], weights[index] = -40.0 * threshold, 40.0
    return MergeModel(tuple(weights), 0.5, "tfidf-baseline", {"cosine_threshold": threshold})


def tune_baseline(articles: list[LabelledArticle]) -> float:
    best = (0.3, -1.0)
    for threshold in [t / 100 for t in range(10, 71, 4)]:
        f_pair, f_b3 = scores(cluster(articles, None, baseline_model(threshold)), articles)
        if (f_pair + f_b3) / 2 > best[1]:
            best = (threshold, (f_pair + f_b3) / 2)
    return best[0]


def main() -> None:
    labelled = build(DATA)
    # --capitalised: capitalised phrases instead of the entity index (no spaCy run; an ablation)
    entities = None if "--capitalised" in sys.argv else load()
    train, dev = labelled.split("train"), labelled.split("dev")
    x, y = training_pairs(train, entities)
    weights = fit_logistic(x, y, l2=1.0)
    model = MergeModel(tuple(float(w) for w in weights))
    threshold, dev_f1 = tune(dev, entities, model, [t / 20 for t in range(4, 20)])
    model = MergeModel(model.weights, threshold, "stories-lr-fnc1-emergent", {
        "trained_on": f"FNC-1 train bodies grouped by Emergent claim: train split {len(train)} articles in "
                      f"{len({a.story for a in train})} stories ({len(y):,} pairs, {int(y.sum()):,} positive); "
                      f"threshold tuned on the dev split ({len(dev)} articles)",
        "dev_mean_f1": round(dev_f1, 4),
        "window_days": WINDOW_DAYS,
        "licence": "weights only; data FNC-1/Emergent, research data without a stated licence",
        "script": "training/train_stories.py",
    })
    model.save(OUTPUT)
    for name, weight in zip(FEATURE_NAMES, model.weights, strict=True):
        print(f"{name:>22} {weight:+.3f}")
    print(f"threshold {threshold:.2f}, dev mean F1 {dev_f1:.4f} → {OUTPUT}")


if __name__ == "__main__":
    main()
