"""One node per outlet in the provenance graphs, named as the registry names it; and the story's and the
trace's text read as a reader would say it.

The reference article cites "a Russia Today report"; the registry lists that outlet as "RT" (Russia Today an
alias), and the store's outlet links use the registry's name. Before, the article's trace drew "Russia Today"
and the story graph "RT": two outlets for one. The trace also drew Joseph Dunford (a person the ministers'
words passed through) as an outlet. Built on the bundled demo corpus, rules only (the conduits are rules').
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from importlib import resources

import pytest
from rich.console import Console

from sourcetrace.cli import DEMO_URL
from sourcetrace.corpus.api import Corpus
from sourcetrace.render.story import article_provenance_section, passages_lines
from sourcetrace.stories.assign import assign_stories
from sourcetrace.stories.demo import DEMO_ID, build_demo_store
from sourcetrace.stories.graph import ProvenanceGraph, graph_from_trace
from sourcetrace.stories.outlet_names import outlet_key, registry_name
from sourcetrace.stories.provenance import Trace, graphml, trace
from sourcetrace.stories.reuse_cli import render_trace
from sourcetrace.stories.story_report import StoryReport, build_story_report, story_of


@pytest.fixture(scope="module")
def demo_all(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Trace, ProvenanceGraph, StoryReport]]:
    text = resources.files("sourcetrace.resources").joinpath("demo-article.txt").read_text("utf-8")
    path = tmp_path_factory.mktemp("newcomer-outlets") / "demo.db"
    with build_demo_store(path, text, DEMO_URL, learned=False) as corpus:
        assign_stories(corpus.store)
    with Corpus(path, read_only=True) as corpus:
        stored = corpus.get(DEMO_ID)
        assert stored is not None
        result = trace(corpus.store, stored.id, stored.report)
        outlets = [c.name for a in stored.report.attributions for c in a.conduits if c.type.value == "outlet"]
        placed = story_of(corpus.store, stored.id)
        assert placed is not None
        story = build_story_report(corpus.store, placed.id, focus=stored.id)
        yield result, graph_from_trace(result, outlets), story


@pytest.fixture(scope="module")
def demo(demo_all: tuple[Trace, ProvenanceGraph, StoryReport]) -> tuple[Trace, ProvenanceGraph, ProvenanceGraph]:
    result, article_graph, story = demo_all
    return result, article_graph, story.graph


def _outlets(graph: ProvenanceGraph) -> list[str]:
    return [n.label for n in graph.nodes if n.type == "outlet"]


def test_the_registry_names_an_outlet_whatever_the_text_calls_it() -> None:
    assert registry_name("Russia Today") == registry_name("RT") == "RT"
    assert registry_name("Anadolu News Agency") == "Anadolu Agency"
    assert outlet_key("Russia Today") == outlet_key("rt") == "outlet:rt"
    assert registry_name("Patriot Forum") == "Patriot Forum"  # listed nowhere: kept as written


def test_rt_is_one_outlet_in_the_article_graph_and_the_story_graph(
        demo: tuple[Trace, ProvenanceGraph, ProvenanceGraph]) -> None:
    result, article_graph, story_graph = demo
    # the article writes "according to a Russia Today report": the chain keeps the words, the graph the outlet
    assert any("Russia Today" in a.chain and a.outlets == ["RT"] for a in result.attributions)
    for graph in (article_graph, story_graph):
        labels = _outlets(graph)
        assert labels.count("RT") == 1 and "Russia Today" not in labels, labels
        assert len(labels) == len({label.casefold() for label in labels}), labels
    trace_labels = [n["label"] for n in result.nodes if n["type"] == "outlet"]
    assert "RT" in trace_labels and "Russia Today" not in trace_labels
    assert "<data key=\"n_label\">RT</data>" in graphml(result)
    # the cited_via edge of the article and of the story lead to the same node id
    assert {e.target for e in article_graph.edges if e.type == "cited_via"} & {
        e.target for e in story_graph.edges if e.type == "cited_via"} >= {"outlet:rt", "outlet:reuters"}


def test_a_person_in_a_chain_is_no_outlet_node(demo: tuple[Trace, ProvenanceGraph, ProvenanceGraph]) -> None:
    result, _, _ = demo
    # "Both the minister of defense and the prime minister → Joseph Dunford → Reuters → this article"
    assert any(a.chain[1:3] == ["Joseph Dunford", "Reuters"] for a in result.attributions)
    labels = [n["label"] for n in result.nodes if n["type"] == "outlet"]
    assert "Joseph Dunford" not in labels
    assert "Reuters" in labels


def test_passage_lines_name_the_articles_and_say_each_kind_once(
        demo_all: tuple[Trace, ProvenanceGraph, StoryReport]) -> None:
    result, _, story = demo_all
    lines = next(section.text for section in story.sections if section.id == "passages")
    assert lines and all(" #" in line and "←" in line for line in lines if "←" in line)
    assert not any("boilerplate, boilerplate" in line or "shared_quote" in line for line in lines), lines
    me = result.article.id
    # the reference article's uncredited Sputnik paragraph, as a reader says it
    assert any(line.startswith(f"usdefensewatch.com #{me} ") and "← Sputnik #" in line and "copy, NOT credited"
               in line for line in lines), lines
    console = Console(width=200, record=True, color_system=None)
    render_trace(result, console)
    text = console.export_text()
    taken = text.split("Passages later articles took from it", 1)[1].split("Attributions", 1)[0]
    # one line is "line 9", not "lines 9–9"; the forum repost is a copy, not credited
    assert "Patriot Forum" in taken and "copy, not credited" in taken
    assert not any(f"lines {n}–{n} " in taken for n in range(1, 200))


def test_kinds_other_than_copy_are_said_once_and_owe_no_credit(
        demo_all: tuple[Trace, ProvenanceGraph, StoryReport]) -> None:
    result, _, story = demo_all
    # the demo's passages, relabelled as the other kinds a corpus finds (FNC-1 bodies of one site: boilerplate)
    passage = story.passages[0]
    lines = passages_lines([dataclasses.replace(passage, kind="boilerplate"),
                            dataclasses.replace(passage, kind="shared_quote")])
    assert lines[0].endswith(f": boilerplate, {passage.words} words"), lines
    assert lines[1].endswith(f": same quotation of a third party, {passage.words} words"), lines
    taken = next(p for p in result.passages if p.role == "copied_by")
    relabelled = dataclasses.replace(result, passages=[dataclasses.replace(taken, kind="boilerplate", lines=(9, 9))])
    console = Console(width=200, record=True, color_system=None)
    render_trace(relabelled, console)
    text = console.export_text()
    assert "• line 9 → Patriot Forum" in text and text.split("Patriot Forum", 1)[1].split("\n", 1)[0].endswith(
        ": boilerplate"), text
    # the article's HTML report says it the same way
    section = article_provenance_section(relabelled, graph_from_trace(relabelled))
    taken_html = str(section.body).split("Passages later articles took from it", 1)[1].split("</ul>", 1)[0]
    assert "<li>line 9 → Patriot Forum" in taken_html and taken_html.endswith(": boilerplate</li>"), taken_html
