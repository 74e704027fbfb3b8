"""Must-show 2: the reference article traced inside the bundled demo corpus (full analysis of every text), and
the command line over it: ``corpus reuse``, ``corpus trace`` in text, JSON and GraphML, and the demo."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.cli import DEMO_URL, app
from sourcetrace.corpus.api import Corpus
from sourcetrace.stories.demo import DEMO_ID, build_demo_store
from sourcetrace.stories.provenance import Trace, annotate, trace

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory, seed_text: str) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo_store(path, seed_text, DEMO_URL).close()
    yield path


@pytest.fixture(scope="module")
def traced(demo_store: Path) -> Trace:
    with Corpus(demo_store, read_only=True) as corpus:
        stored = corpus.get(DEMO_ID)
        assert stored is not None
        return trace(corpus.store, stored.id, stored.report)


def test_dunford_quotations_trace_to_reuters_credited(traced: Trace) -> None:
    # his quotations: direct speech by Dunford, or quoted by him ("Both the minister … said: 'Absolutely.'")
    dunford = [a for a in traced.attributions if "Joseph Dunford" in a.chain and a.kind in ("direct", "mixed")]
    assert len(dunford) >= 1
    for attribution in dunford:
        assert attribution.origin is not None
        assert attribution.origin.earliest.outlet == "Reuters"
        assert attribution.origin.earliest.published == "2015-10-20"
        assert attribution.origin.earliest.date_source == "input"
        assert attribution.credited and attribution.credit == "Reuters"
    # the Dunford paragraph on its own (it is also inside the longer block copied from World Affairs Daily)
    passage = min((p for p in traced.passages if p.role == "copied_from" and "Dunford told reporters" in p.text),
                  key=lambda p: p.end - p.start)
    assert passage.other.outlet == "Reuters" and passage.credited and passage.credit == "Reuters"


def test_word_for_word_paragraph_traces_to_the_earlier_wire_not_credited(traced: Trace, seed_text: str) -> None:
    paragraph = next(p for p in seed_text.split("\n") if p.startswith("As Russian airstrikes push"))
    passage = next(p for p in traced.passages if p.role == "copied_from" and p.kind == "copy"
                   and p.start <= seed_text.index(paragraph) < p.end)
    assert passage.other.outlet == "Sputnik" and passage.other.published == "2015-10-23"
    assert passage.similarity == 1.0  # word for word
    assert not passage.credited
    assert passage.marker == "Further reports:"
    assert passage.origin is not None and passage.origin.earliest.outlet == "Sputnik"
    reports_continued = next(p for p in traced.passages if p.marker == "The reports continued:")
    assert reports_continued.kind == "copy" and not reports_continued.credited


def test_the_fars_quotation_is_shared_not_copied(traced: Trace) -> None:
    shared = [p for p in traced.passages if p.kind == "shared_quote"]
    assert [p.other.outlet for p in shared] == ["Fars News Agency"]


def test_a_later_undated_repost_is_listed_as_taking_from_it(traced: Trace) -> None:
    [taken] = [p for p in traced.passages if p.role == "copied_by"]
    assert taken.other.outlet == "Patriot Forum" and taken.other.dated() == "undated" and not taken.dated


def test_the_report_names_the_copied_blocks(traced: Trace, demo_store: Path) -> None:
    with Corpus(demo_store, read_only=True) as corpus:
        stored = corpus.get(DEMO_ID)
        assert stored is not None
        report = annotate(stored.report, traced)
    assert report.credibility is not None
    signal = next(s for s in report.credibility.signals if s.id == "copied_passages")
    assert "Further reports: lines 17–29 match Sputnik's 2015-10-23 text, not credited to Sputnik" in signal.explanation
    assert "The reports continued: lines 34–42 match World Affairs Daily's" in signal.explanation
    unnamed = next(s for s in report.credibility.signals if s.id == "unnamed_origin_blocks")
    assert "In this corpus: Further reports: lines 17–29 match Sputnik's" in unnamed.explanation


def test_trace_and_reuse_commands(demo_store: Path) -> None:
    result = runner.invoke(app, ["corpus", "trace", DEMO_ID, "--db", str(demo_store)])
    assert result.exit_code == 0, result.output
    assert "earliest seen in this corpus: Reuters" in " ".join(result.stdout.split())
    assert "not credited to Sputnik" in result.stdout
    result = runner.invoke(app, ["corpus", "trace", DEMO_ID, "--db", str(demo_store), "--format", "json"])
    data = json.loads(result.stdout)
    assert {p["other"]["outlet"] for p in data["passages"]} >= {"Sputnik", "Reuters", "World Affairs Daily"}
    result = runner.invoke(app, ["corpus", "trace", DEMO_ID, "--db", str(demo_store), "--format", "graphml"])
    root = ET.fromstring(result.stdout)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    edges = root.findall(".//g:edge", ns)
    types = {e.find("g:data[@key='e_type']", ns).text for e in edges}  # type: ignore[union-attr]
    assert {"copied_from", "cited_via", "published_by"} <= types
    copied = [e for e in edges if e.find("g:data[@key='e_type']", ns).text == "copied_from"]  # type: ignore[union-attr]
    dated = [e for e in copied if e.find("g:data[@key='e_date']", ns) is not None]
    assert len(dated) == len(copied) - 1  # all but the undated forum repost's edge carry the later article's date
    result = runner.invoke(app, ["corpus", "reuse", "--db", str(demo_store), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["stats"]["copy"] >= 5 and data["stats"]["shared_quote"] >= 1
    assert {"source_id", "target_id", "kind", "credited", "source_date", "target_date"} <= set(data["passages"][0])
    result = runner.invoke(app, ["corpus", "trace", "no-such-article", "--db", str(demo_store)])
    assert result.exit_code != 0 and "no article" in result.stderr


def test_demo_shows_the_article_in_its_corpus() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "The same article in a corpus" in out
    assert "Further reports: lines 17–29 match Sputnik's 2015-10-23 text, not credited to Sputnik" in out
    assert "earliest seen in this corpus: Reuters" in out


def test_export_reuse_and_show_name_the_copies(demo_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "reuse.jsonl"
    result = runner.invoke(app, ["corpus", "export", "--what", "reuse", "-o", str(out), "--db", str(demo_store)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {"source_id", "source_url", "target_id", "target_url", "source_start", "source_end", "target_start",
            "target_end", "kind", "credited", "source_date", "target_date"} <= set(rows[0])
    assert {r["kind"] for r in rows} == {"copy", "shared_quote"}
    sputnik = next(r for r in rows if "sputniknews" in (r["source_url"] or "") and r["target_url"] == DEMO_URL)
    assert sputnik["kind"] == "copy" and sputnik["credited"] is False and sputnik["source_date"] == "2015-10-23"
    result = runner.invoke(app, ["corpus", "export", "--what", "reuse", "-o", str(tmp_path / "r.parquet"),
                                 "--db", str(demo_store)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["corpus", "show", DEMO_ID, "--db", str(demo_store), "--format", "json"])
    signals = {s["id"]: s for s in json.loads(result.stdout)["credibility"]["signals"]}
    assert "not credited to Sputnik" in signals["copied_passages"]["explanation"]
