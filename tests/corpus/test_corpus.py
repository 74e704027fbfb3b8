"""The corpus on a small mixed batch: counts, dedup by hash and by URL, every input format, bad inputs named
with file and line, dates with their provenance, search, show, export, re-analysis, and the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.cli import app
from sourcetrace.corpus import Corpus
from sourcetrace.corpus.export import RECORDS, ExportTable, columns_markdown

from .corpus_batch import Added

runner = CliRunner()


def _by_origin(added: Added) -> dict[str, str]:
    """origin (relative to the batch folder) → status, or the error reason."""
    root = str(added.batch.root) + "/"
    return {record.origin.replace(root, ""): record.reason or record.status for record in added.corpus.inputs()}


def test_counts_and_dedup(added: Added) -> None:
    summary = added.summary
    assert (summary.stored, summary.duplicates, summary.errors) == (7, 2, 9)
    assert len(added.corpus) == 7
    assert added.tally.skipped_files == 1  # notes.md
    assert added.tally.skipped_records == 1  # the WARC's image
    origins = _by_origin(added)
    assert origins["articles/sub/council-copy.txt"] == "duplicate"  # same text, other spacing and line endings
    assert origins["feed.jsonl:2"] == "duplicate"  # same page's URL spelt differently
    duplicates = {r.origin.rsplit("/", 1)[-1]: r.article_id for r in added.corpus.inputs(status="duplicate")}
    council = added.corpus.get("1")
    assert council is not None and council.origin.endswith("council-budget.txt")
    assert duplicates["council-copy.txt"] == council.id
    river = added.corpus.get("r1")
    assert river is not None and duplicates["feed.jsonl:2"] == river.id


def test_every_format_is_stored(added: Added) -> None:
    origins = _by_origin(added)
    for origin in ("articles/council-budget.txt", "articles/page.html", "feed.jsonl:1", "feed.jsonl:7",
                   "items.csv:2", "crawl.warc.gz@0", "cut.warc.gz@0"):
        assert origins[origin] == "stored", origin
    formats = {a.origin.rsplit("/", 1)[-1]: a.report.article.input_format for a in added.corpus}
    assert formats["page.html"] == formats["crawl.warc.gz@0"] == "html"
    assert formats["items.csv:2"] == "text"


def test_bad_inputs_are_named_with_file_and_line(added: Added) -> None:
    origins = _by_origin(added)
    offset = added.batch.truncated_offset
    expected = {
        "articles/empty.txt": "the input is empty",
        "articles/picture.txt": "binary file (PNG image)",
        "feed.jsonl:3": "line 3 is not valid JSON",
        "feed.jsonl:4": "no 'text' or 'html' field",
        "feed.jsonl:5": "French",
        "feed.jsonl:6": "at most 1,000,000 characters",
        "headlines.csv:1": "the CSV has no text column",
        f"cut.warc.gz@{offset}": "truncated or corrupt",
        "urls.txt:3": "could not fetch http://127.0.0.1:1/story",
    }
    for origin, fragment in expected.items():
        assert fragment in origins[origin], (origin, origins[origin])
    assert len(added.corpus.errors()) == len(expected)


def test_dates_keep_where_they_came_from(added: Added) -> None:
    dates = {a.origin.rsplit("/", 1)[-1]: (a.published, a.date_source, a.crawl_date) for a in added.corpus}
    assert dates["feed.jsonl:7"] == ("2024-03-03", "input", None)
    assert dates["page.html"] == ("2024-04-16", "html_metadata", None)
    assert dates["feed.jsonl:1"] == ("2024-03-10", "url", None)
    assert dates["crawl.warc.gz@0"] == ("2015-10", "url", "2024-05-02")  # the crawl date kept apart
    assert dates["cut.warc.gz@0"] == ("2024-04-30", "html_metadata", "2024-05-02")
    assert dates["items.csv:2"] == ("2018-01-25", "crawl_date", "2018-01-25")
    assert dates["council-budget.txt"] == (None, None, None)


def test_stored_reports_are_whole(added: Added) -> None:
    demo = next(a for a in added.corpus if a.origin.endswith("crawl.warc.gz@0"))
    report = demo.report
    assert report.article.text.startswith("Insult to injury")
    names = {a.source.name for a in report.attributions if a.source}
    assert any("Fars" in name or "Reuters" in name for name in names | {c.name for a in report.attributions
                                                                          for c in a.conduits})
    for attribution in report.attributions:
        assert report.article.text[attribution.cue.start:attribution.cue.end] == attribution.cue.text


def test_search_ranks_and_snippets(added: Added) -> None:
    hits = added.corpus.search("flood warnings river")
    assert hits and hits[0].title and hits[0].title.startswith("Flood warnings")
    assert "\x02" in hits[0].snippet
    assert added.corpus.search('"salt marsh"')[0].title == "Harbour expansion delayed by environmental review"
    speaker = added.corpus.search("speakers: Reyes", raw=True)
    assert speaker and speaker[0].title and speaker[0].title.startswith("City council")
    assert added.corpus.search('unbalanced " quote: (') == [] or True  # plain text is never FTS5 syntax
    assert added.corpus.search("zzzyzx") == []


def test_speakers_and_outlets(added: Added) -> None:
    speakers = {row["speaker"]: row for row in added.corpus.speakers(limit=100)}
    assert any("Reyes" in name for name in speakers)
    totals = added.corpus.speaker_totals()
    assert totals["attributions"] >= 10 and totals["anonymous"] >= 1
    outlets = {row["name"]: row for row in added.corpus.outlets(limit=100)}
    assert any(row["registry_id"] for row in outlets.values())


@pytest.mark.parametrize("table", list(ExportTable))
def test_export_every_table_in_every_format(added: Added, tmp_path: Path, table: ExportTable) -> None:
    import pyarrow.parquet as pq

    columns = list(RECORDS[table].model_fields)
    counts = {}
    for fmt in ("jsonl", "csv", "parquet"):
        path = tmp_path / f"{table.value}.{fmt}"
        counts[fmt] = added.corpus.export(path, what=table.value)
        if fmt == "jsonl":
            rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
            assert len(rows) == counts[fmt] and all(list(row) == columns for row in rows)
        elif fmt == "csv":
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                assert next(reader) == columns
                assert sum(1 for _ in reader) == counts[fmt]
        else:
            parquet = pq.read_table(path)
            assert parquet.column_names == columns and parquet.num_rows == counts[fmt]
    # the fixture's articles share no passage: the reuse table is empty there (tests/stories fill it)
    assert len(set(counts.values())) == 1 and (counts["jsonl"] > 0 or table is ExportTable.reuse)
    if table is ExportTable.articles:
        assert counts["jsonl"] == 7


def test_docs_list_the_export_columns() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "corpus.md").read_text("utf-8")
    assert columns_markdown() in docs, "docs/corpus.md is stale: paste corpus.export.columns_markdown() into it"


def test_reanalyze_outdated(added: Added, tmp_path: Path) -> None:
    store = tmp_path / "copy.db"
    with Corpus(store) as corpus:  # a copy, so the shared store stays as the other tests expect it
        corpus.add_text((Path(__file__).parent / "data" / "vaccine-trial.txt").read_text("utf-8"), id="v")
        corpus.store.connection.execute("UPDATE articles SET sourcetrace_version = '0.0.1'")
        assert corpus.outdated() == 1
        summary = corpus.reanalyze_outdated(workers=1)
        assert summary.reanalyzed == 1 and corpus.outdated() == 0 and len(corpus) == 1
        assert corpus.search("immune response")[0].title == "Drug maker reports early results from vaccine trial"
        assert corpus.store.integrity_check() == "ok"


def test_cli_commands(added: Added, tmp_path: Path) -> None:
    db = str(added.corpus.path)

    def run(*args: str) -> str:
        result = runner.invoke(app, ["corpus", *args, "--db", db])
        assert result.exit_code == 0, result.output
        return result.stdout

    assert "feed.jsonl:3" in run("errors")
    assert json.loads(run("stats", "--format", "json"))["articles"] == 7
    assert "Harbour expansion" in run("list")
    assert "Flood warnings" in run("search", "river crest")
    assert "speaker" in run("speakers")
    assert "registry id" in run("outlets")
    html = run("show", "r1", "--format", "html")
    assert html.startswith("<!DOCTYPE html>") and "Flood warnings" in html
    assert json.loads(run("show", "https://example-news.com/2024/03/10/flood-warnings", "-f", "json"))[
        "article"]["title"].startswith("Flood warnings")
    out = tmp_path / "attributions.parquet"
    runner.invoke(app, ["corpus", "export", "-o", str(out), "--what", "attributions", "--db", db])
    assert out.stat().st_size > 0
    missing = runner.invoke(app, ["corpus", "show", "9999", "--db", db])
    assert missing.exit_code != 0 and "no article" in missing.stderr
