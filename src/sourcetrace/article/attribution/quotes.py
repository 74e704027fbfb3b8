"""Passes 3b and 4, per paragraph: a speaker name before a colon ("PENCE: Well, look…"), and quotations nobody
has claimed yet, which continue the nearest earlier speaker's quotation."""

from __future__ import annotations

from sourcetrace.article.attribution.spans import trim
from sourcetrace.article.attribution.state import COLON_SPEAKER, Draft, DraftIndex, ExtractionState
from sourcetrace.models import CueType, EntityKind


def colon_speakers(st: ExtractionState) -> None:
    """A paragraph opening with a short speaker name and a colon ("PENCE: Well, look…", "Pat Caddell:
    Democrat voters worried…") attributes the rest of the paragraph to that speaker."""
    for paragraph in st.layout.paragraphs:
        match = COLON_SPEAKER.match(st.text, paragraph.start, paragraph.end)
        if match is None or any(p.search(st.text[paragraph.start : paragraph.end]) for p in st.lexicon.markers):
            continue
        name_start, name_end = match.span("name")
        named = st.index.entity_at(name_start, name_end, {EntityKind.PERSON, EntityKind.ORGANIZATION,
                                                             EntityKind.OUTLET})
        if named is None and not st.text[name_start:name_end].isupper():
            continue  # "Update: …", "Note: …" — a label, not a speaker
        if any(d.cue[0] >= paragraph.start and d.cue[0] < paragraph.end for d in st.drafts
               if d.cue_type is CueType.SPEECH and d.cue[0] < match.end("colon") + 40):
            continue
        unit = st.layout.sentence_at(match.start("content"))
        if unit is None:
            continue
        st.drafts.append(Draft(cue=match.span("colon"), content=[trim(st, match.start("content"),
                                                                               paragraph.end)],
                                  cue_type=CueType.SPEECH, sentence=unit, source=(name_start, name_end)))


def continue_quotes(st: ExtractionState) -> None:
    claimed = DraftIndex(st.drafts)  # a quote appended below holds no other top-level quote
    by_paragraph: dict[int, list[Draft]] = {}
    for draft in st.drafts:
        by_paragraph.setdefault(draft.sentence.paragraph, []).append(draft)
    for quote in st.layout.quotes:
        if quote.level != 0 or claimed.holding(quote.start + 1, scope=False):
            continue
        unit = st.layout.sentence_at(quote.start)
        if unit is None:
            continue
        nearby = [d for k in range(unit.paragraph - 1, unit.paragraph + 2) for d in by_paragraph.get(k, [])]
        previous = [
            d
            for d in nearby
            if not d.non_comment and d.content[0][0] < quote.start
            and unit.paragraph - d.sentence.paragraph <= 1
            and st.layout.quoted_chars(d.content[-1][0], d.content[-1][1]) > 0
        ]
        if previous:
            owner = max(previous, key=lambda d: d.content[-1][1])
            owner.content.append((quote.start, quote.end))
