"""The readable terminal report, printed with rich."""

from __future__ import annotations

import re

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sourcetrace.models import Report, Voice
from sourcetrace.outlets.registry import label_summary
from sourcetrace.render import VOICE_LABELS, chain_label, content_label, source_label

VOICE_STYLES = {
    Voice.REPORTED: "cyan",
    Voice.DIRECT_QUOTE: "green",
    Voice.AUTHOR_ASSERTION: "white",
    Voice.AUTHOR_OPINION: "magenta",
    Voice.CAPTION: "dim",
    Voice.HEADLINE: "bold",
    Voice.MARKER: "yellow",
    Voice.BOILERPLATE: "dim",
}


# Every string in a report comes from an article, and a hostile one must not drive the terminal: control
# characters (an ESC sequence can retitle the window or set the clipboard) and lone surrogates are shown as escapes,
# and no string is read as rich markup. Fuzzing found "[/]" raising MarkupError and ESC reaching the terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _visible(text: str) -> str:
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _printable(report: Report) -> Report:
    """A copy of the report with every string made safe to print (offsets are not used here)."""
    def clean(value: object) -> object:
        if isinstance(value, str):
            return _visible(value)
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        return value

    return Report.model_validate(clean(report.model_dump()))


def _row(table: Table, *cells: RenderableType) -> None:
    """A table row whose strings are plain text, never markup."""
    table.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in cells))


def _header(report: Report) -> Panel:
    article = report.article
    meta = Text()
    for label, value in (("By", article.byline), ("Date", article.date), ("Site", article.site),
                         ("URL", article.url)):
        if value:
            meta.append(f"{label}: ", style="bold").append(f"{value}\n")
    meta.append(f"{len(article.text):,} characters, {len(report.sentences)} sentences", style="dim")
    return Panel(meta, title=Text(article.title or "Untitled article", style="bold"), title_align="left")


def _voices(report: Report) -> Table:
    table = Table(title="Whose voice", title_justify="left", show_edge=False)
    table.add_column("voice")
    table.add_column("sentences", justify="right")
    table.add_column("share", justify="right")
    table.add_column("")
    for share in report.voice_breakdown:
        if share.sentences:
            bar = Text("█" * max(1, round(share.share * 40)), style=VOICE_STYLES[share.voice])
            _row(table, VOICE_LABELS[share.voice], str(share.sentences), f"{share.share:.0%}", bar)
    return table


def _attributions(report: Report) -> Table:
    table = Table(title=f"Who claims what, through whom ({len(report.attributions)} attributions)",
                  title_justify="left", show_lines=True, expand=True)
    table.add_column("#", no_wrap=True)
    table.add_column("source", ratio=2)
    table.add_column("cue", ratio=1)
    table.add_column("content", ratio=4)
    table.add_column("kind", no_wrap=True)
    table.add_column("chain to this article", ratio=2)
    for a in report.attributions:
        _row(
            table,
            a.id + (f"\nin {a.nested_in}" if a.nested_in else ""),
            source_label(a),
            a.cue.text,
            content_label(a, 240),
            a.kind.value + ("" if a.cue_type == "speech" else f"\n{a.cue_type.value}"),
            chain_label(a),
        )
    return table


def _sentences(report: Report) -> Table:
    table = Table(title="Sentences by voice", title_justify="left", show_edge=False, expand=True)
    table.add_column("#", no_wrap=True)
    table.add_column("voice", no_wrap=True)
    table.add_column("sentence", ratio=5)
    table.add_column("evidence", ratio=2)
    for sentence in report.sentences:
        evidence = ", ".join(f"“{e.span.text}”" for e in sentence.evidence if e.span is not None
                             and len(e.span.text) < 40)
        text = " ".join(sentence.span.text.split())
        _row(table, sentence.id, Text(VOICE_LABELS[sentence.voice], style=VOICE_STYLES[sentence.voice]),
                      text if len(text) < 200 else text[:199] + "…", evidence)
    return table


def _entities(report: Report) -> Table:
    table = Table(title="Entities", title_justify="left", show_edge=False, expand=True)
    table.add_column("name")
    table.add_column("kind")
    table.add_column("also written as", ratio=2)
    table.add_column("mentions", justify="right")
    for entity in report.entities:
        if entity.kind.value in ("person", "organization", "outlet") or len(entity.mentions) > 2:
            name = Text.assemble(entity.name, (f"\n{entity.role}", "dim") if entity.role else "")
            _row(table, name, entity.kind.value, ", ".join(entity.aliases), str(len(entity.mentions)))
    return table


def _outlets(report: Report) -> Table:
    table = Table(title="Outlets it leans on", title_justify="left", show_edge=False, expand=True)
    table.add_column("outlet")
    table.add_column("role")
    table.add_column("registry labels (registry)", ratio=3)
    for outlet in report.outlets:
        labels = "; ".join(sorted({label_summary(label) for label in outlet.labels})) or "not listed"
        _row(table, outlet.name, ", ".join(r.value for r in outlet.roles), labels)
    return table


def _credibility(report: Report) -> Panel | None:
    if report.credibility is None:
        return None
    styles = {"info": "green", "caution": "yellow", "warning": "bold red"}
    body = Text(report.credibility.summary + "\n")
    for signal in report.credibility.signals:
        body.append(f"\n{signal.level.value:>8} ", style=styles[signal.level.value])
        body.append(f"{signal.name}: ", style="bold").append(str(signal.value))
    return Panel(body, title="Credibility signals (each with evidence in --format json/html)", title_align="left")


def render_terminal(report: Report, console: Console) -> None:
    report = _printable(report)
    parts = [_header(report), _credibility(report), _voices(report), _attributions(report), _outlets(report),
             _sentences(report), _entities(report)]
    console.print(Group(*(part for part in parts if part is not None)))
    for warning in report.warnings:
        console.print(Text.assemble(("warning:", "yellow"), " ", warning))
