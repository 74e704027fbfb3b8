"""PolNeAR annotator agreement next to sourcetrace: how far apart two people are under the accuracy protocol.

Run from the repository root::

    python benchmarks/polnear_agreement.py [--data ../shared/data/polnear]

A few PolNeAR articles were annotated by several annotators: the 4 texts of ``annotator-training`` (6 each),
16 train and 2 dev articles. For each such article, every annotator is in turn the gold and every other one the
prediction (all ordered pairs, micro-averaged), scored with the same code as ``polnear_accuracy.py``; then the
shipped pipeline's attributions (one ``analyze`` per article) are scored against each annotator in the same way.
The model never saw ``annotator-training`` nor dev; it was trained on the first annotator of each train article,
so its train row is flattering. Rewrites the ``polnear-agreement`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
from itertools import permutations
from pathlib import Path

from docs_section import git_commit, markdown_table, today, write_section
from polnear_accuracy import (
    COFENET_TEST,
    DEFAULT_DATA,
    ROLES,
    Predictor,
    Scores,
    Segmenter,
    gold_triple,
    pct,
    print_tables,
    score_article,
    sourcetrace_predictor,
)
from polnear_data import DataMissing, load_annotator_versions
from rich.console import Console
from rich.progress import track

COMPARTMENTS = {
    "annotator-training": "annotator-training (unseen)",
    "dev": "dev (unseen)",
    "train": "train (first annotator trained on)",
}


def agreement(
    data: Path, compartment: str, predict: Predictor, segment: Segmenter, console: Console
) -> tuple[dict[str, Scores], int, int]:
    """Scores of annotator against annotator and of ``predict`` against each annotator, with the number of
    articles and of annotations."""
    articles = load_annotator_versions(data, compartment)
    scores = {"annotators": Scores(), "sourcetrace": Scores()}
    for versions in track(articles, description=compartment, console=console, transient=True):
        for gold, other in permutations(versions, 2):
            score_article(gold, [gold_triple(a) for a in other.attributions], segment, scores["annotators"])
        predicted = predict(versions[0])  # the text is the same in every version
        for gold in versions:
            score_article(gold, predicted, segment, scores["sourcetrace"])
    return scores, len(articles), sum(len(v) for v in articles)


def row(label: str, who: str, scores: Scores) -> list[str]:
    roles = [f"{pct(scores.exact['paragraph', r].f1)} ({pct(scores.begin['paragraph', r].f1)})" for r in ROLES]
    return [label, who, *roles, pct(scores.relation.f1)]


HEADERS = ["articles (annotations)", "compared", "source", "cue", "content", "relation F1"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="PolNeAR data folder")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    console = Console()

    rows = []
    predict, segment = sourcetrace_predictor(), Segmenter()
    try:
        for compartment, label in COMPARTMENTS.items():
            scores, n_articles, n_annotations = agreement(args.data, compartment, predict, segment, console)
            label = f"{label}: {n_articles} ({n_annotations})"
            rows.append(row(label, "annotator vs annotator", scores["annotators"]))
            rows.append(row(label, "sourcetrace vs each annotator", scores["sourcetrace"]))
    except DataMissing as error:
        console.print(f"[red]error:[/] {error}")
        return 2
    rows.append(["CofeNet, published, test split", "model vs gold", *(str(COFENET_TEST[r][0]) for r in ROLES), "–"])

    print_tables({"PolNeAR: annotators against each other, and sourcetrace against each annotator": (HEADERS, rows)},
                 console)

    if not args.no_docs:
        write_section("polnear-agreement", docs_body(rows))
        console.print("Wrote the polnear-agreement section of docs/benchmarks.md")
    return 0


def docs_body(rows: list[list[str]]) -> str:
    return "\n\n".join([
        "## PolNeAR annotator agreement, next to sourcetrace",
        f"`python benchmarks/polnear_agreement.py` — {today()}, sourcetrace commit `{git_commit()}`.",
        "The articles that several PolNeAR annotators annotated, scored with the accuracy protocol above "
        "(exact F1 per role in paragraphs, begin F1 in brackets; relation F1). *Annotator vs annotator*: every "
        "annotator in turn is the gold and every other one the prediction, all ordered pairs, micro-averaged. "
        "*sourcetrace vs each annotator*: one `analyze` per article, scored against every annotator. "
        "`annotator-training` and dev were never trained on; the model was trained on the first annotator of "
        "each train article, so that row flatters it. Few articles: read these as the level of agreement the "
        "annotation scheme allows, not as exact figures.",
        markdown_table(HEADERS, rows),
    ])


if __name__ == "__main__":
    sys.exit(main())
