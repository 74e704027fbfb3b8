"""Pass 4c: a content never crosses a paragraph unless a quotation (or a colon-announced block) carries it on."""

from __future__ import annotations

from sourcetrace.article.attribution.spans import quote_around, trim
from sourcetrace.article.attribution.state import ExtractionState


def within_paragraphs(st: ExtractionState) -> None:
    """Cut every content piece at the end of its paragraph; a piece (or its rest) in a later paragraph than the
    cue's stays only where it opens inside a quotation (a quote continued in the next paragraph)."""
    for draft in st.drafts:
        home = draft.sentence.paragraph
        kept: list[tuple[int, int]] = []
        for start, end in draft.content:
            introduced = False  # a block announced by a colon ("the following tasks:") runs on
            while start < end:
                paragraph = st.layout.paragraph_at(start)
                stop = min(end, paragraph.end) if paragraph is not None else end
                if (paragraph is None or paragraph.index == home or introduced
                        or quote_around(st, start) is not None or st.text.startswith("''", start)):
                    kept.append(trim(st, start, stop))
                introduced = introduced or st.text[start:stop].rstrip().endswith(":")
                nxt = st.layout.paragraph_after(stop)
                start = max(stop, nxt.start) if nxt is not None else end
        kept = [(s, e) for s, e in kept if any(c.isalnum() for c in st.text[s:e])]
        draft.content = kept or draft.content
