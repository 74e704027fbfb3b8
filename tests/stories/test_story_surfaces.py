"""Issue 23's surfaces on the bundled demo corpus: the provenance graph drawn (SVG), the story report (text, JSON,
one HTML file), the article's HTML report with its provenance section, the web pages and API, and the demo showing
the reference article inside its story. Everything from an article is untrusted: a hostile title stays text."""

from __future__ import annotations

import base64
import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sourcetrace import Pipeline
from sourcetrace.cli import DEMO_URL, app
from sourcetrace.corpus.api import Corpus
from sourcetrace.corpus.web import corpus_router
from sourcetrace.render.provenance_graph import graph_lines, provenance_svg
from sourcetrace.render.story import render_story_html
from sourcetrace.stories.assign import assign_stories
from sourcetrace.stories.demo import DEMO_ID, build_demo_store
from sourcetrace.stories.graph import GraphEdge, GraphNode, ProvenanceGraph, graph_from_trace
from sourcetrace.stories.provenance import trace
from sourcetrace.stories.reuse import sortable_date
from sourcetrace.stories.story_report import SECTION_BUILDERS, StoryReport, build_story_report, story_of
from sourcetrace.web.app import create_app

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"
# the demo corpus in date order (a month-only date after that month's days, undated last): resources/demo_corpus
DEMO_ORDER = ["Reuters", "Antiwar Digest", "Fars News Agency", "Sputnik", "Anadolu Agency", "World Affairs Daily",
              "usdefensewatch.com", "Patriot Forum"]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory, seed_text: str) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("surfaces") / "demo.db"
    with build_demo_store(path, seed_text, DEMO_URL) as corpus:
        assign_stories(corpus.store)
    yield path


@pytest.fixture(scope="module")
def ids(demo_store: Path) -> dict[str, int]:
    with Corpus(demo_store, read_only=True) as corpus:
        return {row["outlet"] or row["site"]: int(row["id"]) for row in corpus.store.query(
            "SELECT id, outlet, site FROM articles")}


@pytest.fixture(scope="module")
def story(demo_store: Path, ids: dict[str, int]) -> StoryReport:
    with Corpus(demo_store, read_only=True) as corpus:
        placed = story_of(corpus.store, ids["usdefensewatch.com"])
        assert placed is not None
        return build_story_report(corpus.store, placed.id, focus=ids["usdefensewatch.com"])


def test_the_demo_article_is_in_one_story_with_the_wire_texts_in_date_order(story: StoryReport) -> None:
    assert [a.outlet for a in story.articles] == DEMO_ORDER
    keys = [(a.published is None, sortable_date(a.published)) for a in story.articles]
    assert keys == sorted(keys)
    assert [a.outlet for a in story.articles if a.focus] == ["usdefensewatch.com"]
    # issue 23's sections first, then issue 24's (claims, contradictions)
    assert [s.id for s in story.sections][:3] == ["timeline", "graph", "passages"]
    # the passages the seed article took: Sputnik's paragraph word for word and the aggregator's block, not
    # credited; the Dunford paragraph credited to Reuters, also through the repost that carried it
    into_seed = {(p.source.outlet, p.kind, p.credited) for p in story.passages
                 if p.target.outlet == "usdefensewatch.com"}
    assert ("Sputnik", "copy", False) in into_seed and ("World Affairs Daily", "copy", False) in into_seed
    assert ("Reuters", "copy", True) in into_seed and ("Antiwar Digest", "copy", True) in into_seed
    assert ("Fars News Agency", "shared_quote") in {(outlet, kind) for outlet, kind, _ in into_seed}
    sputnik = next(p for p in story.passages
                   if p.source.outlet == "Sputnik" and p.target.outlet == "usdefensewatch.com")
    assert sputnik.marker == "Further reports:" and sputnik.lines == (17, 29)
    assert sputnik.origin is not None and sputnik.origin.earliest.outlet == "Sputnik"


def test_the_svg_draws_the_story_graph(story: StoryReport, ids: dict[str, int]) -> None:
    svg = str(provenance_svg(story.graph))
    root = ET.fromstring(svg)  # well-formed
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Reuters · 2015-10-20" in texts and "Sputnik · 2015-10-23" in texts and "undated" in texts
    edges = {(g.get("data-from"), g.get("data-to")): g.get("class") for g in root.iter(f"{SVG}g")
             if "pedge" in (g.get("class") or "")}
    seed = f"article_{ids['usdefensewatch.com']}"
    # arrows run earlier → later: Sputnik's paragraph copied into the seed article, not credited (red)
    assert edges[(f"article_{ids['Sputnik']}", seed)] == "pedge e-copy"
    assert edges[(f"article_{ids['Reuters']}", seed)] == "pedge e-copy_credited"
    assert edges[(f"article_{ids['Fars News Agency']}", seed)] == "pedge e-shared_quote"
    assert edges[("outlet_reuters", seed)] == "pedge e-cited_via"
    # columns left to right by date: Reuters' box stands left of Sputnik's, the undated forum repost last
    boxes = {g.get("id"): float(g.find(f".//{SVG}rect").get("x") or "nan")  # type: ignore[union-attr]
             for g in root.iter(f"{SVG}g") if "pnode" in (g.get("class") or "")}
    assert boxes[f"pg-article_{ids['Reuters']}"] < boxes[f"pg-article_{ids['Sputnik']}"] < boxes[f"pg-{seed}"] < \
        boxes[f"pg-article_{ids['Patriot Forum']}"]
    lines = graph_lines(story.graph)
    assert any(line.startswith("Sputnik 2015-10-23") and "not credited──▶ usdefensewatch.com" in line for line in lines)


def test_untrusted_labels_are_escaped_in_the_svg_and_the_story_page(story: StoryReport, demo_store: Path) -> None:
    hostile = "<script>alert(1)</script>"
    graph = ProvenanceGraph(
        [GraphNode("article:1", "article", hostile, outlet='"><img src=x onerror=alert(2)>', date="2015-10-20",
                   article_id=1),
         GraphNode("article:2", "article", "B", outlet="B", date="2015-10-21", article_id=2, focus=True),
         GraphNode(f"outlet:{hostile}", "outlet", hostile)],
        [GraphEdge("article:2", "article:1", "copied_from", kind="copy", credited=True, credit=hostile, words=20),
         GraphEdge("article:2", f"outlet:{hostile}", "cited_via")])
    svg = str(provenance_svg(graph, href=lambda node: f"/a?x={hostile}"))
    assert "<script" not in svg and "<img" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)
    report = StoryReport(story.story, [a.__class__(**{**a.__dict__, "title": hostile}) for a in story.articles],
                         story.passages, graph)
    with Corpus(demo_store, read_only=True) as corpus:
        report.sections = [s for b in SECTION_BUILDERS if (s := b(report, corpus.store, lambda i: None)) is not None]
    page = render_story_html(report)
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src' in page


def test_story_command_text_json_html_and_errors(demo_store: Path, tmp_path: Path, story: StoryReport) -> None:
    result = runner.invoke(app, ["corpus", "story", "--article", DEMO_ID, "--db", str(demo_store)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"Story {story.story.id}:" in out and "◀ this article" in out
    assert out.index("Reuters —") < out.index("Sputnik —") < out.index("Patriot Forum —")
    assert "──▶" in out and "not credited" in out
    result = runner.invoke(app, ["corpus", "story", str(story.story.id), "--db", str(demo_store), "-f", "json"])
    data = json.loads(result.stdout)
    assert [a["outlet"] for a in data["timeline"]] == DEMO_ORDER
    assert {"timeline", "graph", "passages", "story"} <= set(data)
    assert any(e["type"] == "copied_from" for e in data["graph"]["edges"])
    out_file = tmp_path / "story.html"
    result = runner.invoke(app, ["corpus", "story", str(story.story.id), "--db", str(demo_store), "-f", "html",
                                 "-o", str(out_file)])
    assert result.exit_code == 0, result.output
    page = out_file.read_text("utf-8")
    assert "<svg" in page and "<script" not in page and page.index(">Timeline<") < page.index(">Reused passages<")
    assert page.index("U.S. general seeks Iraqi assurance") < page.index("Baghdad, Moscow Agree to Hit ISIL")
    result = runner.invoke(app, ["corpus", "story", "999", "--db", str(demo_store)])
    assert result.exit_code != 0 and "no story 999" in result.stderr
    result = runner.invoke(app, ["corpus", "story", "--db", str(demo_store)])
    assert result.exit_code != 0


def test_corpus_show_html_has_the_provenance_section(demo_store: Path) -> None:
    result = runner.invoke(app, ["corpus", "show", DEMO_ID, "--db", str(demo_store), "-f", "html"])
    assert result.exit_code == 0, result.output
    page = result.stdout
    section = page[page.index('<section id="provenance"'):]
    section = section[:section.index("</section>")]
    assert "The reports continued: lines 34–42 match World Affairs Daily&#39;s 2015-10-23 text, not credited" in section
    assert "Further reports: lines 17–29 match Sputnik&#39;s 2015-10-23 text, not credited to Sputnik" in section
    assert "This article belongs to story" in section and "<svg" in section
    assert 'href="#provenance"' in page  # in the contents
    # the section's CSS is in the one style block the page's Content-Security-Policy allows by its hash
    style = page[page.index("<style>") + 7:page.index("</style>")]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src &#39;sha256-{digest}&#39;" in page and ".pgraph-wrap{" in style
    # an article of the story that shares no passage: said so, and its graph is its own box
    result = runner.invoke(app, ["corpus", "show", "demo-anadolu", "--db", str(demo_store), "-f", "html"])
    assert result.exit_code == 0, result.output
    assert "No passage of this article is found in an earlier article" in result.stdout
    assert "This article belongs to story" in result.stdout


def test_trace_graph_keeps_outlets_not_people(demo_store: Path, ids: dict[str, int]) -> None:
    with Corpus(demo_store, read_only=True) as corpus:
        stored = corpus.get(DEMO_ID)
        assert stored is not None
        result = trace(corpus.store, stored.id, stored.report)
    outlets = [c.name for a in stored.report.attributions for c in a.conduits if c.type.value == "outlet"]
    graph = graph_from_trace(result, outlets)
    cited = {e.target for e in graph.edges if e.type == "cited_via"}
    assert "outlet:reuters" in cited and "outlet:joseph dunford" not in cited
    assert next(n for n in graph.nodes if n.focus).article_id == ids["usdefensewatch.com"]


def test_web_story_page_api_and_article_graph(demo_store: Path, pipeline: Pipeline, story: StoryReport,
                                              ids: dict[str, int]) -> None:
    web = create_app(pipeline=pipeline, workers=0)
    web.include_router(corpus_router(demo_store))
    client = TestClient(web)
    sid, seed = story.story.id, ids["usdefensewatch.com"]
    page = client.get(f"/corpus/stories/{sid}")
    assert page.status_code == 200 and "<svg" in page.text and f'href="/corpus/articles/{seed}"' in page.text
    listing = client.get("/corpus/stories")
    assert listing.status_code == 200 and f'href="/corpus/stories/{sid}"' in listing.text
    data = client.get(f"/api/corpus/stories/{sid}").json()
    assert [a["outlet"] for a in data["timeline"]] == DEMO_ORDER
    missing = client.get("/api/corpus/stories/999")
    assert missing.status_code == 404 and "no story 999" in missing.json()["error"]
    traced = client.get(f"/api/corpus/articles/{seed}/trace").json()
    assert traced["story"]["story_id"] == sid
    assert any(e["type"] == "copied_from" and e["target"] == f"article:{ids['Sputnik']}"
               for e in traced["graph"]["edges"])
    assert client.get("/api/corpus/articles/99999/trace").status_code == 404
    assert client.get("/api/corpus/articles/x/trace").status_code == 422
    article = client.get(f"/corpus/articles/{seed}")
    assert article.status_code == 200 and 'id="provenance"' in article.text
    assert f'href="/corpus/stories/{sid}"' in article.text and "<svg" in article.text


def test_demo_shows_the_article_inside_its_story(tmp_path: Path) -> None:
    story_file = tmp_path / "story.html"
    result = runner.invoke(app, ["demo", "--story-html", str(story_file)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    story_part = out[out.index("Its story"):]
    assert "Story 1:" in story_part and "◀ this article" in story_part
    for outlet in DEMO_ORDER:
        assert outlet in story_part
    assert "Sputnik 2015-10-23" in story_part and "not credited──▶ usdefensewatch.com" in story_part
    assert str(story_file) in " ".join(story_part.split()) or story_file.name in story_part
    page = story_file.read_text("utf-8")
    assert "<svg" in page and "Patriot Forum" in page
