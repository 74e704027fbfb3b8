"""``corpus add`` on the shared data: the PolNeAR texts and the FakeNewsCorpus sample, as a directory of files and
as JSONL/CSV; what was stored, found duplicate and refused (with the reasons).

Run from the repository root::

    python benchmarks/corpus_shared_data.py [--db PATH] [--workers 2] [--no-docs]

1. ``../shared/data/polnear`` and ``../shared/data/fakenewscorpus-sample`` as directories (recursive: the PolNeAR
   ``.txt`` texts of every split, ``metadata.tsv``, the FakeNewsCorpus ``news_sample.csv`` and ``websites.csv``);
2. the PolNeAR dev texts again as one JSONL file (built here from the same files, with their ``metadata.tsv``
   title, date and publisher): every line must come out a duplicate.

A store that exists already is resumed, not rebuilt (that is what ``corpus add`` does). Rewrites the
``corpus-shared-data`` section of docs/benchmarks.md unless ``--no-docs``.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

from docs_section import REPO_ROOT, git_commit, markdown_table, today, write_section

SHARED = REPO_ROOT.parent / "shared" / "data"


def polnear_jsonl(path: Path) -> int:
    root = SHARED / "polnear"
    with (root / "metadata.tsv").open(encoding="utf-8", newline="") as handle:
        meta = {row["filename"]: row for row in csv.DictReader(handle, delimiter="\t")}
    lines = 0
    with path.open("w", encoding="utf-8") as out:
        for file in sorted((root / "dev" / "text").glob("*.txt")):
            row = meta.get(file.stem, {})
            out.write(json.dumps({"id": file.stem, "text": file.read_text("utf-8"), "title": row.get("title"),
                                  "date": row.get("publication_date"), "outlet": row.get("publisher")}) + "\n")
            lines += 1
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="the store (default: a new one in a temporary folder)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()

    from sourcetrace import Corpus

    db = args.db or Path(tempfile.mkdtemp(prefix="corpus-shared-")) / "shared.db"
    folder = db.parent
    feed = folder / "polnear-dev.jsonl"  # beside the store, so that a rerun resumes its lines too
    lines = polnear_jsonl(feed)
    directories = [SHARED / "polnear", SHARED / "fakenewscorpus-sample"]
    with Corpus(db) as corpus:
        started = time.perf_counter()
        first = corpus.add(*directories, workers=args.workers)
        second = corpus.add(feed, workers=args.workers)
        seconds = time.perf_counter() - started
        inputs = corpus.inputs()
        stats = corpus.stats()
        articles = len(corpus)

    def group(origin: str) -> str:
        for name in ("polnear-dev.jsonl", "fakenewscorpus-sample", "polnear"):
            if name in origin:
                where = origin.split(name, 1)[1]
                if name == "polnear" and "/text/" in where:
                    return "PolNeAR texts (directory)"
                if name == "polnear":
                    return "PolNeAR other files"
                if name == "polnear-dev.jsonl":
                    return "PolNeAR dev (JSONL)"
                return "FakeNewsCorpus " + where.strip("/").split(":")[0].split("/")[-1]
        return "other"

    table: dict[str, Counter[str]] = {}
    reasons: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for record in inputs:
        table.setdefault(group(record.origin), Counter())[record.status] += 1
        if record.status == "error":
            key = f"{record.kind}: {_pattern(record.reason or '')}"
            reasons[key] += 1
            examples.setdefault(key, record.origin.replace(str(SHARED) + "/", "").replace(str(folder) + "/", ""))
    rows = [[name, c["stored"], c["duplicate"], c["error"], sum(c.values())] for name, c in sorted(table.items())]
    jsonl = table.get("PolNeAR dev (JSONL)", Counter())
    body = f"""## Corpus on the shared data

`python benchmarks/corpus_shared_data.py --workers {args.workers}` — {today()}, sourcetrace commit `{git_commit()}`.

`corpus add` on `../shared/data/polnear` and `../shared/data/fakenewscorpus-sample` as directories (every PolNeAR
split's `.txt` texts, its `metadata.tsv`; the FakeNewsCorpus `news_sample.csv` with its `content`, `domain`,
`url`, `scraped_at` columns, and `websites.csv`), then the {lines} PolNeAR dev texts again as one JSONL file.
{articles:,} articles stored in all; the JSONL lines came out {jsonl['duplicate']} duplicates of {lines}.
{_resumed(first.skipped + second.skipped)}This run took {seconds / 60:.1f} min with {args.workers} workers on a
shared machine.

""" + markdown_table(["input", "stored", "duplicate", "refused", "in all"], rows) + """

Refused, by reason (one example input each):

""" + markdown_table(["reason", "inputs", "example"],
                     [[k, n, f"`{examples[k]}`"] for k, n in reasons.most_common()]) + f"""

Dates: {", ".join(f"{k} {v:,}" for k, v in stats["date_sources"].items())}.
"""
    print(body)
    if not args.no_docs:
        write_section("corpus-shared-data", body)


def _resumed(skipped: int) -> str:
    if not skipped:
        return ""
    return (f"{skipped:,} inputs were skipped as handled by an earlier run into the same store (the script resumes "
            "a store it is given, as `corpus add` does). ")


def _pattern(reason: str) -> str:
    """A reason without the parts that differ per input (numbers, file names), to group them."""
    import re

    reason = re.sub(r"\d[\d,.]*", "N", reason)
    reason = re.sub(r"\(confidence N\)", "", reason)
    return reason.split(": its header names")[0][:140]


if __name__ == "__main__":
    main()
