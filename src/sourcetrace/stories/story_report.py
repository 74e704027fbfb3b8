"""One story as a report: its label, its timeline (articles by date, with outlet and title), the passages its
articles share with earlier ones (each with its earliest carrier in this corpus, credited or not) and its
provenance graph — for ``sourcetrace corpus story``, the web app's story page and ``sourcetrace demo``.

:func:`build_story_report` reads the store and returns a :class:`StoryReport` of typed data. Its ``sections`` are
made by the functions in :data:`SECTION_BUILDERS`, in order: each takes the report and the store and returns a
:class:`~sourcetrace.render.sections.ReportSection` (its data for ``--format json``, its HTML body, its text lines)
or None. **To add a part to the story report** (claims, contradictions …), write a builder in your own module and
add it to ``SECTION_BUILDERS`` here; the HTML page, the terminal and the JSON all follow.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from markupsafe import Markup

from sourcetrace.corpus.store import Store
from sourcetrace.errors import SourcetraceError
from sourcetrace.render.sections import ReportSection
from sourcetrace.stories.graph import ProvenanceGraph, story_graph
from sourcetrace.stories.provenance import Carrier, Origin, _marker, origin_finder
from sourcetrace.stories.reuse import ArticleMeta, Passage, find_credit, load_articles, outlet_name, outlet_names
from sourcetrace.stories.storage import StoryStorage, StorySummary

MAX_TRACED = 400  # passages whose earliest carrier is followed back (each a few queries); the rest list their source
MAX_SHOWN = 200  # passages listed in the HTML and on the terminal (the JSON has them all)


@dataclass
class StoryArticle:
    """One article of the story's timeline."""

    id: int
    outlet: str | None
    title: str | None
    url: str | None
    published: str | None
    date_source: str | None
    status: str  # opened | joined
    probability: float | None
    focus: bool = False  # the article the report was asked for (the demo's reference article)

    def dated(self) -> str:
        return f"{self.published} (date from {self.date_source or 'unknown'})" if self.published else "undated"


@dataclass
class StoryPassage:
    """A passage a later article shares with an earlier one, at least one of them in the story."""

    source: Carrier  # the earlier article
    target: Carrier  # the later article
    kind: str  # copy | shared_quote | boilerplate
    credited: bool
    credit: str | None
    words: int
    similarity: float
    target_start: int
    target_end: int
    lines: tuple[int, int]  # in the later article
    text: str  # the later article's words, whitespace collapsed
    marker: str | None  # the block marker before it in the later article ("Further reports:")
    dated: bool  # whether earlier → later rests on two dates
    origin: Origin | None = None  # the earliest carrier in this corpus of the later article's text
    outside: bool = False  # one of the two articles is not in the story


@dataclass
class StoryReport:
    story: StorySummary
    articles: list[StoryArticle]
    passages: list[StoryPassage]
    graph: ProvenanceGraph
    focus: int | None = None
    sections: list[ReportSection] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON: the story, then each section's data under its id (timeline, passages, graph …)."""
        out: dict[str, Any] = {"story": {"story_id": self.story.id, "label": self.story.label,
                                         "articles": self.story.n_articles, "first_date": self.story.first_date,
                                         "last_date": self.story.last_date}, "focus": self.focus}
        for section in self.sections:
            out[section.id] = section.data
        return out


# a link to an article from the report: an anchor in the one-file report, a page in the web app
ArticleLink = Callable[[int], str | None]
SectionBuilder = Callable[[StoryReport, Store, ArticleLink], ReportSection | None]


def anchor_link(article_id: int) -> str:
    return f"#art-{article_id}"


def story_of(store: Store, article_id: int) -> StorySummary | None:
    """The story an article was placed in, if the stories were grouped (``corpus stories``) and it was placed."""
    storage = StoryStorage(store)
    try:
        placed = storage.story_of(article_id)
        return storage.story(placed[0]) if placed and placed[0] is not None else None
    except sqlite3.OperationalError:  # a store from before the stories tables, opened read-only
        return None


def _story_passages(store: Store, ids: list[int]) -> list[Passage]:
    from sourcetrace.stories.reuse import _PASSAGE_COLUMNS, _passage_from_row

    found: dict[int, Passage] = {}
    for start in range(0, len(ids), 400):
        chunk = ids[start:start + 400]
        marks = ",".join("?" * len(chunk))
        try:
            rows = store.connection.execute(
                f"SELECT {_PASSAGE_COLUMNS} FROM reuse_passages WHERE source_id IN ({marks}) OR target_id IN "
                f"({marks})", [*chunk, *chunk]).fetchall()
        except sqlite3.OperationalError:  # no reuse index in a store opened read-only
            return []
        for row in rows:
            passage = _passage_from_row(row)
            found[passage.id or len(found)] = passage
    return list(found.values())


def build_story_report(store: Store, story_id: int, *, focus: int | None = None,
                       link: ArticleLink = anchor_link) -> StoryReport:
    """The report of story ``story_id`` (SourcetraceError when there is none); ``focus`` marks one article."""
    storage = StoryStorage(store)
    try:
        story = storage.story(story_id)
    except sqlite3.OperationalError:
        story = None
    if story is None:
        raise SourcetraceError(f"no story {story_id} in the store (list them: sourcetrace corpus stories)")
    timeline = storage.timeline(story_id)
    metas = load_articles(store, [e.article_id for e in timeline])
    members = sorted((metas[e.article_id] for e in timeline if e.article_id in metas), key=ArticleMeta.order_key)
    entries = {e.article_id: e for e in timeline}
    articles = [StoryArticle(m.id, outlet_name(m), m.title, m.url, m.published, m.date_source,
                             entries[m.id].status, entries[m.id].probability, m.id == focus) for m in members]
    ids = [m.id for m in members]
    found = _story_passages(store, ids)
    outside_ids = {i for p in found for i in (p.source_id, p.target_id)} - set(ids)
    others = load_articles(store, outside_ids)
    every = {m.id: m for m in members} | others
    origin = origin_finder(store)
    passages = []
    order = {m.id: m.order_key() for m in every.values()}
    found.sort(key=lambda p: (order.get(p.target_id, (True, "", 0)), p.target_start))
    for index, passage in enumerate(found):
        source, target = every.get(passage.source_id), every.get(passage.target_id)
        if source is None or target is None:
            continue
        text = target.text
        traced = (origin(target.id, passage.target_start, passage.target_end)
                  if index < MAX_TRACED and passage.kind != "boilerplate" else None)
        if passage.kind == "copy" and not passage.credited and traced and traced.earliest.id in every:
            # credited to the upstream, as trace() has it: the earliest carrier named here, in words the source
            # did not have ("according to Reuters" on a repost of a repost of Reuters)
            credit = find_credit(target, passage.target_start, passage.target_end,
                                 outlet_names(every[traced.earliest.id]),
                                 source.text[passage.source_start:passage.source_end])
            if credit:
                passage = found[index] = replace(passage, credited=True, credit_name=credit[0])
        passages.append(StoryPassage(
            source=Carrier.of(source), target=Carrier.of(target), kind=passage.kind, credited=passage.credited,
            credit=passage.credit_name, words=passage.words, similarity=passage.similarity,
            target_start=passage.target_start, target_end=passage.target_end,
            lines=(text.count("\n", 0, passage.target_start) + 1, text.count("\n", 0, passage.target_end) + 1),
            text=" ".join(text[passage.target_start:passage.target_end].split()),
            marker=_marker(text, passage.target_start), dated=passage.dated,
            origin=traced,
            outside=source.id in others or target.id in others))
    graph = story_graph(store, members, found, others, focus=focus)
    report = StoryReport(story, articles, passages, graph, focus)
    for builder in SECTION_BUILDERS:
        section = builder(report, store, link)
        if section is not None:
            report.sections.append(section)
    return report


# ---- the sections ----------------------------------------------------------------------------------------


def _timeline_section(report: StoryReport, store: Store, link: ArticleLink) -> ReportSection:
    from sourcetrace.render.story import timeline_html, timeline_lines

    return ReportSection("timeline", "Timeline", timeline_html(report.articles, link),
                         data=[asdict(a) for a in report.articles], text=tuple(timeline_lines(report.articles)))


def _passages_section(report: StoryReport, store: Store, link: ArticleLink) -> ReportSection:
    from sourcetrace.render.story import passages_html, passages_lines

    shown = report.passages[:MAX_SHOWN]
    more = len(report.passages) - len(shown)
    body = passages_html(shown, link)
    text = passages_lines(shown)
    if more:
        note = f"{more:,} more passages not shown here; --format json (or the JSON API) lists them all."
        body += Markup('<p class="note">{}</p>').format(note)
        text.append(note)
    return ReportSection("passages", "Reused passages", body, data=[_passage_data(p) for p in report.passages],
                         text=tuple(text))


def _carrier_data(carrier: Carrier) -> dict[str, Any]:
    return dict(vars(carrier))


def _passage_data(passage: StoryPassage) -> dict[str, Any]:
    """asdict() without its deep copy, which is slow over thousands of passages."""
    data = dict(vars(passage))
    data["source"], data["target"] = _carrier_data(passage.source), _carrier_data(passage.target)
    if passage.origin is not None:
        data["origin"] = {**vars(passage.origin), "earliest": _carrier_data(passage.origin.earliest),
                          "carriers": [_carrier_data(c) for c in passage.origin.carriers]}
    return data


def _graph_section(report: StoryReport, store: Store, link: ArticleLink) -> ReportSection:
    from sourcetrace.render.provenance_graph import graph_lines
    from sourcetrace.render.story import GRAPH_CSS, graph_html

    def href(node: Any) -> str | None:
        return link(node.article_id) if node.article_id is not None else None

    return ReportSection("graph", "Provenance graph", graph_html(report.graph, href,
                                                                 title=f"Provenance graph of story {report.story.id}"),
                         css=GRAPH_CSS, data=report.graph.as_dict(), text=tuple(graph_lines(report.graph)))


# The story report's sections, in order (see the module docstring). Issue 24's claims and contradictions go here.
SECTION_BUILDERS: list[SectionBuilder] = [_timeline_section, _graph_section, _passages_section]

# issue 24: the story's claims table and contradictions (sourcetrace.claims.panel)
from sourcetrace.claims.panel import story_claims_section, story_contradictions_section  # noqa: E402

SECTION_BUILDERS += [story_claims_section, story_contradictions_section]
