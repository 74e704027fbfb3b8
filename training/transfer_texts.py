"""Unlabelled English news-like text for distillation: the teacher tags it, the student learns from those tags.

Sources (all in ``../shared/data``, research data, never shipped): the FNC-1 **train** article bodies (news
reporting of rumours, dense in attributions; the competition test bodies are left out), the ARC bodies (opinion
posts: text with few attributions, like the opinion paragraphs of a blog post) and the FakeNewsCorpus sample
(web news from unreliable sites). Duplicates and texts under 50 words are dropped; long texts are cut at a
paragraph boundary near 2,000 words.

    python training/transfer_texts.py --out ../train-out/transfer.jsonl
    python training/transfer_texts.py --probe 200 --out ../train-out/probe-fnctest/texts.jsonl   # measuring only
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCES = (  # (name, csv file under the data folder, text column)
    ("fnc1", "fnc1/train_bodies.csv", "articleBody"),
    ("arc", "arc-stance/arc_bodies.csv", "articleBody"),
    ("fakenews", "fakenewscorpus-sample/news_sample.csv", "content"),
)
MIN_WORDS, MAX_WORDS = 50, 2000


def clipped(text: str) -> str:
    """The paragraphs of ``text`` up to about MAX_WORDS words (at least the first paragraph)."""
    kept, words = [], 0
    for paragraph in text.split("\n"):
        words += len(paragraph.split())
        if kept and words > MAX_WORDS:
            break
        kept.append(paragraph)
    return "\n".join(kept).strip()


def transfer_texts(data: Path) -> Iterator[tuple[str, str]]:
    """(document id, text) for every kept document, in a fixed order."""
    csv.field_size_limit(1 << 30)
    seen: set[str] = set()
    for name, file, column in SOURCES:
        with (data / file).open(newline="", encoding="utf-8") as handle:
            for row_number, row in enumerate(csv.DictReader(handle)):
                text = clipped((row.get(column) or "").replace("\r\n", "\n"))
                digest = hashlib.sha1(text.encode()).hexdigest()
                if len(text.split()) < MIN_WORDS or digest in seen:
                    continue
                seen.add(digest)
                yield f"{name}-{row_number}", text


def probe_texts(data: Path, count: int) -> list[tuple[str, str]]:
    """A seeded random sample of the FNC-1 competition test bodies: unseen texts on which to compare a student
    with its teacher (``student_gap.py``), never trained on."""
    csv.field_size_limit(1 << 30)
    with (data / "fnc1" / "competition_test_bodies.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    random.Random(0).shuffle(rows)
    return [(f"fnctest-{row['Body ID']}", row["articleBody"]) for row in rows[:count]]


def read_jsonl(path: Path) -> list[tuple[str, str]]:
    return [(d["id"], d["text"]) for d in map(json.loads, path.read_text(encoding="utf-8").splitlines())]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO.parent / "train-out" / "transfer.jsonl")
    parser.add_argument(
        "--probe", type=int, default=0, metavar="N", help="instead: N unseen FNC-1 test bodies, for student_gap.py"
    )
    args = parser.parse_args()
    docs = probe_texts(args.data, args.probe) if args.probe else list(transfer_texts(args.data))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in docs), encoding="utf-8")
    print(f"wrote {len(docs)} texts, {sum(len(t.split()) for _, t in docs)} words to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
