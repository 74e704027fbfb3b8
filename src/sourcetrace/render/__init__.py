"""Renderers turn a finished :class:`~sourcetrace.models.Report` into text; they never analyse."""

from __future__ import annotations

from sourcetrace.models import Attribution, Report, Voice

VOICE_LABELS = {
    Voice.REPORTED: "reported",
    Voice.DIRECT_QUOTE: "direct quote",
    Voice.AUTHOR_ASSERTION: "author's assertion",
    Voice.AUTHOR_OPINION: "author's opinion",
    Voice.CAPTION: "caption",
    Voice.HEADLINE: "headline",
    Voice.MARKER: "block marker",
    Voice.BOILERPLATE: "boilerplate",
}


def source_label(attribution: Attribution) -> str:
    source = attribution.source
    if source is None:
        return "(no source named)"
    label = source.name
    if source.role is not None:
        label += f" ({source.role.text})"
    if source.anonymous:
        label += " [anonymous]"
    elif source.resolved_from is not None:
        label += f" [from “{source.resolved_from.text}”]"
    return label


def chain_label(attribution: Attribution) -> str:
    return " → ".join(attribution.chain)


def content_label(attribution: Attribution, limit: int = 160) -> str:
    text = " … ".join(" ".join(span.text.split()) for span in attribution.content)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_json(report: Report) -> str:
    return report.model_dump_json(indent=2)


def format_report(report: Report, fmt: str) -> str:
    """Render for the non-terminal formats; the terminal format prints through rich directly."""
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        from sourcetrace.render.markdown import render_markdown

        return render_markdown(report)
    if fmt == "html":
        from sourcetrace.render.html import render_html

        return render_html(report)
    raise ValueError(f"unknown format {fmt!r}")
