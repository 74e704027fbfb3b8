"""FNC-1 development data for the stance model: pairs, the body split, the unseen-topic split and the FNC score.

The split is the official baseline's (``../shared/data/fnc1/splits``): training bodies vs hold-out bodies. Its
hold-out pairs share almost every headline with training (1,593 of 1,648), so a second, harder view is kept:
headlines are grouped into topics (connected components of headline–body links of related pairs: 191 topics)
and a fixed fifth of the topics (by a hash of their first headline) is *unseen*: a model trained on
``train_seen`` never reads a pair whose headline is in an unseen topic, and the unseen-topic score counts only
hold-out pairs of those headlines. The shipped model trains on all of ``train`` (more data for the real test,
whose topics are all new); the unseen-topic view is measured by retraining on ``train_seen``.
The competition test labels are not here and never read.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "fnc1"
LABELS = ("agree", "disagree", "discuss", "unrelated")
UNSEEN_TOPIC_SHARE = 5  # one topic in five


@dataclass(frozen=True)
class Pair:
    headline: str
    body_id: str
    label: str
    unseen_topic: bool


@dataclass
class Fnc1:
    bodies: dict[str, str]
    train: list[Pair]  # training bodies, all topics
    hold_out: list[Pair]  # hold-out bodies, all topics (the official baseline's hold-out)

    @property
    def train_seen(self) -> list[Pair]:
        return [p for p in self.train if not p.unseen_topic]

    @property
    def hold_out_unseen(self) -> list[Pair]:
        return [p for p in self.hold_out if p.unseen_topic]


def _topics(rows: list[dict[str, str]]) -> dict[str, str]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in rows:
        find("h:" + row["Headline"])
        if row["Stance"] != "unrelated":
            a, b = find("h:" + row["Headline"]), find("b:" + row["Body ID"])
            parent[a] = b
    members: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        members[find("h:" + row["Headline"])].append(row["Headline"])
    topic_of = {}
    for headlines in members.values():
        name = min(headlines)
        for h in headlines:
            topic_of[h] = name
    return topic_of


def unseen(topic: str) -> bool:
    return int(hashlib.sha256(topic.encode("utf-8")).hexdigest(), 16) % UNSEEN_TOPIC_SHARE == 0


def load(data: Path = DEFAULT_DATA) -> Fnc1:
    if not (data / "train_stances.csv").is_file():
        raise SystemExit(f"FNC-1 not found at {data} (expected ../shared/data/fnc1 next to the checkout)")
    with (data / "train_bodies.csv").open(encoding="utf-8", newline="") as f:
        bodies = {row["Body ID"]: row["articleBody"] for row in csv.DictReader(f)}
    with (data / "train_stances.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    hold_ids = set((data / "splits" / "hold_out_ids.txt").read_text().split())
    train_ids = set((data / "splits" / "training_ids.txt").read_text().split())
    topic_of = _topics(rows)
    train, hold_out = [], []
    for row in rows:
        pair = Pair(row["Headline"], row["Body ID"], row["Stance"], unseen(topic_of[row["Headline"]]))
        if row["Body ID"] in hold_ids:
            hold_out.append(pair)
        elif row["Body ID"] in train_ids:
            train.append(pair)
    return Fnc1(bodies, train, hold_out)


def fnc_score(gold: list[str], predicted: list[str]) -> tuple[float, float]:
    """The FNC-1 score and its maximum (0.25 for related/unrelated right, 0.75 more for the exact stance)."""
    score = best = 0.0
    for g, p in zip(gold, predicted, strict=True):
        if (g == "unrelated") == (p == "unrelated"):
            score += 0.25
            if g != "unrelated" and g == p:
                score += 0.75
        best += 0.25 if g == "unrelated" else 1.0
    return score, best


def confusion(gold: list[str], predicted: list[str]) -> list[list[int]]:
    index = {label: i for i, label in enumerate(LABELS)}
    matrix = [[0] * len(LABELS) for _ in LABELS]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    return matrix


def f1_scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    matrix = confusion(gold, predicted)
    out = {}
    for i, label in enumerate(LABELS):
        tp = matrix[i][i]
        fp = sum(matrix[j][i] for j in range(len(LABELS))) - tp
        fn = sum(matrix[i]) - tp
        out[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return out


ARC_DATA = DEFAULT_DATA.parent / "arc-stance"


def load_arc_test(data: Path = ARC_DATA) -> tuple[dict[str, str], list[Pair]] | None:
    """ARC's test pairs (Hanselowski et al. 2018; user comments, FNC-1's labels) for a cross-domain check: the
    stance model never trains on ARC. None when the data is absent."""
    if not (data / "arc_stances_test.csv").is_file():
        return None
    with (data / "arc_bodies.csv").open(encoding="utf-8", newline="") as f:
        bodies = {row["Body ID"]: row["articleBody"] for row in csv.DictReader(f)}
    with (data / "arc_stances_test.csv").open(encoding="utf-8", newline="") as f:
        pairs = [Pair(row["Headline"], row["Body ID"], row["Stance"], True) for row in csv.DictReader(f)]
    return bodies, pairs
