"""A date given only to the month stays a month, from the input record to `corpus stories`.

Before: an input ``"date": "2015-10"`` was stored as ``2015-10-01`` (dateutil filled the day), and `corpus
stories` showed a story of month-only articles as ``2015-10-15`` (the centroid's day, where a month counts as
its 15th). Both claimed a day nobody wrote. The texts are the bundled demo corpus's wire items and reposts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.cli import app
from sourcetrace.corpus import Corpus
from sourcetrace.corpus.dates import parse_date, resolve
from sourcetrace.stories.assign import assign_stories
from sourcetrace.stories.demo import demo_corpus_records
from sourcetrace.stories.storage import StoryStorage

runner = CliRunner()


@pytest.mark.parametrize(("value", "expected"), [
    ("2015-10", "2015-10"), ("2015/10", "2015-10"), ("October 2015", "2015-10"), ("Oct. 2015", "2015-10"),
    ("2015", "2015"),
    ("14 October", None),  # no year: no date rather than a made-up one
    ("2015-10-23", "2015-10-23"), ("October 23, 2015", "2015-10-23"), ("Fri, 23 Oct 2015 09:12:00 GMT", "2015-10-23"),
    ("3015-10", None), ("not a date", None),
])
def test_a_date_keeps_the_precision_it_was_written_with(value: str, expected: str | None) -> None:
    assert parse_date(value) == expected


def test_an_input_month_is_stored_as_a_month() -> None:
    assert resolve(field="2015-10", url="https://example.com/2015/10/23/x") == ("2015-10", "input")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("newcomer-dates")
    records = [r for r in demo_corpus_records() if r["id"] in ("demo-sputnik", "demo-anadolu", "demo-fars")]
    assert len(records) == 3
    with (root / "month.jsonl").open("w", encoding="utf-8") as handle:
        for record in records:  # all three said to be from October 2015 only
            handle.write(json.dumps({**record, "date": "2015-10"}) + "\n")
    path = root / "store.db"
    with Corpus(path) as corpus:
        summary = corpus.add(root / "month.jsonl", workers=1, learned=False)
        assert summary.stored == 3
        assign_stories(corpus.store)
    return path


def test_month_only_articles_and_their_story_show_the_month(store: Path) -> None:
    with Corpus(store, read_only=True) as corpus:
        assert {r["published"] for r in corpus.store.query("SELECT published FROM articles")} == {"2015-10"}
        stories = StoryStorage(corpus.store).stories()
        assert stories and all(s.first_date == s.last_date == "2015-10" for s in stories), stories
    listing = runner.invoke(app, ["corpus", "stories", "--db", str(store)])
    assert listing.exit_code == 0, listing.output
    assert "2015-10" in listing.output and "2015-10-15" not in listing.output and "2015-10-01" not in listing.output
    as_json = runner.invoke(app, ["corpus", "stories", "--db", str(store), "-f", "json"])
    assert as_json.exit_code == 0
    assert "2015-10-15" not in as_json.output and '"2015-10"' in as_json.output
