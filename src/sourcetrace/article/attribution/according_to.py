"""Pass 3, per sentence: the conduit phrases attached to the attribution they qualify, "according to X" as the only
cue in its clause, and the sources that "citing Y" / "which cited Y" put first in the chain."""

from __future__ import annotations

from sourcetrace.article.attribution.spans import extend_over_quotes, trim
from sourcetrace.article.attribution.state import ConduitPhrase, Draft, ExtractionState
from sourcetrace.article.segment import SentenceUnit
from sourcetrace.models import CueType


def attach_conduits(st: ExtractionState, unit: SentenceUnit, phrases: list[ConduitPhrase]) -> None:
    in_sentence = [d for d in st.drafts[st.sentence_first :] if d.sentence.index == unit.index]
    cited = [p for p in phrases if p.kind == "citing"]
    for phrase in phrases:
        if phrase.kind == "citing":
            continue
        owner = owner_of(st, phrase, in_sentence)
        source = next((c for c in cited if c.head == phrase.noun), None)  # "according to X, which cited Y"
        if owner is not None and source is None:
            while owner is not None:
                owner.conduits.append(phrase)
                owner = owner.inherited_source
            phrase.used = True
            continue
        if phrase.kind == "interview":
            continue  # "in an interview with X" with no cue of its own to qualify
        if phrase.kind == "by" and st.text[phrase.start : phrase.start + 3].lower() != "as ":
            # "published by X" with no cue in its sentence: it qualifies the paragraph's last claim
            last = next((d for d in reversed(st.drafts[: st.sentence_first]) if not d.non_comment), None)
            if last is not None and last.sentence.paragraph == unit.paragraph:
                last.conduits.append(phrase)
                phrase.used = True
            continue
        before = trim(st, unit.start, phrase.start)
        after = trim(st, max(phrase.end, source.end if source else phrase.end), unit.end)
        content = [span for span in (before, after) if span[1] - span[0] > 2]
        if not content:
            continue
        draft = Draft(cue=phrase.cue, content=extend_over_quotes(st, content),
                       cue_type=CueType.SOURCE_PHRASE, sentence=unit, source=phrase.noun_phrase)
        draft.source_root = phrase.noun
        st.drafts.append(draft)
        in_sentence.append(draft)
        phrase.used = True
    for phrase in cited:
        cite(st, phrase, in_sentence)


def cite(st: ExtractionState, phrase: ConduitPhrase, drafts: list[Draft]) -> None:
    """"…, X reported, citing Y" / "according to X, which cited Y": Y is the source, and whoever was the source
    (X) passes it on, first in the chain."""
    owner = next((d for d in drafts if d.cue[0] <= phrase.head.idx < d.cue[1]), None)
    if owner is None:  # the noun of an according-to phrase, or a reporting verb's subject
        owner = next((d for d in drafts if d.source_root is not None and d.source_root == phrase.head), None)
    if owner is None or owner.source is None or owner.cue_type is CueType.COGNITION:
        return
    noun = owner.source_root or phrase.head
    old = ConduitPhrase(owner.source[0], owner.source[1], owner.cue, owner.source, noun, noun, False,
                         kind="cited-by")
    owner.conduits.insert(0, old)
    owner.source, owner.source_root = phrase.noun_phrase, phrase.noun
    phrase.used = True


def owner_of(st: ExtractionState, phrase: ConduitPhrase, drafts: list[Draft]) -> Draft | None:
    """The attribution a conduit phrase qualifies: the one whose cue it attaches to, else the nearest."""
    drafts = [d for d in drafts if not d.non_comment]
    for draft in drafts:
        if draft.cue[0] <= phrase.head.idx < draft.cue[1]:
            return draft
    preceding = [d for d in drafts if d.cue[0] < phrase.start and not d.contains(phrase.start)]
    if preceding:
        return max(preceding, key=lambda d: d.cue[0])
    return None
