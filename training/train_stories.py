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
from sourcetrace.stories.features import FEATURE_NAMES, ArticleTerms, article_terms  # noqa: E402
from sourcetrace.stories.labels import LabelledArticle, article_items, build, planted_stream  # noqa: E402
from sourcetrace.stories.metrics import bcubed, pairwise  # noqa: E402
from sourcetrace.stories.model import MergeModel, fit_logistic  # noqa: E402

OUTPUT = REPO / "src" / "sourcetrace" / "resources" / "stories_model.json"
UNDATED_SHARE = 0.15
WINDOW_DAYS = 30.0  # for the training pairs: the widest window tried, so negatives include older stories
WINDOWS = (7.0, 14.0, 21.0, 30.0)  # tried on dev with each threshold
THRESHOLDS = [t / 20 for t in range(1, 13)]
PLANTED = 2_000  # articles in the dense planted tuning stream


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


Items = list[tuple[ArticleTerms, dict[str, str]]]


def planted_items(train: list[LabelledArticle], n: int = PLANTED) -> tuple[Items, dict[int, int]]:
    """A dense planted stream of train-claim bodies (day dates, date order) and its gold stories."""
    stream = planted_stream(train, n, seed=11)
    order = sorted(range(len(stream)), key=lambda i: (int(stream[i].date), i))
    items = [(article_terms(i, stream[i].text, title=None, date=float(int(stream[i].date))), {}) for i in order]
    return items, {i: a.story for i, a in enumerate(stream)}


def mean_f1(items: Items, gold: dict[int, int] | dict[int, str], model: MergeModel, threshold: float,
            window: float) -> float:
    clusterer = StoryClusterer(model, window_days=window, threshold=threshold)
    predicted = {a.article_id: a.story_id or 0 for a in clusterer.run(items)}
    return (pairwise(predicted, gold).f1 + bcubed(predicted, gold).f1) / 2


def tune(dev: list[LabelledArticle], entities: dict[int, list[tuple[str, int]]] | None, planted: Items,
         planted_gold: dict[int, int], model: MergeModel) -> tuple[float, float, float, float]:
    """The window and threshold with the best mean F1 (pairwise and B-cubed) averaged over the dev split (sparse:
    about one story a day) and a dense planted stream of train claims (five stories a day); returns the window,
    the threshold and the two mean F1s."""
    dev_items = article_items(dev, entities)
    dev_gold = {a.body_id: a.story for a in dev}
    best = (WINDOWS[0], 0.5, -1.0, -1.0)
    for window in WINDOWS:
        for threshold in THRESHOLDS:
            f_dev = mean_f1(dev_items, dev_gold, model, threshold, window)
            f_planted = mean_f1(planted, planted_gold, model, threshold, window)
            if f_dev + f_planted > best[2] + best[3] + 1e-9:
                best = (window, threshold, f_dev, f_planted)
    return best


def baseline_model(threshold: float) -> MergeModel:
    """TF-IDF only: one cosine (body words against the centroid) over a threshold; no time, no entities."""
    weights = [0.0] * len(FEATURE_NAMES)
    index = FEATURE_NAMES.index("cos_body_words")
    weights[0], weights[index] = -40.0 * threshold, 40.0
    return MergeModel(tuple(weights), 0.5, "tfidf-baseline", {"cosine_threshold": threshold})


def tune_baseline(dev: list[LabelledArticle], train: list[LabelledArticle], window: float) -> float:
    """The baseline's cosine threshold, by the same objective as the model's (dev plus a dense planted stream)."""
    dev_items, dev_gold = article_items(dev, None), {a.body_id: a.story for a in dev}
    planted, planted_gold = planted_items(train)
    best = (0.3, -1.0)
    for threshold in [t / 100 for t in range(4, 71, 3)]:
        model = baseline_model(threshold)
        total = mean_f1(dev_items, dev_gold, model, 0.5, window) + mean_f1(planted, planted_gold, model, 0.5, window)
        if total > best[1]:
            best = (threshold, total)
    return best[0]


def main() -> None:
    labelled = build(DATA)
    # --capitalised: capitalised phrases instead of the entity index (no spaCy run; an ablation)
    entities = None if "--capitalised" in sys.argv else load()
    train, dev = labelled.split("train"), labelled.split("dev")
    x, y = training_pairs(train, entities)
    weights = fit_logistic(x, y, l2=1.0)
    model = MergeModel(tuple(float(w) for w in weights))
    planted, planted_gold = planted_items(train)
    window, threshold, dev_f1, planted_f1 = tune(dev, entities, planted, planted_gold, model)
    model = MergeModel(model.weights, threshold, "stories-lr-fnc1-emergent", {
        "trained_on": f"FNC-1 train bodies grouped by Emergent claim: train split {len(train)} articles in "
                      f"{len({a.story for a in train})} stories ({len(y):,} pairs, {int(y.sum()):,} positive); "
                      f"window and threshold tuned on the dev split ({len(dev)} articles) and a dense planted stream "
                      f"of {PLANTED} articles retelling train-split bodies",
        "dev_mean_f1": round(dev_f1, 4),
        "planted_mean_f1": round(planted_f1, 4),
        "window_days": window,
        "licence": "weights only; data FNC-1/Emergent, research data without a stated licence",
        "script": "training/train_stories.py",
    })
    model.save(OUTPUT)
    for name, weight in zip(FEATURE_NAMES, model.weights, strict=True):
        print(f"{name:>22} {weight:+.3f}")
    print(f"window {window:g} days, threshold {threshold:.2f}, dev mean F1 {dev_f1:.4f}, planted mean F1 "
          f"{planted_f1:.4f} → {OUTPUT}")


if __name__ == "__main__":
    main()
