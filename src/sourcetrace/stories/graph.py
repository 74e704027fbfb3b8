"""The provenance graph as typed objects, for the renderers (SVG, text): articles and outlets as nodes,
``copied_from``, ``cited_via`` and ``published_by`` edges, dated.

Two builders: :func:`graph_from_trace` reads the graph one article's :class:`~sourcetrace.stories.provenance.Trace`
already holds (as dicts, for JSON and GraphML); :func:`story_graph` makes the graph of a whole story from the
reuse passages between its articles and the outlets each names as a conduit (``outlet_links``). The renderers take
a :class:`ProvenanceGraph` and never look anything up themselves.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sourcetrace.corpus.store import Store
from sourcetrace.stories.outlet_names import outlet_key, registry_name
from sourcetrace.stories.provenance import Trace
from sourcetrace.stories.reuse import ArticleMeta, Passage, outlet_name, sortable_date


@dataclass
class GraphNode:
    """An article (``article:ID``) or an outlet (``outlet:name``)."""

    id: str
    type: str  # article | outlet
    label: str  # the article's title (or URL), the outlet's name
    outlet: str | None = None  # an article's outlet
    url: str | None = None
    date: str | None = None  # an article's date as stored (YYYY-MM-DD, or only YYYY-MM / YYYY)
    date_source: str | None = None
    article_id: int | None = None
    focus: bool = False  # the article the graph is about (the traced article; in a story, the one asked about)
    outside: bool = False  # a story graph's article that shares a passage with the story but is not in it

    def sort_date(self) -> tuple[bool, str]:
        """Earlier first, month-only dates after the days of that month, undated last (as reuse orders them)."""
        return (self.date is None, sortable_date(self.date))


@dataclass
class GraphEdge:
    """``copied_from``: source is the later article, target the earlier one it shares the passage with;
    ``cited_via``: the article names the outlet as a conduit; ``published_by``: article → its outlet."""

    source: str
    target: str
    type: str  # copied_from | cited_via | published_by
    date: str | None = None  # the later article's date (copied_from), the article's (cited_via, published_by)
    kind: str | None = None  # copied_from: copy | shared_quote | boilerplate
    credited: bool | None = None
    credit: str | None = None  # the name written as credit
    words: int | None = None


@dataclass
class ProvenanceGraph:
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)

    _index: dict[str, GraphNode] = field(default_factory=dict, repr=False, compare=False)

    def node(self, node_id: str) -> GraphNode | None:
        if len(self._index) != len(self.nodes):  # nodes are only ever appended
            self._index = {n.id: n for n in self.nodes}
        return self._index.get(node_id)

    def as_dict(self) -> dict[str, Any]:
        # flat dataclasses: vars() is what asdict() gives, without its deep copy (a big story has 10,000s of edges)
        return {"nodes": [dict(vars(n)) for n in self.nodes], "edges": [dict(vars(e)) for e in self.edges]}


def _article_id(key: str) -> int | None:
    kind, _, rest = key.partition(":")
    return int(rest) if kind == "article" and rest.isdigit() else None


def graph_from_trace(result: Trace, outlets: Iterable[str] | None = None) -> ProvenanceGraph:
    """The trace's graph as typed objects; the traced article is the focus. ``outlets``: the names the article's
    report typed as outlets among its conduits; when given, ``cited_via`` edges to other conduits (people a
    claim passed through) are left out, as the graph is about outlets."""
    keep = None if outlets is None else {key for name in outlets for key in (f"outlet:{name.casefold()}",
                                                                             outlet_key(name))}
    me = f"article:{result.article.id}"
    nodes = [GraphNode(id=str(n["id"]), type=str(n["type"]), label=str(n.get("label") or n["id"]),
                       outlet=n.get("outlet"), url=n.get("url"), date=n.get("date"),
                       date_source=n.get("date_source"), article_id=_article_id(str(n["id"])), focus=n["id"] == me)
             for n in result.nodes]
    credits: dict[tuple[int | None, str], str | None] = {(p.other.id, p.role): p.credit for p in result.passages}
    edges = []
    for e in result.edges:
        if keep is not None and e["type"] == "cited_via" and e["target"] not in keep:
            continue
        credit = None
        if e["type"] == "copied_from":
            later, earlier = _article_id(str(e["source"])), _article_id(str(e["target"]))
            credit = credits.get((earlier, "copied_from")) if later == result.article.id else credits.get(
                (later, "copied_by"))
        edges.append(GraphEdge(source=str(e["source"]), target=str(e["target"]), type=str(e["type"]),
                               date=e.get("date"), kind=e.get("kind"), credited=e.get("credited"),
                               credit=credit if e.get("credited") else None, words=e.get("words")))
    linked = {e.source for e in edges} | {e.target for e in edges}
    return ProvenanceGraph([n for n in nodes if n.type == "article" or n.id in linked], edges)


def story_graph(store: Store, members: Sequence[ArticleMeta], found: Iterable[Passage],
                others: dict[int, ArticleMeta], *, focus: int | None = None) -> ProvenanceGraph:
    """The graph of a story: its articles, the articles outside it that share passages with them (``outside``),
    their outlets, one ``copied_from`` edge per pair and kind (the longest passage), ``cited_via`` edges to the
    outlets each article names as a conduit (not its own), ``published_by`` edges. ``focus``: the article asked
    about."""
    graph = ProvenanceGraph()
    seen: dict[str, GraphNode] = {}
    metas = {m.id: m for m in members} | others

    def article(meta: ArticleMeta) -> str:
        key = f"article:{meta.id}"
        if key not in seen:
            outlet = outlet_name(meta)
            seen[key] = GraphNode(key, "article", meta.title or meta.url or f"article {meta.id}", outlet, meta.url,
                                  meta.published, meta.date_source, meta.id, focus=meta.id == focus,
                                  outside=meta.id in others)
            graph.nodes.append(seen[key])
            if outlet:
                graph.edges.append(GraphEdge(key, outlet_node(outlet), "published_by", meta.published))
        return key

    def outlet_node(name: str) -> str:
        key = outlet_key(name)  # one node per outlet, by its registry name ("Russia Today" is RT)
        if key not in seen:
            seen[key] = GraphNode(key, "outlet", registry_name(name))
            graph.nodes.append(seen[key])
        return key

    for meta in members:
        article(meta)
    best: dict[tuple[int, int, str], Passage] = {}
    for passage in found:
        key = (passage.target_id, passage.source_id, passage.kind)
        if key not in best or passage.words > best[key].words:
            best[key] = passage
    for (target_id, source_id, kind), passage in sorted(best.items()):
        if target_id not in metas or source_id not in metas:
            continue
        later = article(metas[target_id])
        earlier = article(metas[source_id])
        graph.edges.append(GraphEdge(later, earlier, "copied_from", metas[target_id].published, kind,
                                     passage.credited, passage.credit_name, passage.words))
    for article_id, name in _conduit_outlets(store, [m.id for m in members]):
        meta = metas[article_id]
        own = outlet_name(meta)
        if own is None or outlet_key(name) != outlet_key(own):  # its own outlet named in its own text: no edge
            graph.edges.append(GraphEdge(f"article:{article_id}", outlet_node(name), "cited_via", meta.published))
    return graph


def _conduit_outlets(store: Store, ids: Sequence[int]) -> list[tuple[int, str]]:
    """(article, outlet name) for every outlet an article names as a conduit ("according to Reuters")."""
    out: list[tuple[int, str]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        try:
            rows = store.connection.execute(
                f"SELECT article_id, name, roles FROM outlet_links WHERE article_id IN ({','.join('?' * len(chunk))})"
                " ORDER BY article_id, position", list(chunk)).fetchall()
        except sqlite3.OperationalError:
            return out
        out += [(int(r[0]), str(r[1])) for r in rows if "conduit" in str(r[2]).split(",")]
    return list(dict.fromkeys(out))
