"""Check-worthiness benchmark (issue 24): the shipped model on CLEF CheckThat! 2019 task 1 English test.

    python training/train_checkworthiness.py     # the shipped model (train transcripts + ClaimBuster)
    python benchmarks/checkworthiness.py [--no-docs]

Each of the 7 test transcripts (debates and speeches) is ranked by the model's probability; the measure is the
lab's: average precision per transcript, averaged (MAP), plus R-precision and P@5/P@10 averaged the same way.
Next to it: the best submitted 2019 system (MAP 0.166; 0.250 on speeches, 0.054 on debates, from the lab's
overview) and, in the same run, two baselines with no learning: sentence length and "has a number". The test
file is read only here, never by training.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from docs_section import git_commit, markdown_table, today, write_section  # noqa: E402

from sourcetrace.claims.checkworthiness import average_precision, shipped_model  # noqa: E402

TEST = REPO.parent / "shared" / "data" / "checkthat-en" / "clef2019-task1" / "CT19-T1-Test.csv"
ANCHOR = 0.166


def precision_at(scores: list[float], labels: list[int], k: int) -> float:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
    return sum(labels[i] for i in order) / k if k else 0.0


def measures(scores: list[float], labels: list[int]) -> tuple[float, float, float, float]:
    return (average_precision(scores, labels), precision_at(scores, labels, sum(labels)),
            precision_at(scores, labels, 5), precision_at(scores, labels, 10))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-docs", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
    args = parser.parse_args()
    if not TEST.exists():
        sys.exit(f"{TEST} not found: this benchmark needs ../shared")
    by: dict[str, tuple[list[str], list[int]]] = defaultdict(lambda: ([], []))
    with TEST.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by[row["file_name"]][0].append(row["text"])
            by[row["file_name"]][1].append(int(row["label"]))
    model = shipped_model()
    systems = {
        "sourcetrace (shipped)": model.score,
        "baseline: length": lambda t: float(len(t.split())),
        "baseline: has a number": lambda t: float(bool(re.search(r"\d", t))) + len(t) / 1e6,
    }
    rows = []
    per_transcript = []
    for name, score in systems.items():
        values = [measures([score(t) for t in texts], labels) for texts, labels in by.values()]
        means = [sum(v[i] for v in values) / len(values) for i in range(4)]
        rows.append([name, *(f"{m:.3f}" for m in means)])
        if name.startswith("sourcetrace"):
            per_transcript = [[transcript, len(by[transcript][1]), sum(by[transcript][1]), f"{v[0]:.3f}"]
                              for transcript, v in zip(by, values, strict=True)]
    rows.append(["best submitted, CheckThat! 2019 (anchor)", f"{ANCHOR:.3f}", "", "", ""])
    table = markdown_table(["system", "MAP", "R-precision", "P@5", "P@10"], rows)
    detail = markdown_table(["test transcript", "sentences", "check-worthy", "AP"], per_transcript)
    print(table)
    print()
    print(detail)
    if args.no_docs:
        return
    body = f"""## Check-worthiness (issue 24): CheckThat! 2019 task 1 English test

`python training/train_checkworthiness.py && python benchmarks/checkworthiness.py` — {today()}, commit
{git_commit()}. Model: {model.trained_on}. The 7 test transcripts (7,080 sentences, 136 check-worthy) are
ranked one by one; MAP is the lab's measure (mean over transcripts of average precision). Anchor: the best
submitted system in 2019, MAP 0.166 (the lab's overview; 0.250 on speeches, 0.054 on debates).

{table}

Per transcript (shipped model):

{detail}
"""
    write_section("checkworthiness", body)
    print("wrote the checkworthiness section of docs/benchmarks.md")


if __name__ == "__main__":
    main()
