"""One node per outlet in the provenance graphs, named as the registry names it.

The reference article cites "a Russia Today report"; the registry lists that outlet as "RT" (Russia Today an
alias), and the store's outlet links use the registry's name. Before, the article's trace drew "Russia Today"
and the story graph "RT": two outlets for one. The trace also drew Joseph Dunford (a person the ministers'
words passed through) as an outlet. Built on the bundled demo corpus, rules only (the conduits are rules').
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources

import pytest

from sourcetrace.cli import DEMO_URL
from sourcetrace.corpus.api import Corpus
from sourcetrace.stories.assign import assign_stories
from sourcetrace.stories.demo import DEMO_ID, build_demo_store
from sourcetrace.stories.graph import ProvenanceGraph, graph_from_trace
from sourcetrace.stories.outlet_names import outlet_key, registry_name
from sourcetrace.stories.provenance import Trace, graphml, trace
from sourcetrace.stories.story_report import build_story_report, story_of


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Trace, ProvenanceGraph, ProvenanceGraph]]:
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
        yield result, graph_from_trace(result, outlets), story.graph


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
