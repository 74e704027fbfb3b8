"""The last step: each draft with its resolved source built into an ``Attribution``, its conduits (phrases, the
outlet told, the outer speakers of a nested claim) in chain order, and PolNeAR's span conventions applied."""

from __future__ import annotations

from sourcetrace.article.attribution.spans import outlet_name
from sourcetrace.article.attribution.state import COLON_AFTER, Draft, ExtractionState
from sourcetrace.models import Attribution, AttributionKind, Conduit, EntityKind, Source, SourceType, Span


def conduit_of(st: ExtractionState, start: int, end: int, cue: tuple[int, int]) -> Conduit:
    entity_id = st.index.entity_at(start, end, {EntityKind.OUTLET}) or st.index.entity_at(start, end)
    if entity_id is None:
        entity_id = described_outlet(st, start, end)
    kind = st.index.kind(entity_id) if entity_id else None
    if kind is EntityKind.OUTLET:
        conduit_type = SourceType.OUTLET
    elif kind is EntityKind.PERSON:
        conduit_type = SourceType.PERSON
    elif kind is not None:
        conduit_type = SourceType.ORGANIZATION
    else:
        conduit_type = SourceType.UNKNOWN
    name = st.index.name(entity_id) if entity_id else outlet_name(st, start, end)
    return Conduit(
        span=Span.of(st.text, start, end),
        cue=Span.of(st.text, *cue),
        entity_id=entity_id,
        name=name,
        type=conduit_type,
    )


def described_outlet(st: ExtractionState, start: int, end: int) -> str | None:
    """"the newspaper", "the agency": the outlet named last before, within three paragraphs."""
    words = st.text[start:end].lower().split()
    if len(words) != 2 or words[0] != "the" or words[1] not in st.lexicon.outlet_descriptors:
        return None
    unit = st.layout.sentence_at(start)
    for mention, _kind in st.index.mentions_before(start, {EntityKind.OUTLET}):
        before = st.layout.sentence_at(mention.span.start)
        if unit is not None and before is not None and unit.paragraph - before.paragraph <= 2:
            return mention.entity_id
        break
    return None


def with_colon(st: ExtractionState, cue: tuple[int, int]) -> tuple[int, int]:
    """The cue with a colon right after it ("said:", "tweeted :"): PolNeAR's annotators put it in the cue
    (368 of 386 such cues in train)."""
    colon = COLON_AFTER.match(st.text, cue[1])
    return (cue[0], colon.end()) if colon else cue


def with_closing_comma(st: ExtractionState, start: int, end: int) -> int:
    """The end of a source span by PolNeAR's comma convention: a source with an appositive ("X, the head of
    Y,") keeps the comma that closes it (922 of 1,029 such sources in train), a plain one ("Trump") stops
    before a comma (799 of 804)."""
    surface = st.text[start:end]
    appositive = "," in surface.rstrip().rstrip(",")
    if appositive and not surface.endswith(",") and st.text[end : end + 1] == ",":
        return end + 1
    if not appositive and surface.endswith(","):
        return end - 1
    return end


def without_final_period(st: ExtractionState, start: int, end: int) -> int:
    """PolNeAR-style contents end before the sentence's own period ("that X is weak" not "…weak.");
    a period inside the quotation marks ("…wraps.”") and an abbreviation's ("the U.S.") stay."""
    if end - start > 1 and st.text[end - 1] == "." and not st.text[end - 2].isupper():
        return end - 1
    return end


def build_attribution(
    st: ExtractionState, draft: Draft, ids: dict[int, str], sources: dict[int, Source | None]
) -> Attribution:
    conduits = [conduit_of(st, *p.noun_phrase, p.cue) for p in draft.conduits]
    if draft.told_outlet:
        conduits.insert(0, conduit_of(st, *draft.told_outlet, draft.cue))
    outer = draft.nested_in
    seen = {id(draft)}
    while outer is not None and id(outer) not in seen:
        seen.add(id(outer))
        outer_source = sources.get(id(outer))
        if outer_source is not None:
            conduits.append(
                Conduit(span=outer_source.span, cue=Span.of(st.text, *outer.cue),
                        entity_id=outer_source.entity_id, name=outer_source.name, type=outer_source.type)
            )
        conduits += [conduit_of(st, *p.noun_phrase, p.cue) for p in outer.conduits]
        outer = outer.nested_in
    content = [Span.of(st.text, s, without_final_period(st, s, e)) for s, e in draft.content]
    quoted = sum(st.layout.quoted_chars(s, e) for s, e in draft.content)
    total = sum(e - s for s, e in draft.content)
    if quoted >= 0.9 * total:
        kind = AttributionKind.DIRECT
    elif quoted > 0:
        kind = AttributionKind.MIXED
    else:
        kind = AttributionKind.INDIRECT
    sentence_ids = sorted(
        {f"s{u.index + 1}" for s, e in [*draft.content, draft.cue]
         for u in st.layout.sentences_overlapping(s, e)},
        key=lambda sid: int(sid[1:]),
    )
    return Attribution(
        id=ids[id(draft)],
        source=sources[id(draft)],
        cue=Span.of(st.text, *with_colon(st, draft.cue)),
        content=content,
        kind=kind,
        cue_type=draft.cue_type,
        conduits=conduits,
        nested_in=ids[id(draft.nested_in)] if draft.nested_in is not None else None,
        sentence_ids=sentence_ids,
        method=draft.method,
    )
