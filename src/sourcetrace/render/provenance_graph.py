"""The provenance graph drawn: an inline SVG for the HTML reports and a compact edge list for the terminal.

Input is a :class:`~sourcetrace.stories.graph.ProvenanceGraph` (built in ``stories/``); nothing is looked up
here. Layout is layered by date: one column per date, left (earlier) to right (later), undated articles in a last
column; outlets named as conduits stand in a first column of their own. Arrows follow the way text travelled:
from the earlier carrier to the later one (a ``copied_from`` edge drawn backwards), from a cited outlet to the
article citing it. The SVG is plain markup laid out here, so it reads without JavaScript and loads nothing;
every label is escaped and every id reduced to a safe alphabet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from markupsafe import Markup, escape

from sourcetrace.stories.graph import GraphEdge, GraphNode, ProvenanceGraph

NODE_W, NODE_H, GAP_X, GAP_Y, TOP, PAD = 176, 40, 46, 12, 30, 8
MAX_ARTICLES = 60  # a bigger story draws the articles with shared passages first, then the earliest others

# colour, dash pattern, legend text
EDGE_STYLES: dict[str, tuple[str, str | None, str]] = {
    "copy": ("#c0392b", None, "copied, not credited"),
    "copy_credited": ("#2e8b57", None, "copied, credited"),
    "shared_quote": ("#8a8f98", "5 3", "the same quotation of a third party"),
    "boilerplate": ("#bdbdbd", "2 3", "shared boilerplate"),
    "cited_via": ("#6b4fb0", "7 3", "names the outlet as its conduit"),
}


def edge_style(edge: GraphEdge) -> str:
    if edge.type == "copied_from":
        kind = edge.kind or "copy"
        return "copy_credited" if kind == "copy" and edge.credited else kind
    return "cited_via"


def _safe(value: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in value) or "_"


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def node_name(node: GraphNode) -> str:
    """How a reader names a node: an article by its outlet and date, an outlet by its name."""
    if node.type != "article":
        return node.label
    return f"{node.outlet or 'unknown outlet'} {node.date or 'undated'} #{node.article_id}"


def edge_phrase(edge: GraphEdge) -> str:
    if edge.type == "copied_from":
        kind = {"copy": "copy", "shared_quote": "same quotation", "boilerplate": "boilerplate"}.get(
            edge.kind or "copy", edge.kind or "copy")
        words = f", {edge.words} words" if edge.words else ""
        if (edge.kind or "copy") != "copy":
            return kind + words
        credit = f"credited (“{edge.credit}”)" if edge.credited and edge.credit else (
            "credited" if edge.credited else "not credited")
        return f"{kind}{words}, {credit}"
    return "cited as conduit" if edge.type == "cited_via" else "published by"


def _chosen(graph: ProvenanceGraph, limit: int) -> tuple[list[GraphNode], int]:
    articles = [n for n in graph.nodes if n.type == "article"]
    if len(articles) <= limit:
        return articles, 0
    linked = {e.source for e in graph.edges if e.type == "copied_from"} | {
        e.target for e in graph.edges if e.type == "copied_from"}
    ranked = sorted(articles, key=lambda n: (not n.focus, n.id not in linked, n.sort_date(), n.id))
    return ranked[:limit], len(articles) - limit


def provenance_svg(graph: ProvenanceGraph, *, href: Callable[[GraphNode], str | None] | None = None,
                   title: str = "Provenance graph", max_articles: int = MAX_ARTICLES) -> Markup:
    """The graph as one ``<svg>`` element; ``href`` gives a node's link (an anchor in the report, a page)."""
    articles, hidden = _chosen(graph, max_articles)
    if not articles:
        return Markup('<p class="muted">No articles to draw.</p>')
    drawn = {n.id for n in articles}
    # outlets get a node only when an article names them as its conduit; a publisher is written in its articles
    cited = {e.target for e in graph.edges if e.type == "cited_via" and e.source in drawn}
    outlets = sorted((n for n in graph.nodes if n.type == "outlet" and n.id in cited), key=lambda n: n.label.lower())
    # publishers are written in their articles' boxes, and a cited outlet's box names its own articles here
    edges = [e for e in graph.edges if e.type != "published_by" and e.source in drawn
             and (e.target in drawn or e.target in cited)]
    published: dict[str, list[str]] = defaultdict(list)
    for e in graph.edges:
        if e.type == "published_by" and e.source in drawn and e.target in cited:
            published[e.target].append(e.date or "undated")

    dates = sorted({n.sort_date() for n in articles})
    columns: dict[int, list[GraphNode]] = defaultdict(list)
    for node in articles:
        columns[dates.index(node.sort_date())].append(node)
    # each column in the order of its neighbours in earlier columns (a barycentre pass, left to right), so copy
    # edges cross less; nodes with no earlier neighbour after them
    neighbours: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        if e.type == "copied_from":
            neighbours[e.source].append(e.target)
            neighbours[e.target].append(e.source)
    order: dict[str, float] = {}
    column_of = {n.id: dates.index(n.sort_date()) for n in articles}
    for index in sorted(columns):
        column = columns[index]

        def key(n: GraphNode, index: int = index) -> tuple[float, str, int]:
            placed = [order[m] for m in neighbours[n.id] if m in order and column_of[m] < index]
            return (sum(placed) / len(placed) if placed else 1e9, n.outlet or n.label, n.article_id or 0)

        column.sort(key=key)
        order.update((n.id, float(r)) for r, n in enumerate(column))
    # a cited outlet stands in a band under the articles, one column before the first article citing it
    band: dict[int, list[GraphNode]] = defaultdict(list)
    first_citing = {o.id: min(dates.index(n.sort_date()) for e in edges if e.type == "cited_via" and e.target == o.id
                              for n in articles if n.id == e.source) for o in outlets}
    for outlet in outlets:
        band[max(0, first_citing[outlet.id] - 1)].append(outlet)
    n_columns = len(dates)
    tallest = max(len(c) for c in columns.values())
    band_top = TOP + tallest * (NODE_H + GAP_Y) + (12 if band else 0)
    band_rows = max((len(c) for c in band.values()), default=0)
    width = PAD * 2 + n_columns * NODE_W + (n_columns - 1) * GAP_X + 48  # room for loops on the right
    height = band_top + band_rows * (NODE_H + GAP_Y) + PAD + (18 if hidden else 0)
    where: dict[str, tuple[float, float, int]] = {}
    headers: list[str] = []
    for index, column in sorted(columns.items()):
        x = PAD + index * (NODE_W + GAP_X)
        for rank, node in enumerate(column):
            where[node.id] = (x, TOP + rank * (NODE_H + GAP_Y), index)
        date = column[0].date
        header = "undated" if date is None else (date if len(date) >= 10 else f"{date} (no day)")
        headers.append(f'<text x="{x + NODE_W / 2:.0f}" y="16" text-anchor="middle" fill="#555" '
                       f'font-size="12">{escape(header)}</text>')
    for index, column in band.items():
        x = PAD + index * (NODE_W + GAP_X)
        for rank, node in enumerate(column):
            # placed between columns index and index + 1, so its edges run rightwards
            where[node.id] = (x, band_top + rank * (NODE_H + GAP_Y), index)
    if band:
        headers.append(f'<text x="{PAD}" y="{band_top - 4}" fill="#555" font-size="11">outlets the articles name '
                       "as their conduit</text>")

    out = [f'<svg class="pgraph" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-labelledby="pgraph-title" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">',
           f'<title id="pgraph-title">{escape(title)}</title><defs>']
    for name, (colour, _, _) in EDGE_STYLES.items():
        out.append(f'<marker id="pg-arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="{colour}"/></marker>')
    out.append("</defs>")
    out += headers
    for edge in edges:
        out.append(_edge(edge, where, graph))
    for node in [*outlets, *articles]:
        node_x, node_y, _ = where[node.id]
        out.append(_node(node, node_x, node_y, href(node) if href else None, sorted(published.get(node.id, []))))
    if hidden:
        out.append(f'<text x="{PAD}" y="{height - 6}" fill="#555" font-size="12">{hidden} more article'
                   f'{"s" * (hidden != 1)} of this story not drawn (no shared passage).</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _edge(edge: GraphEdge, where: dict[str, tuple[float, float, int]], graph: ProvenanceGraph) -> str:
    style = edge_style(edge)
    colour, dash, _ = EDGE_STYLES[style]
    # drawn the way the text travelled: from the earlier carrier (or the cited outlet) to the later article
    start, end = (edge.target, edge.source) if edge.type in ("copied_from", "cited_via", "published_by") else (
        edge.source, edge.target)
    x1, y1, c1 = where[start]
    x2, y2, c2 = where[end]
    y1, y2 = y1 + NODE_H / 2, y2 + NODE_H / 2
    if c1 < c2 - 1 and edge.type == "copied_from":
        # over a column or more: bowed down into the gap under the row, not behind the boxes between
        x1, x2 = x1 + NODE_W, x2 - 2
        low = max(y1, y2) + NODE_H * 0.9 + 6 * min(c2 - c1, 6)
        path = f"M{x1:.1f},{y1:.1f} C{x1 + GAP_X:.1f},{low:.1f} {x2 - GAP_X:.1f},{low:.1f} {x2:.1f},{y2:.1f}"
        mx, my = (x1 + x2) / 2, (y1 + y2) / 8 + 3 * low / 4 + 4
    elif c1 < c2:
        x1, x2 = x1 + NODE_W, x2 - 2
        bend = (x2 - x1) / 2
        path = f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    else:  # the same column (same date) or backwards (an undated carrier): a loop on the right
        x1, x2 = x1 + NODE_W, x2 + NODE_W + 2
        loop = 34 + 8 * min(4, abs(y2 - y1) / (NODE_H + GAP_Y))
        path = f"M{x1:.1f},{y1:.1f} C{x1 + loop:.1f},{y1:.1f} {x2 + loop:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        mx, my = max(x1, x2) + loop * 0.75, (y1 + y2) / 2
    first, second = graph.node(start), graph.node(end)
    tooltip = (f"{node_name(first) if first else start} → {node_name(second) if second else end}: "
               f"{edge_phrase(edge)}{', ' + edge.date if edge.date else ''}")
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    marker = "" if edge.type == "published_by" else f' marker-end="url(#pg-arrow-{style})"'
    width = 2.2 if edge.type == "copied_from" and (edge.kind or "copy") == "copy" else 1.4
    label = ""
    if edge.type == "copied_from" and (edge.kind or "copy") == "copy":
        text = "credited" if edge.credited else "not credited"
        label = (f'<text x="{mx:.1f}" y="{my - 4:.1f}" text-anchor="middle" font-size="10" fill="{colour}" '
                 f'stroke="#fff" stroke-width="3" paint-order="stroke">{text}</text>')
    return (f'<g class="pedge e-{style}" data-from="{_safe(start)}" data-to="{_safe(end)}">'
            f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{width}"{dash_attr}{marker}/>{label}'
            f"<title>{escape(tooltip)}</title></g>")


def _node(node: GraphNode, x: float, y: float, link: str | None, own: list[str]) -> str:
    if node.type == "outlet":
        fill, stroke, ink, dash = "#f3eefc", "#6b4fb0", "#1f2430", ""
        lines = [_truncate(node.label, 27), _truncate("its text here: " + ", ".join(own), 30) if own
                 else "no text of it here"]
        tooltip = (f"{node.label}: an outlet the articles name as their conduit; "
                   + (f"its own articles above: {', '.join(own)}" if own else "none of its articles is in this graph"))
    else:
        fill, stroke, ink = ("#2f3a4c", "#2f3a4c", "#ffffff") if node.focus else ("#ffffff", "#3b5b8c", "#1f2430")
        dash = ' stroke-dasharray="4 3"' if node.outside else ""
        lines = [_truncate(f"{node.outlet or 'unknown outlet'} · {node.date or 'undated'}", 27),
                 _truncate(node.label, 30)]
        dated = f"{node.date} (date from {node.date_source or 'unknown'})" if node.date else "undated"
        tooltip = (f"{node.label} — {node.outlet or 'unknown outlet'}, {dated}, article {node.article_id}"
                   + (" (outside this story)" if node.outside else "") + (f", {node.url}" if node.url else ""))
    rx = 16 if node.type == "outlet" else 6
    body = (f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="{rx}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="1.4"{dash}/>'
            f'<text x="{x + 8}" y="{y + 16}" fill="{ink}" font-size="12" font-weight="600">{escape(lines[0])}</text>'
            f'<text x="{x + 8}" y="{y + 31}" fill="{ink}" font-size="11">{escape(lines[1])}</text>'
            f"<title>{escape(tooltip)}</title>")
    if link:
        body = f'<a href="{escape(link)}">{body}</a>'
    return f'<g class="pnode n-{node.type}" id="pg-{_safe(node.id)}">{body}</g>'


def legend_items() -> list[tuple[str, str | None, str]]:
    """(colour, dash, text) per edge style, for the HTML legend."""
    return [(colour, dash, text) for colour, dash, text in EDGE_STYLES.values()]


def graph_lines(graph: ProvenanceGraph, limit: int = 300) -> list[str]:
    """The graph as text, one edge a line, the way the text travelled ("earlier ─copy, not credited─▶ later"),
    earliest first; publisher edges are left out (each article is named by its outlet)."""
    rows = []
    for edge in graph.edges:
        if edge.type == "published_by":
            continue
        later, earlier = graph.node(edge.source), graph.node(edge.target)
        if later is None or earlier is None:
            continue
        if edge.type == "copied_from":
            line = f"{node_name(earlier)} ──{edge_phrase(edge)}──▶ {node_name(later)}"
            key = (earlier.sort_date(), later.sort_date(), 0)
        else:
            line = f"{earlier.label} (outlet) ··cited as conduit··▶ {node_name(later)}"
            key = (later.sort_date(), later.sort_date(), 1)
        if later.focus:
            line += " (this article)"
        elif earlier.focus and edge.type == "copied_from":
            line = line.replace(f"{node_name(earlier)} ──", f"{node_name(earlier)} (this article) ──", 1)
        rows.append((key, line))
    rows.sort()
    lines = [line for _, line in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"… {len(rows) - limit:,} more edges (the JSON has them all)")
    return lines
