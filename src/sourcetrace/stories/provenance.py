"""Origin and provenance of one article's passages and attributions, from the reuse passages in the store.

For an article, :func:`trace` gives

* each passage it shares with an earlier article (``copied_from``): the likeliest source (the aligned earlier
  article), the kind, whether the article credits it, and the **earliest carrier in this corpus**: the
  earliest-dated article that carries the same text, followed back through the sources' own passages (a repost
  of a repost leads to the wire). Never called "the original": the corpus may lack the true first publisher;
  an undated carrier is said to be undated, and the confidence says how much the order rests on dates;
* each passage later articles took from it (``copied_by``), credited or not;
* each attribution of its report (speaker, cue, conduits) with the passage that carries its content, the
  earliest carrier of that content, and whether the attribution's own conduits name that carrier ("according
  to Reuters" on a Reuters text is credited);
* the provenance graph: articles and outlets as nodes, ``copied_from``, ``cited_via`` and ``published_by``
  edges, dated — as JSON (:meth:`Trace.as_dict`) or GraphML (:func:`graphml`).

:func:`copied_blocks_signal` turns a trace into the credibility signal the article report shows when the
article is in a corpus ("The reports continued: lines 34–42 match Sputnik's 2015-10-23 text, not credited").
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sourcetrace.corpus.store import Store
from sourcetrace.models import Report, Signal, SignalLevel, Span
from sourcetrace.stories.outlet_names import conduit_outlet, outlet_key, registry_name
from sourcetrace.stories.reuse import (
    ArticleMeta,
    Passage,
    _name_pattern,
    find_credit,
    load_articles,
    outlet_name,
    outlet_names,
    passages,
)

_OVERLAP = 0.5  # share of a passage another passage must cover to count as carrying the same text
_MAX_DEPTH = 6


@dataclass
class Carrier:
    """An article carrying a passage: id, outlet, url, title, date and where the date came from."""

    id: int
    outlet: str | None
    url: str | None
    title: str | None
    published: str | None
    date_source: str | None

    @classmethod
    def of(cls, meta: ArticleMeta) -> Carrier:
        return cls(meta.id, outlet_name(meta), meta.url, meta.title, meta.published, meta.date_source)

    def dated(self) -> str:
        if not self.published:
            return "undated"
        return f"{self.published} (date from {self.date_source or 'unknown'})"

    def describe(self) -> str:
        return f"{self.outlet or 'unknown outlet'} (article {self.id}, {self.dated()})"


@dataclass
class Origin:
    """The earliest carrier of a text in this corpus, and how sure the order is."""

    earliest: Carrier
    carriers: list[Carrier]
    confidence: str  # high | medium | low
    note: str

    def phrase(self) -> str:
        return f"earliest seen in this corpus: {self.earliest.describe()}"


@dataclass
class TracedPassage:
    role: str  # copied_from (this article is the later one) | copied_by
    kind: str
    start: int  # in this article
    end: int
    lines: tuple[int, int]
    text: str
    marker: str | None  # the block marker before it ("The reports continued:"), if any
    other: Carrier
    other_start: int
    other_end: int
    words: int
    similarity: float
    credited: bool
    credit: str | None
    dated: bool
    origin: Origin | None = None
    also_in: list[Carrier] = field(default_factory=list)  # other earlier articles carrying the same text


@dataclass
class TracedAttribution:
    id: str
    speaker: str | None
    cue: str
    kind: str
    content: str
    start: int
    end: int
    chain: list[str]
    origin: Origin | None
    credited: bool | None  # None when the content is not found elsewhere in the corpus
    credit: str | None
    outlets: list[str] = field(default_factory=list)  # its conduits that are outlets, by their registry names


@dataclass
class Trace:
    article: Carrier
    passages: list[TracedPassage] = field(default_factory=list)
    attributions: list[TracedAttribution] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    nodes: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _marker(text: str, start: int) -> str | None:
    """The short paragraph right before a passage that opens its paragraph ("Further reports:")."""
    line_start = text.rfind("\n", 0, start) + 1
    if len(re.findall(r"\w+", text[line_start:start])) > 12:
        return None
    before = text[:line_start].rstrip()
    previous = before[before.rfind("\n") + 1:].strip()
    return previous if previous.endswith(":") and len(previous) <= 80 else None


class _Tracer:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.metas: dict[int, ArticleMeta] = {}
        self._incoming: dict[int, list[Passage]] = {}

    def meta(self, article_id: int) -> ArticleMeta:
        if article_id not in self.metas:
            self.metas.update(load_articles(self.store, [article_id]))
        return self.metas[article_id]

    def incoming(self, article_id: int) -> list[Passage]:
        """Copies and shared quotations of earlier articles in this one (it is the target)."""
        if article_id not in self._incoming:
            self._incoming[article_id] = [p for p in passages(self.store, article_id=article_id)
                                          if p.target_id == article_id and p.kind != "boilerplate"]
        return self._incoming[article_id]

    def carriers(self, article_id: int, start: int, end: int, depth: int = 0) -> dict[int, ArticleMeta]:
        """Every earlier article carrying article_id's text[start:end], followed back through sources."""
        found: dict[int, ArticleMeta] = {}
        if depth > _MAX_DEPTH:
            return found
        for passage in self.incoming(article_id):
            shared = min(end, passage.target_end) - max(start, passage.target_start)
            if shared <= _OVERLAP * (end - start):  # it must carry most of the text traced
                continue
            if passage.source_id in found:
                continue
            found[passage.source_id] = self.meta(passage.source_id)
            # the part of the source's text that lines up with ours
            offset_start = passage.source_start + max(0, start - passage.target_start)
            offset_end = passage.source_end - max(0, passage.target_end - end)
            if offset_end <= offset_start:
                offset_start, offset_end = passage.source_start, passage.source_end
            for key, value in self.carriers(passage.source_id, offset_start, offset_end, depth + 1).items():
                found.setdefault(key, value)
        return found

    def origin(self, article_id: int, start: int, end: int) -> Origin | None:
        found = self.carriers(article_id, start, end)
        if not found:
            return None
        ordered = sorted(found.values(), key=ArticleMeta.order_key)
        earliest = ordered[0]
        dated = [m for m in ordered if m.published]
        undated = [m for m in ordered if not m.published]
        if earliest.published is None:
            confidence, note = "low", "no carrier is dated: the order follows the store, not the dates"
        elif undated:
            confidence, note = "medium", f"{len(undated)} undated carrier(s) could be earlier"
        elif len(earliest.published) < 10:
            confidence, note = "medium", f"its date is known only to {earliest.published}"
        elif len(dated) > 1 and (dated[1].published or "")[:len(earliest.published)] == earliest.published:
            confidence, note = "medium", "another carrier has the same date"
        else:
            confidence, note = "high", "earliest by date among the carriers in this corpus"
        return Origin(Carrier.of(earliest), [Carrier.of(m) for m in ordered], confidence, note)


def trace(store: Store, article_id: int, report: Report | None = None) -> Trace:
    """The provenance of one stored article (see the module docstring); ``report`` adds its attributions."""
    tracer = _Tracer(store)
    article = tracer.meta(article_id)
    text = article.text
    result = Trace(Carrier.of(article))
    stored = passages(store, article_id=article_id)
    # passim's choice: per passage the likeliest earlier source (the longest, closest alignment, the earliest
    # on a tie); the other earlier articles carrying the same text are listed with it
    stored.sort(key=lambda p: (p.target_id != article_id, -p.words * p.similarity,
                               tracer.meta(p.source_id).order_key()))
    primaries: list[tuple[Passage, TracedPassage]] = []
    for passage in stored:
        incoming = passage.target_id == article_id
        if incoming:
            same = next((t for p, t in primaries if p.kind == passage.kind and _covers(p, passage)), None)
            if same is not None:
                same.also_in.append(Carrier.of(tracer.meta(passage.source_id)))
                continue
        other = tracer.meta(passage.source_id if incoming else passage.target_id)
        start, end = (passage.target_start, passage.target_end) if incoming else (passage.source_start,
                                                                                  passage.source_end)
        other_start, other_end = (passage.source_start, passage.source_end) if incoming else (
            passage.target_start, passage.target_end)
        traced = TracedPassage(
            role="copied_from" if incoming else "copied_by", kind=passage.kind, start=start, end=end,
            lines=(_line(text, start), _line(text, end)), text=text[start:end], marker=_marker(text, start),
            other=Carrier.of(other), other_start=other_start, other_end=other_end, words=passage.words,
            similarity=passage.similarity, credited=passage.credited, credit=passage.credit_name,
            dated=passage.dated)
        if incoming and passage.kind != "boilerplate":
            traced.origin = tracer.origin(article_id, start, end)
            if not traced.credited and traced.origin and passage.kind == "copy":
                # credited to the upstream: the earliest carrier named here, in words the source did not have
                upstream = tracer.meta(traced.origin.earliest.id)
                credit = find_credit(article, start, end, outlet_names(upstream),
                                     other.text[passage.source_start:passage.source_end])
                if credit:
                    traced.credited, traced.credit = True, credit[0]
        result.passages.append(traced)
        if incoming:
            primaries.append((passage, traced))
    result.passages.sort(key=lambda t: (t.role != "copied_from", t.start))
    if report is not None:
        result.attributions = _attributions(tracer, article, report)
    _graph(result, tracer)
    return result


def _covers(a: Passage, b: Passage) -> bool:
    shared = min(a.target_end, b.target_end) - max(a.target_start, b.target_start)
    return shared > _OVERLAP * max(a.target_end - a.target_start, b.target_end - b.target_start)


def _attributions(tracer: _Tracer, article: ArticleMeta, report: Report) -> list[TracedAttribution]:
    out = []
    for attribution in report.attributions:
        if not attribution.content:
            continue
        start, end = attribution.content[0].start, attribution.content[-1].end
        origin = tracer.origin(article.id, start, end)
        names = [c.name for c in attribution.conduits]
        if attribution.source is not None:
            names.append(attribution.source.name)
        chain = ([attribution.source.name] if attribution.source else []) + [c.name for c in attribution.conduits]
        credited: bool | None = None
        credit = None
        if origin is not None:
            earliest = tracer.meta(origin.earliest.id)
            pattern = _name_pattern(outlet_names(earliest))
            hit = next((n for n in names if pattern and pattern.search(n)), None)
            if hit is None and pattern:
                # a conduit written as the registry's other name ("Reuters news agency")
                hit = next((n for n in names for alias in outlet_names(earliest)
                            if _name_pattern([n]) and _name_pattern([n]).search(alias)), None)  # type: ignore[union-attr]
            credited, credit = hit is not None, hit
        out.append(TracedAttribution(
            id=attribution.id, speaker=attribution.source.name if attribution.source else None,
            cue=attribution.cue.text, kind=str(attribution.kind), content=" ".join(article.text[start:end].split()),
            start=start, end=end, chain=[*chain, "this article"], origin=origin, credited=credited, credit=credit,
            outlets=list(dict.fromkeys(n for c in attribution.conduits if (n := conduit_outlet(report, c))))))
    return out


def _graph(result: Trace, tracer: _Tracer) -> None:
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []

    def article_node(carrier: Carrier) -> str:
        key = f"article:{carrier.id}"
        nodes.setdefault(key, {"id": key, "type": "article", "label": carrier.title or carrier.url or key,
                               "outlet": carrier.outlet, "url": carrier.url, "date": carrier.published,
                               "date_source": carrier.date_source})
        if carrier.outlet:
            outlet = outlet_node(carrier.outlet)
            edge = {"source": key, "target": outlet, "type": "published_by", "date": carrier.published}
            if edge not in edges:
                edges.append(edge)
        return key

    def outlet_node(name: str) -> str:
        # one node per outlet, named as the registry names it ("Russia Today" and "RT" are one outlet)
        key = outlet_key(name)
        nodes.setdefault(key, {"id": key, "type": "outlet", "label": registry_name(name)})
        return key

    me = article_node(result.article)
    for passage in result.passages:
        other = article_node(passage.other)
        later, earlier = (me, other) if passage.role == "copied_from" else (other, me)
        later_date = result.article.published if passage.role == "copied_from" else passage.other.published
        edges.append({"source": later, "target": earlier, "type": "copied_from", "kind": passage.kind,
                      "credited": passage.credited, "date": later_date, "words": passage.words})
        if passage.origin:
            article_node(passage.origin.earliest)
    for attribution in result.attributions:
        for name in attribution.outlets:  # outlets only: a person in the chain is no outlet node
            edge = {"source": me, "target": outlet_node(name), "type": "cited_via",
                    "date": result.article.published, "attribution": attribution.id}
            if not any(e["type"] == "cited_via" and e["target"] == edge["target"] for e in edges):
                edges.append(edge)
        if attribution.origin:
            article_node(attribution.origin.earliest)
    result.nodes, result.edges = list(nodes.values()), edges


def graphml(result: Trace) -> str:
    """The provenance graph as GraphML (yEd, Gephi, networkx.read_graphml)."""
    node_keys = ["type", "label", "outlet", "url", "date", "date_source"]
    edge_keys = ["type", "kind", "credited", "date", "words", "attribution"]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">']
    for key in node_keys:
        lines.append(f'  <key id="n_{key}" for="node" attr.name="{key}" attr.type="string"/>')
    for key in edge_keys:
        lines.append(f'  <key id="e_{key}" for="edge" attr.name="{key}" attr.type="string"/>')
    lines.append('  <graph id="provenance" edgedefault="directed">')
    for node in result.nodes:
        lines.append(f"    <node id={quoteattr(node['id'])}>")
        lines += [f'      <data key="n_{k}">{escape(str(node[k]))}</data>' for k in node_keys
                  if node.get(k) is not None]
        lines.append("    </node>")
    for index, edge in enumerate(result.edges):
        lines.append(f'    <edge id="e{index}" source={quoteattr(edge["source"])} target={quoteattr(edge["target"])}>')
        lines += [f'      <data key="e_{k}">{escape(_graphml_value(edge[k]))}</data>' for k in edge_keys
                  if edge.get(k) is not None]
        lines.append("    </edge>")
    lines += ["  </graph>", "</graphml>"]
    return "\n".join(lines) + "\n"


def _graphml_value(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def describe_passage(passage: TracedPassage) -> str:
    """One line a reader understands: where, matching what, credited or not, earliest carrier."""
    where = f"lines {passage.lines[0]}–{passage.lines[1]}" if passage.lines[1] != passage.lines[0] else (
        f"line {passage.lines[0]}")
    lead = f"{passage.marker} {where}" if passage.marker else where.capitalize()
    other = passage.other
    plural = passage.lines[1] != passage.lines[0]
    what = {"copy": "match" if plural else "matches",
            "shared_quote": "quote the same words as" if plural else "quotes the same words as",
            "boilerplate": "are boilerplate shared with" if plural else "is boilerplate shared with"}
    date = other.published or "undated"
    name = other.outlet or f"article {other.id}"
    line = f"{lead} {what[passage.kind]} {name}{chr(39) if name.endswith('s') else chr(39) + 's'} {date} text"
    if passage.kind == "copy":
        line += (f", credited (“{passage.credit}”)" if passage.credited
                 else f", not credited to {other.outlet or 'it'}")
    if passage.also_in:
        line += "; also in " + ", ".join(f"{c.outlet or 'article ' + str(c.id)} ({c.published or 'undated'})"
                                         for c in passage.also_in)
    if passage.origin and passage.origin.earliest.id != other.id:
        line += f"; {passage.origin.phrase()}"
    return line


def describe_taken(passage: TracedPassage) -> str:
    """A passage a later article took from this one, in one line: "line 9 → Patriot Forum (article 7,
    undated): copy, not credited". Credit is a copy's question: boilerplate or a shared quotation owes none."""
    first, last = passage.lines
    where = f"lines {first}–{last}" if last != first else f"line {first}"
    if passage.kind == "copy":
        kind = f"copy, credited (“{passage.credit}”)" if passage.credited else "copy, not credited"
    else:
        kind = "same quotation of a third party" if passage.kind == "shared_quote" else "boilerplate"
    return f"{where} → {passage.other.describe()}: {kind}"


def copied_blocks_signal(result: Trace) -> Signal | None:
    """The credibility signal for an article in a corpus: which of its blocks are copied, from whom, credited."""
    copies = [p for p in result.passages if p.role == "copied_from" and p.kind == "copy"]
    if not copies:
        return None
    text_spans = [Span(start=p.start, end=p.end, text=p.text) for p in copies]
    uncredited = [p for p in copies if not p.credited]
    return Signal(
        id="copied_passages", name="Passages found in earlier articles of the corpus", value=len(copies),
        level=SignalLevel.WARNING if uncredited else SignalLevel.INFO,
        explanation=(f"{len(copies)} passage{'s' * (len(copies) != 1)} of this article appear in earlier "
                     f"articles of the corpus, {len(uncredited)} not credited: "
                     + "; ".join(describe_passage(p) for p in copies) + "."),
        evidence=text_spans)


def annotate(report: Report, result: Trace) -> Report:
    """The report with the copied-passages signal added to its credibility signals."""
    signal = copied_blocks_signal(result)
    if signal is None or report.credibility is None:
        return report
    signals = []
    for existing in report.credibility.signals:
        if existing.id == signal.id:
            continue
        if existing.id == "unnamed_origin_blocks":
            existing = _name_block_origins(existing, result)
        signals.append(existing)
    copies = [p for p in result.passages if p.role == "copied_from" and p.kind == "copy"]
    uncredited = sorted({f"{p.other.outlet or 'article ' + str(p.other.id)} ({p.other.published or 'undated'})"
                         for p in copies if not p.credited})
    summary = (f"{report.credibility.summary} In this corpus, {len(copies)} passage{'s' * (len(copies) != 1)} "
               f"appear{'s' * (len(copies) == 1)} in earlier articles"
               + (f", not credited to {', '.join(uncredited)}." if uncredited else ", all credited."))
    credibility = report.credibility.model_copy(update={"signals": [*signals, signal], "summary": summary})
    return report.model_copy(update={"credibility": credibility})


def _name_block_origins(signal: Signal, result: Trace) -> Signal:
    """The "reported blocks whose origin is not named" signal, with the origin the corpus found for each block."""
    named = []
    blocks = signal.evidence[1::2]  # the signal's evidence is (marker, block) pairs
    for block in blocks:
        copies = [p for p in result.passages if p.role == "copied_from" and p.kind == "copy"
                  and min(p.end, block.end) - max(p.start, block.start) > 0.5 * (p.end - p.start)]
        if copies:
            best = max(copies, key=lambda p: p.end - p.start)
            named.append(describe_passage(best))
    if not named:
        return signal
    return signal.model_copy(update={"explanation": signal.explanation + " In this corpus: " + "; ".join(named)
                                     + "."})


def annotate_stored(store: Store, article_id: int, report: Report) -> Report:
    """A stored article's report with the copied-passages signal, when the reuse index found any (read-only:
    the index is not updated here; ``corpus reuse`` or ``corpus trace`` does that)."""
    try:
        found = store.connection.execute("SELECT 1 FROM reuse_passages WHERE target_id = ? LIMIT 1",
                                         (article_id,)).fetchone()
    except sqlite3.OperationalError:  # a store from before schema 2, opened read-only
        return report
    return annotate(report, trace(store, article_id)) if found else report


def origin_finder(store: Store) -> Callable[[int, int, int], Origin | None]:
    """``find(article_id, start, end)``: the earliest carrier in this corpus of that article's text[start:end],
    one cache shared by every call (a story report asks for many passages of the same articles)."""
    return _Tracer(store).origin
