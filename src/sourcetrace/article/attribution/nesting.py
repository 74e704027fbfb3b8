"""Pass 5: nesting. Drops rule-found stances and unreal speech inside someone else's content, then hangs each
remaining draft inside the smallest one whose content holds its cue, so quoted words reach the article through
the outer speaker."""

from __future__ import annotations

from sourcetrace.article.attribution.state import Draft, DraftIndex, ExtractionState
from sourcetrace.models import CueType


def nest(st: ExtractionState) -> None:
    st.phase = DraftIndex(st.drafts)
    st.drafts = [d for d in st.drafts if not part_of_a_claim(st, d)]
    st.phase = DraftIndex(st.drafts)
    for inner in st.drafts:
        outers = outer_drafts(st, inner)
        if outers:
            inner.nested_in = min(outers, key=lambda d: sum(e - s for s, e in d.content))
    st.phase = None


def outer_drafts(st: ExtractionState, inner: Draft) -> list[Draft]:
    """The drafts whose content holds ``inner``'s cue, where ``inner`` does not hold theirs."""
    candidates = st.phase.holding(inner.cue[0]) if st.phase is not None else st.drafts
    return [
        d for d in candidates
        if d is not inner and not d.non_comment and d.holds(inner.cue[0]) and not inner.holds(d.cue[0])
        and inner.inherited_source is not d  # "vowed to ..., urging": one speaker, not a chain
    ]


def part_of_a_claim(st: ExtractionState, draft: Draft) -> bool:
    """A rule-found stance inside someone else's content ("Trump says [he plans to …]"), an address to
    "you" ("will you pledge …"), evidence ("[the videos show …]") or a speech act that has not happened
    ("[the country would declare …]", "[allow companies to tell …]") is part of what the outer source
    says, not a claim passed on: a chain is kept only for speech that took place ("X said Y told him").
    PolNeAR agrees: on dev, nested stances matched a gold attribution 3 % of the time; dropping the nested
    evidence and unreal speech too (17 of 72 nested speech finds) was +0.3 F1 on each role."""
    if draft.method != "rules" or not outer_drafts(st, draft):
        return False
    if draft.cue_type is CueType.COGNITION:
        return True
    if draft.source is not None and st.text[draft.source[0] : draft.source[1]].lower() == "you":
        return True
    verbs = [t for t in st.doc.char_span(*draft.cue, alignment_mode="expand") or () if t.pos_ in ("VERB", "AUX")]
    evidence = any(t.lemma_ in st.lexicon.evidence_verbs for t in verbs)
    unreal = any(c.dep_ in ("aux", "mark") and (c.tag_ == "MD" or c.lower_ == "to")
                 for t in verbs for c in t.children)
    return evidence or unreal
