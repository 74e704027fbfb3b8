"""A Markdown report: the same sections as the terminal report, for issue trackers and wikis."""

from __future__ import annotations

from sourcetrace.models import Report, Voice
from sourcetrace.outlets.registry import label_summary
from sourcetrace.render import VOICE_LABELS, chain_label, content_label, source_label

# Article text is untrusted and a wiki may render raw HTML: every character Markdown or HTML reads as syntax is
# backslash-escaped, so the text shows as written (fuzzing found a "\\|" that split a table cell, and raw <script>
# or `code` passing through). Not "_": it never acts inside a word, and labels (low_quality) stay readable.
_MARKDOWN_SYNTAX = str.maketrans({ch: "\\" + ch for ch in "\\`*[]<>|&~"})


def _cell(text: str) -> str:
    return " ".join(text.split()).translate(_MARKDOWN_SYNTAX)


def render_markdown(report: Report) -> str:
    article = report.article
    lines = [f"# {_cell(article.title or 'Untitled article')}", ""]
    for label, value in (("Byline", article.byline), ("Date", article.date), ("Site", article.site),
                         ("URL", article.url)):
        if value:
            lines.append(f"- **{label}:** {_cell(value)}")
    if report.credibility is not None:
        lines += ["", "## In ten seconds", "", _cell(report.credibility.summary), "",
                  "| level | signal | value | explanation |", "|---|---|---|---|"]
        lines += [f"| {s.level.value} | {_cell(s.name)} | {_cell(str(s.value))} | {_cell(s.explanation)} |"
                  for s in report.credibility.signals]
    lines += ["", "## Whose voice", "", "| voice | sentences | share of text |", "|---|---:|---:|"]
    for share in report.voice_breakdown:
        if share.sentences:
            lines.append(f"| {VOICE_LABELS[share.voice]} | {share.sentences} | {share.share:.0%} |")
    lines += ["", f"## Attributions ({len(report.attributions)})", "",
              "| # | source | cue | content | kind | chain |", "|---|---|---|---|---|---|"]
    for a in report.attributions:
        nested = f" (inside {a.nested_in})" if a.nested_in else ""
        lines.append(
            f"| {_cell(a.id + nested)} | {_cell(source_label(a))} | {_cell(a.cue.text)} | {_cell(content_label(a))} "
            f"| {a.kind.value} | {_cell(chain_label(a))} |"
        )
    if report.outlets:
        lines += ["", "## Outlets", "", "| outlet | role | labels (registry) |", "|---|---|---|"]
        for outlet in report.outlets:
            labels = "; ".join(sorted({label_summary(label) for label in outlet.labels}))
            lines.append(f"| {_cell(outlet.name)} | {', '.join(r.value for r in outlet.roles)} | "
                         f"{_cell(labels) or 'not listed'} |")
    opinions = [s for s in report.sentences if s.voice is Voice.AUTHOR_OPINION]
    if opinions:
        lines += ["", "## The author's opinion", ""]
        for sentence in opinions:
            terms = ", ".join(f"“{_cell(e.span.text)}”" for e in sentence.evidence if e.span is not None)
            lines.append(f"- {_cell(sentence.span.text)}" + (f" — *{terms}*" if terms else ""))
    lines += ["", "## Entities", "", "| name | kind | also written as | mentions |", "|---|---|---|---:|"]
    for entity in report.entities:
        lines.append(
            f"| {_cell(entity.name)} | {entity.kind.value} | {_cell(', '.join(entity.aliases))} "
            f"| {len(entity.mentions)} |"
        )
    lines += ["", f"*{_cell(report.generator)}; schema {report.schema_version}*", ""]
    return "\n".join(lines)
