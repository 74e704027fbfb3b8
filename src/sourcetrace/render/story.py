"""Provenance in the reports: the story report (one self-contained HTML file, or the terminal) and the
provenance section of an article's HTML report.

They take the typed objects ``stories/`` builds (:class:`~sourcetrace.stories.story_report.StoryReport`,
:class:`~sourcetrace.stories.provenance.Trace`, :class:`~sourcetrace.stories.graph.ProvenanceGraph`) and only
lay them out. Everything from an article is untrusted: HTML goes through jinja2's autoescape or
:func:`markupsafe.escape`, links only to plain http(s) URLs or the report's own anchors, and the page carries a
Content-Security-Policy with the hash of its one style block (no script).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from markupsafe import Markup, escape
from rich.console import Console
from rich.markup import escape as rich_escape

from sourcetrace.render.provenance_graph import graph_lines, legend_items, provenance_svg
from sourcetrace.render.sections import ReportSection
from sourcetrace.stories.graph import GraphNode, ProvenanceGraph
from sourcetrace.stories.provenance import Trace, describe_passage, describe_taken

if TYPE_CHECKING:
    from sourcetrace.stories.storage import StorySummary
    from sourcetrace.stories.story_report import StoryArticle, StoryPassage, StoryReport

GRAPH_CSS = """
.pgraph-wrap{overflow-x:auto;background:#fff;border:1px solid #e3e1da;border-radius:8px;padding:.6rem}
.pgraph{display:block;max-width:100%;height:auto}
.plegend{list-style:none;display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;padding:0;margin:.5rem 0;font-size:.82rem}
.plegend svg{vertical-align:middle;margin-right:.3rem}
.pedges{font-size:.85rem}
.pedges li{margin:.15rem 0}
"""
TABLE_CSS = """
table.ptable{border-collapse:collapse;width:100%;font-size:.9rem}
.ptable th,.ptable td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #e3e1da}
.ptable tr.focus td{background:#fff6d6}
.ptable .nc{color:#b03a2e;font-weight:600}
.ptable .cr{color:#2e7d4f;font-weight:600}
.ptable q{font-family:Georgia,serif}
ul.pblocks li{margin:.4rem 0}
.pblocks .nc{color:#b03a2e;font-weight:600}
"""


def _date(published: str | None) -> str:
    if not published:
        return "undated"
    return published if len(published) >= 10 else f"{published} (no day)"


def _link(href: str | None, text: str) -> Markup:
    if not href:
        return Markup(escape(text))
    return Markup('<a href="{}">{}</a>').format(href, text)


def _external(url: str | None) -> Markup:
    from sourcetrace.render.html import safe_href

    if not url:
        return Markup("")
    safe = safe_href(url)
    if safe is None:
        return Markup('<span class="muted">{}</span>').format(url)
    return Markup('<a href="{}" rel="noopener noreferrer nofollow" class="ext">{}</a>').format(safe, url)


def _page(href: str | None) -> str | None:
    """A link to another page (the web app's article page); an anchor to the row itself is no link."""
    return href if href and not href.startswith("#") else None


def _snippet(text: str, limit: int = 220) -> str:
    """A passage for ``<q>`` (which adds its own quotation marks): its own outer marks dropped, cut at ``limit``."""
    text = text.strip().strip("\"“”‘’'").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- the graph ------------------------------------------------------------------------------------------


def graph_html(graph: ProvenanceGraph, href: Callable[[GraphNode], str | None] | None = None, *,
               title: str = "Provenance graph") -> Markup:
    """The SVG, its legend and the same edges as a list (for print and screen readers)."""
    legend = []
    for colour, dash, text in legend_items():
        dash_attr = Markup(' stroke-dasharray="{}"').format(dash) if dash else Markup("")
        legend.append(Markup('<li><svg width="34" height="10" aria-hidden="true"><line x1="1" y1="5" x2="33" y2="5" '
                             'stroke="{}" stroke-width="2"{}/></svg>{}</li>').format(colour, dash_attr, text))
    edges = graph_lines(graph)
    listing = Markup("").join(Markup("<li>{}</li>").format(line) for line in edges)
    return Markup(
        '<div class="pgraph-wrap">{svg}</div><ul class="plegend">{legend}</ul>'
        '<p class="note">Columns are dates, earlier on the left; arrows run the way the text travelled, from the '
        'earlier carrier to the later article. Dark: the article this report is about; dashed: outside the story. '
        'Dates are as stored (a month-only date stands after that month\'s days); "earliest" always means earliest '
        'seen in this corpus.</p>'
        '<details class="pedges"><summary>The {n} edges as text</summary><ul>{listing}</ul></details>'
    ).format(svg=provenance_svg(graph, href=href, title=title), legend=Markup("").join(legend), n=len(edges),
             listing=listing)


# ---- the story report's sections --------------------------------------------------------------------------


def timeline_html(articles: Sequence[StoryArticle], link: Callable[[int], str | None]) -> Markup:
    rows = []
    for a in articles:
        focus = Markup(' class="focus"') if a.focus else Markup("")
        rows.append(Markup('<tr id="art-{id}"{focus}><td>{date}</td><td>{outlet}</td><td>{title}{url}</td>'
                           '<td>{how}</td></tr>').format(
            id=a.id, focus=focus, date=a.dated(), outlet=a.outlet or "unknown outlet",
            title=_link(_page(link(a.id)), a.title or "(untitled)"),
            url=Markup("<br>") + _external(a.url) if a.url else Markup(""),
            how=("this article · " if a.focus else "") + (
                f"joined (p = {a.probability:.2f})" if a.status == "joined" and a.probability is not None
                else a.status)))
    return Markup('<table class="ptable"><thead><tr><th scope="col">Date</th><th scope="col">Outlet</th>'
                  '<th scope="col">Title</th><th scope="col">Placed</th></tr></thead><tbody>{}</tbody></table>'
                  '<p class="note">In date order (undated last). "Placed": how the online clusterer put the article in '
                  'this story, opening it or joining it with that probability.</p>').format(Markup("").join(rows))


def timeline_lines(articles: Sequence[StoryArticle]) -> list[str]:
    return [f"{_date(a.published):<18} {a.outlet or 'unknown outlet'} — {a.title or '(untitled)'} (#{a.id})"
            + ("  ◀ this article" if a.focus else "") for a in articles]


def _credit(p: StoryPassage) -> Markup:
    if p.kind != "copy":
        return Markup('<span class="muted">{}</span>').format(
            "same quotation of a third party" if p.kind == "shared_quote" else "boilerplate")
    if p.credited:
        return Markup('<span class="cr">credited</span> (“{}”)').format(p.credit or "")
    return Markup('<span class="nc">not credited</span>')


def passages_html(passages: Sequence[StoryPassage], link: Callable[[int], str | None]) -> Markup:
    if not passages:
        return Markup('<p class="muted">No passage of this story is found in another article of the corpus.</p>')
    rows = []
    for p in passages:
        where = f"lines {p.lines[0]}–{p.lines[1]}" if p.lines[0] != p.lines[1] else f"line {p.lines[0]}"
        if p.marker:
            where = f"{p.marker} {where}"
        origin = Markup("")
        if p.origin is not None:
            origin = Markup("<br><span class=\"muted\">earliest seen in this corpus: {} ({}), confidence {}</span>"
                            ).format(p.origin.earliest.outlet or f"article {p.origin.earliest.id}",
                                     _date(p.origin.earliest.published), p.origin.confidence)
        rows.append(Markup('<tr><td>{earlier}<br><span class="muted">{edate}</span></td><td>{later}<br>'
                           '<span class="muted">{ldate} · {where}</span></td><td>{credit}{origin}</td>'
                           '<td><q>{text}</q> <span class="muted">({words} words{outside})</span></td></tr>').format(
            earlier=_link(link(p.source.id), p.source.outlet or f"article {p.source.id}"),
            edate=_date(p.source.published),
            later=_link(link(p.target.id), p.target.outlet or f"article {p.target.id}"),
            ldate=_date(p.target.published), where=where, credit=_credit(p), origin=origin,
            text=_snippet(p.text), words=p.words, outside=", one article outside this story" if p.outside else ""))
    return Markup('<table class="ptable"><thead><tr><th scope="col">Earlier</th><th scope="col">Later</th>'
                  '<th scope="col">Credit</th><th scope="col">Passage (as the later article has it)</th></tr></thead>'
                  '<tbody>{}</tbody></table>').format(Markup("").join(rows))


def passages_lines(passages: Sequence[StoryPassage]) -> list[str]:
    out = []
    for p in passages:
        # one reader's phrase per kind (the raw kind beside it read "boilerplate, boilerplate"), and the
        # articles' numbers: one outlet's articles are otherwise told apart by nothing
        if p.kind == "copy":
            kind = f"copy, credited (“{p.credit}”)" if p.credited else "copy, NOT credited"
        else:
            kind = "same quotation of a third party" if p.kind == "shared_quote" else "boilerplate"
        lines = f"lines {p.lines[0]}–{p.lines[1]}" if p.lines[0] != p.lines[1] else f"line {p.lines[0]}"
        out.append(f"{p.target.outlet or 'article'} #{p.target.id} {_date(p.target.published)} "
                   f"{(p.marker + ' ') if p.marker else ''}{lines} ← {p.source.outlet or 'article'} #{p.source.id}"
                   f" {_date(p.source.published)}: {kind}, {p.words} words")
        if p.origin is not None and p.origin.earliest.id != p.source.id:
            out.append(f"    earliest seen in this corpus: {p.origin.earliest.describe()}")
    return out


# ---- the story report ----------------------------------------------------------------------------------


def render_story_html(report: StoryReport, *, home_url: str | None = None) -> str:
    """The story report as one self-contained HTML document: its sections in order, nothing loaded."""
    from sourcetrace.render.html import _environment, _sha256, page_css

    css = [page_css(), TABLE_CSS]
    for section in report.sections:
        if section.css and section.css not in css:
            css.append(section.css)
    style = "\n".join(css)
    csp = f"default-src 'none'; style-src '{_sha256(style)}'; img-src data:; base-uri 'none'; form-action 'none'"
    focus = next((a for a in report.articles if a.focus), None)
    return _environment().get_template("story.html").render(
        report=report, story=report.story, style=Markup(style), csp=csp, home_url=home_url, focus=focus,
        span=_articles_span(report.articles), sections=report.sections)


def _span(story: StorySummary) -> str:
    if not story.first_date:
        return "undated"
    if story.first_date == story.last_date:
        return story.first_date
    return f"{story.first_date} – {story.last_date}"


def _articles_span(articles: Sequence[StoryArticle]) -> str:
    """First and last date as the articles have them (in date order: a month-only date after that month's days),
    and how many are undated."""
    dated = [a.published for a in articles if a.published]
    undated = len(articles) - len(dated)
    span = "undated" if not dated else (_date(dated[0]) if dated[0] == dated[-1] else
                                        f"{_date(dated[0])} – {_date(dated[-1])}")
    return span + (f", {undated} undated" if undated and dated else "")


def render_story_text(report: StoryReport, console: Console, *, sections: Sequence[str] | None = None) -> None:
    """The story report on the terminal: the same sections (or those with these ids), as their text lines."""
    story = report.story
    console.print(f"[bold]Story {story.id}[/]: {rich_escape(story.label)}", highlight=False)
    console.print(f"{story.n_articles} article{'s' * (story.n_articles != 1)}, {_articles_span(report.articles)}",
                  highlight=False)
    for section in report.sections:
        if sections is not None and section.id not in sections:
            continue
        console.print()
        console.print(f"[bold]{rich_escape(section.title)}[/]", highlight=False)
        if not section.text:
            console.print("  (none)", style="dim")
        for line in section.text:
            console.print(f"  {rich_escape(line)}", highlight=False, soft_wrap=True)


# ---- the article report's provenance section ------------------------------------------------------------


def article_provenance_section(result: Trace, graph: ProvenanceGraph, *, story: StorySummary | None = None,
                               story_href: str | None = None,
                               link: Callable[[int], str | None] | None = None) -> ReportSection:
    """The provenance section of an article's HTML report: its story, its copied blocks (where, from whom, the
    earliest carrier, credited or not), the passages later articles took from it, and its provenance graph."""
    parts: list[Markup] = []
    if story is not None:
        parts.append(Markup('<p>This article belongs to story {id}: <strong>{label}</strong> ({n} articles).'
                            ' {more}</p>').format(
            id=story.id, label=story.label, n=story.n_articles,
            more=_link(story_href, "The story report: timeline, reused passages, graph.") if story_href else
            Markup("Its story report: <code>sourcetrace corpus story {} --format html</code>.").format(story.id)))
    incoming = [p for p in result.passages if p.role == "copied_from"]
    outgoing = [p for p in result.passages if p.role == "copied_by"]
    if incoming:
        items = []
        for p in incoming:
            state = Markup("")
            if p.kind == "copy" and not p.credited:
                state = Markup('<span class="nc">not credited</span> · ')
            origin = Markup("")
            if p.origin is not None:
                origin = Markup('<br><span class="muted">earliest seen in this corpus: {} — confidence {} ({})'
                                '</span>').format(p.origin.earliest.describe(), p.origin.confidence, p.origin.note)
            items.append(Markup('<li>{state}{line}{origin}<br><q>{text}</q></li>').format(
                state=state, line=describe_passage(p), origin=origin, text=_snippet(" ".join(p.text.split()))))
        parts.append(Markup('<h3>Passages found in earlier articles ({n})</h3><ul class="pblocks">{items}</ul>')
                     .format(n=len(incoming), items=Markup("").join(items)))
    else:
        parts.append(Markup('<p class="muted">No passage of this article is found in an earlier article of the '
                            'corpus.</p>'))
    if outgoing:
        items = [Markup("<li>{}</li>").format(describe_taken(p)) for p in outgoing]
        parts.append(Markup('<h3>Passages later articles took from it ({n})</h3><ul class="pblocks">{items}</ul>')
                     .format(n=len(outgoing), items=Markup("").join(items)))
    traced = [a for a in result.attributions if a.origin is not None]
    if traced:
        items = [Markup("<li>{chain}: <q>{content}</q><br><span class=\"muted\">earliest seen in this corpus: {origin}"
                        ", {credit}</span></li>").format(
            chain=" → ".join(a.chain), content=_snippet(a.content, 140),
            origin=a.origin.earliest.describe() if a.origin else "",
            credit=f"credited (“{a.credit}”)" if a.credited else "not credited to it") for a in traced]
        parts.append(Markup('<details><summary>Attributed claims whose words are found in earlier articles ({n})'
                            '</summary><ul class="pblocks">{items}</ul></details>').format(
            n=len(traced), items=Markup("").join(items)))

    def href(node: GraphNode) -> str | None:
        return link(node.article_id) if link and node.article_id is not None and not node.focus else None

    parts.append(Markup("<h3>Provenance graph</h3>"))
    parts.append(graph_html(graph, href, title="Provenance graph of this article"))
    return ReportSection("provenance", "In the corpus: copied passages and provenance", Markup("").join(parts),
                         css=GRAPH_CSS + TABLE_CSS)
