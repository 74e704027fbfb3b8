"""A few real articles from ../shared/data (PolNeAR texts as files and as JSONL, FakeNewsCorpus rows as CSV):
each stored once or refused with a reason. Skipped when ../shared is absent."""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

import pytest

from sourcetrace.corpus import Corpus

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
POLNEAR = SHARED / "polnear" / "dev" / "text"
FAKENEWS = SHARED / "fakenewscorpus-sample" / "news_sample.csv"

pytestmark = pytest.mark.skipif(not (POLNEAR.is_dir() and FAKENEWS.is_file()), reason="../shared/data is absent")


def test_polnear_files_jsonl_and_fakenewscorpus_csv(tmp_path: Path) -> None:
    texts = sorted(POLNEAR.glob("*.txt"))[:3]
    folder = tmp_path / "polnear"
    folder.mkdir()
    for path in texts:
        shutil.copy(path, folder / path.name)
    feed = tmp_path / "polnear.jsonl"
    feed.write_text("".join(json.dumps({"id": p.stem, "text": p.read_text("utf-8")}) + "\n" for p in texts), "utf-8")
    csv.field_size_limit(sys.maxsize)
    with FAKENEWS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[:5]  # the header and four articles
    sample = tmp_path / "fakenews.csv"
    with sample.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)

    with Corpus(tmp_path / "store.db") as corpus:
        summary = corpus.add(folder, feed, sample, workers=1)
        assert summary.stored + summary.duplicates + summary.errors == 3 + 3 + 4
        assert summary.duplicates >= 3  # the JSONL repeats the files' texts
        origins = {record.origin for record in corpus.inputs()}
        assert {str((folder / p.name).resolve()) for p in texts} <= origins
        for record in corpus.errors():
            assert record.reason and ":" in record.origin
        fake = [a for a in corpus if a.origin.startswith(str(sample.resolve()))]
        assert all(a.crawl_date and a.crawl_date.startswith("2018-01") for a in fake)  # scraped_at
        assert all(a.outlet for a in fake)  # the domain column
        polnear = [a for a in corpus if a.origin.endswith(".txt")]
        assert all(a.date_source == "file_name" for a in polnear)
