"""A self-contained HTML report: one file, no network, readable without JavaScript and in print.

The article text is marked up from the report's character offsets. Sentences, attribution parts, entity
mentions and credibility evidence overlap and nest freely, so the markup is built from a sorted list of
span boundaries with a stack of open elements: an element that must close while others opened after it are
still open is split, and those are closed and reopened around it. That keeps the HTML well-formed whatever
the spans look like, and never touches the text itself except to escape it.

Everything the report carries is untrusted (it came from an article, possibly a hostile page): templates
autoescape, Python-built markup goes through :func:`markupsafe.escape`, ids are reduced to a safe alphabet,
and URLs become links only when they are plain http(s). A Content-Security-Policy with the hashes of the
file's own style and script blocks is the second layer: nothing else may run or load.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from sourcetrace.models import Attribution, Report, Span, Voice
from sourcetrace.render import VOICE_LABELS
from sourcetrace.render.sections import ReportSection

# One palette for the text shading (light) and the charts (strong); the CSS variables are generated from it.
VOICE_PALETTE: dict[Voice, tuple[str, str]] = {
    Voice.REPORTED: ("#dbe9fb", "#3b76c4"),
    Voice.DIRECT_QUOTE: ("#dcf2e1", "#3f9a5b"),
    Voice.AUTHOR_ASSERTION: ("#efece4", "#8f8672"),
    Voice.AUTHOR_OPINION: ("#fbe0e8", "#c74870"),
    Voice.CAPTION: ("#ebe6f7", "#8569c1"),
    Voice.HEADLINE: ("#e4e8f0", "#52607a"),
    Voice.MARKER: ("#fbefcf", "#c99520"),
    Voice.BOILERPLATE: ("#f4f4f4", "#b3b3b3"),
}
VOICE_HELP = {
    Voice.REPORTED: "the author passes on someone else's claim",
    Voice.DIRECT_QUOTE: "mostly someone else's quoted words",
    Voice.AUTHOR_ASSERTION: "a fact stated on the author's own authority",
    Voice.AUTHOR_OPINION: "the author evaluates, predicts or uses loaded language",
    Voice.CAPTION: "a caption or label apart from the prose",
    Voice.HEADLINE: "the title line",
    Voice.MARKER: "introduces a block passed on from elsewhere",
    Voice.BOILERPLATE: "byline, share prompts, stray punctuation",
}
ARTICLE_NODE = "this article"
_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]")


def render_html(report: Report, *, home_url: str | None = None, sections: Sequence[ReportSection] = ()) -> str:
    """The whole report as one HTML document; ``home_url`` adds a link back (the web app's form); ``sections``
    are added after the chains (issue 23: the article's provenance when it is in a corpus)."""
    style = "\n".join(dict.fromkeys([_css(), *(s.css for s in sections if s.css)]))
    script = _js()
    csp = "; ".join([
        "default-src 'none'",
        f"style-src '{_sha256(style)}'",
        f"script-src '{_sha256(script)}'",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ])
    article = report.article
    return _environment().get_template("report.html").render(
        report=report,
        article=article,
        style=Markup(style),
        script=Markup(script),
        csp=csp,
        home_url=home_url,
        article_href=safe_href(article.url),
        body=article_markup(report),
        legend=_legend(),
        voice_chart=voice_chart(report),
        chain_graph=chain_graph(report),
        attributions=[_attribution_view(report, a) for a in report.attributions],
        entities=sorted(report.entities, key=lambda e: (-len(e.mentions), e.name.lower())),
        outlets=report.outlets,
        credibility=report.credibility,
        evidence_id=evidence_id,
        safe_id=safe_id,
        safe_href=safe_href,
        voice_label=lambda voice: VOICE_LABELS[voice],
        sections=sections,
    )


# ---- helpers shared with the templates ---------------------------------------------------------------


def safe_id(value: str) -> str:
    """Ids from the report end up in ``id`` attributes, ``href`` fragments and space-separated lists."""
    return _SAFE_ID.sub("_", value) or "_"


def evidence_id(span: Span) -> str:
    return f"ev-{span.start}-{span.end}"


def safe_href(url: str | None) -> str | None:
    """The URL itself when it is a plain absolute http(s) URL, else None (render it as text then)."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("sourcetrace.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _template_file(name: str) -> str:
    return resources.files("sourcetrace.render").joinpath("templates", name).read_text("utf-8")


@lru_cache(maxsize=1)
def _css() -> str:
    variables = "".join(
        f"--v-{voice.value}:{shade};--v-{voice.value}-strong:{strong};"
        for voice, (shade, strong) in VOICE_PALETTE.items()
    )
    voices = "".join(f".v-{voice.value}{{background:var(--v-{voice.value})}}" for voice in VOICE_PALETTE)
    return f":root{{{variables}}}\n{voices}\n{_template_file('report.css')}"


@lru_cache(maxsize=1)
def _js() -> str:
    return _template_file("report.js")


def page_css() -> str:
    """The stylesheet, for other pages in the same look (the web app's form)."""
    return _css()


# ---- the article text --------------------------------------------------------------------------------


@dataclass
class _Mark:
    """One element over ``[start, end)``; ``layer`` orders elements that cover exactly the same text."""

    start: int
    end: int
    layer: int
    classes: str
    attrs: dict[str, str] = field(default_factory=dict)
    anchor: str | None = None  # the id goes on the first fragment only
    title: str | None = None
    continued: bool = False  # this piece goes on from an earlier paragraph

    def open_tag(self, first: bool) -> str:
        parts = [f'<span class="{escape(self.classes)}{"" if first and not self.continued else " cont"}"']
        if first and self.anchor:
            parts.append(f' id="{escape(self.anchor)}"')
        parts.extend(f' {name}="{escape(value)}"' for name, value in self.attrs.items())
        if self.title:
            parts.append(f' title="{escape(self.title)}"')
        return "".join(parts) + ">"


_LAYER_SENTENCE, _LAYER_EVIDENCE, _LAYER_CONTENT, _LAYER_SOURCE, _LAYER_CUE, _LAYER_MENTION = range(6)


def _marks(report: Report) -> tuple[list[_Mark], dict[int, list[str]]]:
    """Every element of the article body, with identical spans of one kind merged, and the attribution
    references (superscript links to the attribution list) to insert after each cue."""
    marks: list[_Mark] = []
    for sentence in report.sentences:
        marks.append(_Mark(sentence.span.start, sentence.span.end, _LAYER_SENTENCE,
                           f"s v-{sentence.voice.value}", {"data-voice": sentence.voice.value},
                           anchor=f"st-{safe_id(sentence.id)}", title=VOICE_LABELS[sentence.voice]))

    evidence: dict[tuple[int, int], list[str]] = defaultdict(list)
    if report.credibility is not None:
        for signal in report.credibility.signals:
            for span in signal.evidence:
                evidence[span.start, span.end].append(safe_id(signal.id))
    for (start, end), signals in evidence.items():
        marks.append(_Mark(start, end, _LAYER_EVIDENCE, "ev",
                           {"data-ev": f"ev-{start}-{end}", "data-sig": " ".join(dict.fromkeys(signals))},
                           anchor=f"ev-{start}-{end}"))

    # Attribution parts: the same span can serve several attributions (a conduit, a shared cue), so
    # parts are merged by (span, kind) and carry the list of attribution ids.
    parts: dict[tuple[int, int, str], list[str]] = defaultdict(list)
    refs: dict[int, list[str]] = defaultdict(list)
    for a in report.attributions:
        aid = safe_id(a.id)
        for span in a.content:
            parts[span.start, span.end, "content"].append(aid)
        if a.source is not None:
            parts[a.source.span.start, a.source.span.end, "source"].append(aid)
            if a.source.role is not None:
                parts[a.source.role.start, a.source.role.end, "role"].append(aid)
        parts[a.cue.start, a.cue.end, "cue"].append(aid)
        for conduit in a.conduits:
            parts[conduit.span.start, conduit.span.end, "conduit"].append(aid)
            parts[conduit.cue.start, conduit.cue.end, "ccue"].append(aid)
        refs[a.cue.end].append(aid)
    layers = {"content": _LAYER_CONTENT, "source": _LAYER_SOURCE, "role": _LAYER_SOURCE,
              "conduit": _LAYER_SOURCE, "cue": _LAYER_CUE, "ccue": _LAYER_CUE}
    for (start, end, kind), ids in parts.items():
        unique = list(dict.fromkeys(ids))
        marks.append(_Mark(start, end, layers[kind], f"at {kind}", {"data-a": " ".join(unique)},
                           anchor=f"{kind}-{unique[0]}" if kind == "cue" else None))

    seen: set[tuple[int, int]] = set()
    for entity in report.entities:
        for mention in entity.mentions:
            key = (mention.span.start, mention.span.end)
            if key not in seen:
                seen.add(key)
                marks.append(_Mark(key[0], key[1], _LAYER_MENTION, "m", {"data-e": safe_id(entity.id)}))
    return marks, refs


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-blank lines, as the layout stage sees paragraphs; the newlines between them are not rendered."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]


def article_markup(report: Report) -> Markup:
    """The article body as ``<p>`` elements with nested, never mis-nested, spans."""
    text = report.article.text
    marks, refs = _marks(report)
    html: list[str] = []
    anchored: set[int] = set()  # the anchor goes to a mark's first piece, even when it starts between paragraphs
    for number, (p_start, p_end) in enumerate(_paragraphs(text)):
        clipped = []
        for m in marks:
            if min(m.end, p_end) > max(m.start, p_start):
                first_piece = id(m) not in anchored
                anchored.add(id(m))
                clipped.append(_Mark(max(m.start, p_start), min(m.end, p_end), m.layer, m.classes, m.attrs,
                                     m.anchor if first_piece else None, m.title, continued=not first_piece))
        points = {pos: ids for pos, ids in refs.items() if p_start < pos <= p_end}
        html.append(f'<p id="para-{number}">')
        html.append(_nest(text, p_start, p_end, clipped, points))
        html.append("</p>\n")
    return Markup("".join(html))


def _ref_links(ids: Sequence[str]) -> str:
    return "".join(f'<a class="ref" href="#att-{aid}" data-ref="{aid}">{aid}</a>' for aid in ids)


def _nest(text: str, start: int, end: int, marks: list[_Mark], points: dict[int, list[str]]) -> str:
    """Markup for ``text[start:end]`` from a sorted boundary list and a stack of open elements."""
    opening: dict[int, list[_Mark]] = defaultdict(list)
    for mark in marks:
        opening[mark.start].append(mark)
    boundaries = sorted({start, end, *opening, *(m.end for m in marks), *points})
    stack: list[_Mark] = []
    started: set[int] = set()  # ids of marks whose first fragment was emitted
    out: list[str] = []
    for index, position in enumerate(boundaries):
        # Close what ends here; anything opened inside it that goes on is closed and reopened after.
        lowest = next((i for i, m in enumerate(stack) if m.end <= position), None)
        reopen: list[_Mark] = []
        if lowest is not None:
            for mark in reversed(stack[lowest:]):
                out.append("</span>")
                if mark.end > position:
                    reopen.append(mark)
            del stack[lowest:]
        if position in points:
            out.append(_ref_links(points[position]))
        # Outer first: the element that runs longest, then the lower layer; reopened fragments keep order.
        pending = reopen[::-1] + opening.get(position, [])
        pending.sort(key=lambda m: (-m.end, m.layer))
        for mark in pending:
            first = id(mark) not in started
            started.add(id(mark))
            out.append(mark.open_tag(first))
            stack.append(mark)
        if index + 1 < len(boundaries) and position < end:
            out.append(str(escape(text[position : boundaries[index + 1]])))
    out.extend("</span>" for _ in stack)
    return "".join(out)


# ---- panels ------------------------------------------------------------------------------------------


def _legend() -> list[dict[str, str]]:
    return [{"voice": v.value, "label": VOICE_LABELS[v], "help": VOICE_HELP[v]} for v in VOICE_PALETTE]


def _attribution_view(report: Report, a: Attribution) -> dict[str, object]:
    source = a.source
    return {
        "a": a,
        "id": safe_id(a.id),
        "source_type": source.type.value if source else "none",
        "role": source.role.text if source and source.role else None,
        "anonymous": bool(source and source.anonymous),
        "resolved_from": source.resolved_from.text if source and source.resolved_from else None,
        "content": [" ".join(span.text.split()) for span in a.content],
        "chain": a.chain,
        "nested_in": safe_id(a.nested_in) if a.nested_in else None,
        "search": " ".join([*a.chain, a.cue.text, *(span.text for span in a.content)]).lower(),
    }


def _bar_width(share: float, full: float) -> str:
    return f"{max(0.0, min(1.0, share)) * full:.1f}"


def voice_chart(report: Report) -> Markup:
    """The voice breakdown as an inline SVG: one stacked bar over the whole text, then a row per voice."""
    shares = [s for s in report.voice_breakdown if s.sentences]
    if not shares:
        return Markup('<p class="muted">No sentences.</p>')
    label_w, bar_w, row_h, top = 118.0, 130.0, 20, 34
    width = label_w + bar_w + 48
    height = top + row_h * len(shares) + 4
    out = [f'<svg class="chart" viewBox="0 0 {width:.0f} {height}" width="{width:.0f}" height="{height}" '
           'role="img" aria-labelledby="voice-chart-title" xmlns="http://www.w3.org/2000/svg">',
           '<title id="voice-chart-title">Share of the article\'s text by voice</title>']
    x = 0.0
    for share in shares:
        w = max(0.0, min(1.0, share.share)) * width
        out.append(f'<rect x="{x:.1f}" y="2" width="{w:.1f}" height="16" fill="{VOICE_PALETTE[share.voice][1]}">'
                   f"<title>{escape(VOICE_LABELS[share.voice])}: {share.share:.0%}</title></rect>")
        x += w
    for row, share in enumerate(shares):
        y = top + row * row_h
        strong = VOICE_PALETTE[share.voice][1]
        out.append(
            f'<g class="vrow" data-voice="{share.voice.value}">'
            f'<text x="0" y="{y + 13}" class="vlabel">{escape(VOICE_LABELS[share.voice])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="12" fill="#f1f1ef"/>'
            f'<rect x="{label_w}" y="{y + 3}" width="{_bar_width(share.share, bar_w)}" height="12" fill="{strong}"/>'
            f'<text x="{width - 2:.0f}" y="{y + 13}" text-anchor="end" class="vnum">{share.share:.0%}</text>'
            f"<title>{escape(VOICE_LABELS[share.voice])}: {share.sentences} sentences, "
            f"{share.characters:,} characters, {share.share:.1%}</title></g>"
        )
    out.append("</svg>")
    return Markup("".join(out))


@dataclass
class _Node:
    key: str
    name: str
    kind: str  # speaker | conduit | article | anonymous | none
    depth: int = 0
    order: float = 0.0
    attributions: list[str] = field(default_factory=list)


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chain_graph(report: Report) -> Markup:
    """All conduit chains as one left-to-right SVG graph: speakers, the outlets and people a claim passed
    through, and this article on the right. Laid out on the server so that it reads without JavaScript."""
    if not report.attributions:
        return Markup('<p class="muted">No attributions, so no chains.</p>')
    nodes: dict[str, _Node] = {ARTICLE_NODE: _Node(ARTICLE_NODE, ARTICLE_NODE, "article")}
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a in report.attributions:
        aid = safe_id(a.id)
        chain = a.chain
        keys = [name.casefold() for name in chain[:-1]] + [ARTICLE_NODE]
        for position, (key, name) in enumerate(zip(keys, chain, strict=True)):
            if key not in nodes:
                if position == 0:
                    kind = "none" if a.source is None else ("anonymous" if a.source.anonymous else "speaker")
                else:
                    conduit = a.conduits[position - 1]
                    kind = "conduit" if conduit.type.value == "outlet" else "speaker"
                nodes[key] = _Node(key, name, kind)
            node = nodes[key]
            node.depth = max(node.depth, len(keys) - 1 - position)
            if aid not in node.attributions:
                node.attributions.append(aid)
        for left, right in itertools.pairwise(keys):
            edges[left, right].append(aid)

    columns: dict[int, list[_Node]] = defaultdict(list)
    for node in nodes.values():
        columns[node.depth].append(node)
    depth_max = max(columns)
    # Order each column by where its targets sit (barycentre), right to left, then once more left to right.
    for rank, node in enumerate(columns.get(1, [])):
        node.order = rank
    targets: dict[str, list[str]] = defaultdict(list)
    origins: dict[str, list[str]] = defaultdict(list)
    for left, right in edges:
        targets[left].append(right)
        origins[right].append(left)
    for depth in range(2, depth_max + 1):
        for rank, node in enumerate(columns[depth]):
            node.order = sum(nodes[t].order for t in targets[node.key]) / len(targets[node.key]) + rank * 1e-3
        columns[depth].sort(key=lambda n: n.order)
        for rank, node in enumerate(columns[depth]):
            node.order = rank
    for depth in range(depth_max - 1, 0, -1):
        for node in columns[depth]:
            sources = [nodes[o].order for o in origins[node.key] if nodes[o].depth > depth]
            if sources:
                node.order = sum(sources) / len(sources) + node.order * 1e-3
        columns[depth].sort(key=lambda n: n.order)
        for rank, node in enumerate(columns[depth]):
            node.order = rank

    node_w, node_h, gap_x, gap_y, pad = 176, 30, 64, 12, 8
    tallest = max(len(column) for column in columns.values())
    height = pad * 2 + tallest * node_h + (tallest - 1) * gap_y
    width = pad * 2 + (depth_max + 1) * node_w + depth_max * gap_x
    positions: dict[str, tuple[float, float]] = {}
    for depth, column in columns.items():
        x = float(pad + (depth_max - depth) * (node_w + gap_x))
        column_h = len(column) * node_h + (len(column) - 1) * gap_y
        y0 = (height - column_h) / 2
        for rank, node in enumerate(sorted(column, key=lambda n: n.order)):
            positions[node.key] = (x, y0 + rank * (node_h + gap_y))

    out = [f'<svg class="graph" viewBox="0 0 {width} {height:.0f}" width="{width}" height="{height:.0f}" '
           'role="img" aria-labelledby="graph-title" xmlns="http://www.w3.org/2000/svg">',
           '<title id="graph-title">Who said it, and through whom it reached this article</title>',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
           'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L10,5L0,10z" fill="#7c8595"/></marker></defs>']
    for (left, right), ids in edges.items():
        x1, y1 = positions[left]
        x2, y2 = positions[right]
        x1, y1, x2, y2 = x1 + node_w, y1 + node_h / 2, x2 - 2, y2 + node_h / 2
        bend = (x2 - x1) / 2
        label = f"{nodes[left].name} → {nodes[right].name}: {', '.join(ids)}"
        out.append(
            f'<g class="edge" data-a="{" ".join(ids)}"><path d="M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} '
            f'{x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" fill="none" stroke="#9aa3b2" '
            f'stroke-width="{1.2 + 0.6 * min(len(ids), 4):.1f}" marker-end="url(#arrow)"/>'
            f"<title>{escape(label)}</title></g>"
        )
    fills = {"speaker": ("#ffffff", "#3b5b8c"), "anonymous": ("#ffffff", "#8a6d3b"), "none": ("#ffffff", "#999"),
             "conduit": ("#f3eefc", "#6b4fb0"), "article": ("#2f3a4c", "#2f3a4c")}
    for key, node in nodes.items():
        x, y = positions[key]
        fill, stroke = fills[node.kind]
        text_fill = "#ffffff" if node.kind == "article" else "#1f2430"
        first = node.attributions[0] if node.attributions else None
        label = _truncate(node.name, 26)
        tooltip = f"{node.name} ({node.kind}): {', '.join(node.attributions)}"
        open_link, close_link = ("", "")
        if first and node.kind != "article":
            open_link, close_link = f'<a href="#att-{first}">', "</a>"
        dash = ' stroke-dasharray="4 3"' if node.kind in ("anonymous", "none") else ""
        out.append(
            f'<g class="node n-{node.kind}" data-a="{" ".join(node.attributions)}">{open_link}'
            f'<rect x="{x}" y="{y:.1f}" width="{node_w}" height="{node_h}" rx="6" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.4"{dash}/>'
            f'<text x="{x + node_w / 2:.1f}" y="{y + node_h / 2 + 4:.1f}" text-anchor="middle" '
            f'fill="{text_fill}">{escape(label)}</text><title>{escape(tooltip)}</title>{close_link}</g>'
        )
    out.append("</svg>")
    return Markup("".join(out))
