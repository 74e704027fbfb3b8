"""How closely a student tagger reproduces its teacher's per-word distributions on a set of texts.

Run in the project venv from the repository root, with texts (JSONL of ``{"id", "text"}``) and the teacher's
distributions for them (``train_teacher_mpnet.py --label-texts``, or its ``--probs-only`` outputs keyed by article
stem with ``--polnear SPLIT``)::

    python training/student_gap.py --model ../train-out/x/attribution-tagger-int8.onnx \
        --texts ../train-out/transfer.jsonl --teacher ../train-out/teacher-e3/transfer-probs.npz --limit 200

Prints the share of words whose most likely tag the two share (all words, and words the teacher tags as part of
an attribution) and the mean KL divergence teacher → student per word. Compared between texts the student was
distilled on and unseen texts of the same kind, it says whether the student is short of capacity (both high) or of
texts (a gap).
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import numpy as np  # noqa: E402
from polnear_accuracy import DEFAULT_DATA, Segmenter  # noqa: E402
from polnear_data import load_split  # noqa: E402
from transfer_texts import read_jsonl  # noqa: E402

from sourcetrace.article import attribution_model as am  # noqa: E402


@dataclass
class Gap:
    words: int = 0
    same: int = 0  # words whose most likely tag the two share
    tagged: int = 0  # words the teacher tags as part of an attribution
    tagged_same: int = 0
    kl: float = 0.0  # summed over words, teacher → student

    def add(self, words: list[tuple[int, int]], student: Any, teacher_rows: Any) -> None:
        """Compare one text: ``student`` is words × labels, ``teacher_rows`` rows of (word start, labels…)."""
        by_start = {int(row[0]): row[1:] for row in teacher_rows}
        for (start, _), student_row in zip(words, student, strict=True):
            teacher_row = by_start.get(start)
            if teacher_row is None:
                continue
            same = bool(student_row.argmax() == teacher_row.argmax())
            self.words += 1
            self.same += same
            if teacher_row.argmax() != 0:
                self.tagged += 1
                self.tagged_same += same
            ratio = np.clip(teacher_row, 1e-9, 1) / np.clip(student_row, 1e-9, 1)
            self.kl += float((teacher_row * np.log(ratio)).sum())

    def __str__(self) -> str:
        return (
            f"{self.words} words: same best tag {self.same / self.words:.1%} (attribution words "
            f"{self.tagged_same / max(1, self.tagged):.1%}), KL per word {self.kl / self.words:.4f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="the student, an int8 .onnx tagger")
    parser.add_argument("--teacher", type=Path, required=True, help="the teacher's word distributions (.npz)")
    texts_from = parser.add_mutually_exclusive_group(required=True)
    texts_from.add_argument("--texts", type=Path, help="JSONL of {id, text}")
    texts_from.add_argument("--polnear", choices=["train", "dev"], help="PolNeAR articles, keyed by stem")
    parser.add_argument("--limit", type=int, default=200, help="a random sample of this many texts (seed 0)")
    args = parser.parse_args()

    am.MODEL_FILE = str(args.model.resolve())
    teacher = np.load(args.teacher)
    texts = read_jsonl(args.texts) if args.texts else [(a.stem, a.text) for a in load_split(DEFAULT_DATA, args.polnear)]
    texts = [(i, t) for i, t in texts if i in teacher]
    random.Random(0).shuffle(texts)
    segment = Segmenter()
    gap = Gap()
    sample = texts[: args.limit]
    for doc_id, text in sample:
        _, _, units = segment(text)
        gap.add(*am._model().word_probs(text, units["sentence"]), teacher[doc_id])
    print(f"{len(sample)} texts, {gap}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
