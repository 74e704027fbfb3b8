"""Speaker resolution, a stage after the passes (coreference, not attribution): every draft's source as a
``Source``, with names, titles, roles, pronouns and relative pronouns resolved to entities. What it resolves beyond
the parse is returned in ``ExtractionState.found`` (a ``SpeakerResolutions``) for the caller to apply to the entity
index; the index itself is only read here."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter

from spacy.tokens import Token

from sourcetrace.article.attribution.build import with_closing_comma
from sourcetrace.article.attribution.spans import noun_phrase, quote_around, trim
from sourcetrace.article.attribution.state import (
    PRONOUNS_PLURAL,
    PRONOUNS_RELATIVE,
    PRONOUNS_RESOLVED,
    PRONOUNS_THING,
    Draft,
    DraftIndex,
    ExtractionState,
)
from sourcetrace.article.entities import clean_name, first_names
from sourcetrace.models import EntityKind, Source, SourceType, Span


def resolve_speakers(st: ExtractionState) -> dict[int, Source | None]:
    """Every draft's source, in document order: names, titles, roles, pronouns and relative pronouns resolved
    to entities. What it resolved (mentions, roles) is recorded in ``st.found`` for the caller to apply to
    the entity index; the index itself is only read here."""
    st.phase = DraftIndex(st.drafts)
    st.by_cue = sorted(st.drafts, key=lambda d: d.cue[0])
    st.cue_starts = [d.cue[0] for d in st.by_cue]
    sources: dict[int, Source | None] = {}
    for draft in st.drafts:
        sources[id(draft)] = source_of(st, draft, sources)
    st.phase = None
    return sources


def source_of(st: ExtractionState, draft: Draft, done: dict[int, Source | None]) -> Source | None:
    if draft.inherited_source is not None:
        return done.get(id(draft.inherited_source)) or source_of(st, draft.inherited_source, done)
    if draft.source is None:
        return None
    start, end = draft.source
    text = st.text
    surface = text[start:end]
    role = role_of(st, draft, start, end)
    # with a title before the name ("Russian Deputy Defense Minister X") the name follows the role
    core = trim(st, role[1], end) if role and role[0] == start else trim(st, start, role[0] if role else end)
    root = draft.source_root
    named = appositive_name(st, root)
    if named is not None:  # "Hale's lawyer, Tom Brennan,": the appositive names whom the noun describes
        role, core = trim(st, start, named[0]), named
    lower = surface.lower().strip("“”\"' ")
    resolved_from: Span | None = None
    entity_id: str | None = None
    relative = root is not None and root.lower_ in PRONOUNS_RELATIVE and root.head.dep_ == "relcl"
    if root is not None and (relative or root.lower_ in PRONOUNS_RESOLVED) and end - start <= 5:
        if relative:  # "Mr. Obama, who said …": the relative clause hangs on its antecedent
            antecedent = root.head.head
            entity_id = st.index.entity_at(antecedent.idx, antecedent.idx + len(antecedent))
        else:
            entity_id = resolve_pronoun(st, root, draft, done)
        if entity_id is not None:
            resolved_from = Span.of(text, start, end)
            st.found.mentions.append((entity_id, start, end, "pronoun"))
    elif root is not None and root.lower_ in PRONOUNS_RELATIVE | {"who", "whom"} and end - start <= 5:
        # "…, all of which seek to …": the noun the relative clause of the cue hangs on
        cue_words = st.doc.char_span(*draft.cue, alignment_mode="expand")
        if cue_words is not None and cue_words.root.dep_ == "relcl":
            noun = cue_words.root.head
            core = noun_phrase(st, noun)
            entity_id = entity_of(st, noun, core)
            resolved_from = Span.of(text, start, end)
    elif lower.startswith("the ") and root is not None and root.pos_ == "NOUN" and "," not in surface:
        entity_id = resolve_title(st, lower[4:], root, draft) or resolve_description(st, root, start)
        if entity_id is not None:
            resolved_from = Span.of(text, start, end)
            st.found.mentions.append((entity_id, start, end, "title"))
    anonymous = is_anonymous(st, core, root)
    if entity_id is None and not anonymous:
        entity_id = entity_of(st, root if named is None else None, core)
    kind = st.index.kind(entity_id) if entity_id else None
    coordinated = root is not None and any(c.dep_ == "conj" for c in root.children)
    if anonymous:
        source_type = SourceType.ANONYMOUS
    elif coordinated:
        source_type = SourceType.GROUP
    elif kind is EntityKind.PERSON:
        source_type = SourceType.PERSON
    elif kind is EntityKind.OUTLET:
        source_type = SourceType.OUTLET
    elif kind in (EntityKind.ORGANIZATION, EntityKind.PLACE):
        source_type = SourceType.ORGANIZATION
    elif kind is EntityKind.GROUP:
        source_type = SourceType.GROUP
    else:
        source_type = SourceType.UNKNOWN
    if entity_id and role and kind is EntityKind.PERSON:
        st.found.set_role(entity_id, text[role[0] : role[1]])
    if coordinated and root is not None:
        entity_id = None
        subtree = list(root.subtree)
        core = trim(st, subtree[0].idx, subtree[-1].idx + len(subtree[-1]))
    name = st.index.name(entity_id) if entity_id else clean_name(text[core[0] : core[1]]) or surface
    name = without_descriptor(st, name, core, kind)
    return Source(
        span=Span.of(text, start, with_closing_comma(st, start, end)),
        entity_id=entity_id,
        name=name,
        type=source_type,
        anonymous=anonymous,
        role=Span.of(text, *role) if role else None,
        resolved_from=resolved_from,
    )


def without_descriptor(st: ExtractionState, name: str, core: tuple[int, int], kind: EntityKind | None) -> str:
    """A name without the common nouns that describe it ("utility [Florida Power & Light]", "Engine maker
    [Pratt & Whitney]", "communications regulator [Ofcom]", "Juror [Linda Smith]")."""
    words = name.split()
    if kind is EntityKind.PERSON:
        names = first_names()
        if (len(words) >= 3 and words[0].lower() not in names and words[1].lower() in names
                and all(w[:1].isalpha() for w in words)):
            return " ".join(words[1:])
        return name
    span = st.doc.char_span(*core, alignment_mode="expand") if core[0] < core[1] else None
    if span is None or len(span) < 2 or span[-1].pos_ != "PROPN":
        return name
    nouns = [t.i for t in span if t.pos_ == "NOUN" and t.text.islower()]
    if not nouns or nouns[-1] == span[-1].i:
        return name
    rest = st.doc[nouns[-1] + 1 : span.end]
    if not rest.text[:1].isupper() or not all(
            t.text[:1].isupper() or t.pos_ in ("CCONJ", "PUNCT", "NUM") for t in rest):
        return name
    trimmed = clean_name(rest.text)
    return trimmed if trimmed and (name.endswith(trimmed) or len(words) > len(trimmed.split())) else name


def entity_of(st: ExtractionState, root: Token | None, core: tuple[int, int]) -> str | None:
    """The entity a source names: the one whose mention holds the source's head word ("[Britain]'s environment
    department" names no entity, "utility [Florida Power & Light]" does); without a head word, the longest
    mention inside ``core``, a person first."""
    if root is None or not (core[0] <= root.idx < core[1]):
        return st.index.entity_at(core[0], core[1], {EntityKind.PERSON}) or st.index.entity_at(*core)
    ent = st.entity_spans.get(root.i)
    if ent is None:
        return None
    start, end = max(core[0], ent[0]), min(core[1], ent[1])
    return st.index.entity_at(start, end, {EntityKind.PERSON}) or st.index.entity_at(start, end)


def appositive_name(st: ExtractionState, root: Token | None) -> tuple[int, int] | None:
    """The span of a person's name in apposition to a source noun that names no one ("the army chief, Abdel
    Fattah al-Burhan,")."""
    if root is None or root.i in st.entity_spans or root.pos_ != "NOUN":
        return None
    for child in root.children:
        if child.dep_ == "appos" and child.ent_type_ == "PERSON":
            return st.entity_spans[child.i]
    return None


def resolve_description(st: ExtractionState, root: Token, start: int) -> str | None:
    """"the company said", "the newspaper reported": the organisation or outlet of that kind named last before,
    within three paragraphs."""
    if root.lower_ not in st.lexicon.organisation_nouns:
        return None
    unit = st.layout.sentence_at(start)
    kinds = {EntityKind.ORGANIZATION, EntityKind.OUTLET}
    outlet_word = root.lower_ in st.lexicon.outlet_descriptors
    fitting: list[str] = []
    for mention, kind in st.index.mentions_before(start, kinds):
        before = st.layout.sentence_at(mention.span.start)
        if unit is None or before is None or unit.paragraph - before.paragraph > 2:
            break
        if (mention.resolved_from is None and (kind is EntityKind.OUTLET) == outlet_word
                and (before.start, before.end) not in st.layout.datelines):  # not the "(Reuters)" dateline
            if root.lower_ in st.index.name(mention.entity_id).lower():
                return mention.entity_id  # "the commission" → the Electoral Commission
            fitting.append(mention.entity_id)
    return fitting[0] if fitting else None


def role_of(st: ExtractionState, draft: Draft, start: int, end: int) -> tuple[int, int] | None:
    """An appositive ('X, the head of Y') or the title words before a person's name."""
    root = draft.source_root
    if root is None:
        return None
    for child in root.children:
        if child.dep_ == "appos" and child.pos_ != "NUM":  # "Smith, 54,": an age is not a role
            tokens = list(child.subtree)
            role = trim(st, tokens[0].idx, min(end, tokens[-1].idx + len(tokens[-1])))
            if role[1] > role[0]:  # found by fuzzing ("he : The"): an appositive past the source gave span 5-2
                return role
    name_tokens = [t for t in root.subtree if t.ent_type_ == "PERSON"]
    if name_tokens and name_tokens[0].idx > start:
        title = trim(st, start, name_tokens[0].idx)
        if title[1] > title[0] and st.text[title[0] : title[1]].lower() not in ("the", "a", "an"):
            return title
    return None


def is_anonymous(st: ExtractionState, core: tuple[int, int], root: Token | None) -> bool:
    if root is None or st.index.entity_at(core[0], core[1], {EntityKind.PERSON}):
        return False
    # unnamed people are anonymous whoever they work for ("analysts at the IFPRI", "a Pentagon official"); a
    # person's name in the phrase makes them named
    return root.lemma_.lower() in st.lexicon.anonymous_nouns and not any(
        t.ent_type_ == "PERSON" and t.i != root.i for t in root.subtree)


def resolve_pronoun(st: ExtractionState, pronoun: Token, draft: Draft, done: dict[int, Source | None]) -> str | None:
    """The nearest earlier speaker (preferred) or mention of a fitting kind within the last three paragraphs;
    ``done`` holds the sources already built, in document order."""
    if pronoun.lower_ in PRONOUNS_PLURAL:
        kinds = {EntityKind.ORGANIZATION, EntityKind.OUTLET, EntityKind.GROUP, EntityKind.PLACE}
    elif pronoun.lower_ in PRONOUNS_THING:
        kinds = {EntityKind.ORGANIZATION, EntityKind.OUTLET}
    else:
        kinds = {EntityKind.PERSON}
    clash = {"he": "female", "him": "female", "she": "male", "her": "male"}.get(pronoun.lower_)

    # inside a quotation, "he" is someone the quoted speaker talks about, never the speaker
    quoted_speaker = None
    if quote_around(st, pronoun.idx) is not None:
        holders = st.phase.holding(pronoun.idx, scope=False) if st.phase is not None else st.drafts
        quoting = next((d for d in holders if d is not draft and d.contains(pronoun.idx)), None)
        outer = done.get(id(quoting)) if quoting is not None else None
        quoted_speaker = outer.entity_id if outer is not None else None

    def agrees(entity_id: str | None) -> bool:
        return (entity_id is not None and entity_id != quoted_speaker
                and st.index.kind(entity_id) in kinds
                and (clash is None or st.index.gender(entity_id) != clash))

    paragraph = draft.sentence.paragraph
    by_cue = st.by_cue or sorted(st.drafts, key=lambda d: d.cue[0])
    k = bisect_left([d.cue[0] for d in by_cue], pronoun.idx) if not st.by_cue else bisect_left(
        st.cue_starts, pronoun.idx)
    for earlier in reversed(by_cue[:k]):
        if paragraph - earlier.sentence.paragraph > 2:
            break  # drafts in cue order: every earlier one is farther still
        if quote_around(st, earlier.cue[0]) is not None:
            continue  # a speaker quoted by someone else is not a participant of the narrative
        if earlier.source is not None:
            # an earlier pronoun source counts as the entity it was resolved to ("he told …; he noted")
            resolved = done.get(id(earlier))
            entity = resolved.entity_id if resolved is not None else st.index.entity_at(*earlier.source, kinds)
            if agrees(entity):
                return entity
    earlier_mentions = st.index.mentions_before(pronoun.idx, kinds)
    for mention, _kind in earlier_mentions:
        unit = st.layout.sentence_at(mention.span.start)
        if unit is not None and paragraph - unit.paragraph <= 2 and agrees(mention.entity_id):
            return mention.entity_id
    if clash is None:
        return None
    # a profile keeps saying "she" long after the name: the article's clearly dominant person of that gender
    counts = Counter(m.entity_id for m, _ in earlier_mentions)
    ranked = [(entity, n) for entity, n in counts.most_common() if agrees(entity)][:2]
    if ranked and ranked[0][1] >= 3 and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]):
        return ranked[0][0]
    return None


def resolve_title(st: ExtractionState, title: str, root: Token, draft: Draft) -> str | None:
    """'the minister said' → the person introduced with that title (ending in that noun), if exactly one was."""
    words = {w for w in title.split() if len(w) > 2}
    if not words:
        return None
    head = root.lower_
    matches = {
        cluster_id
        for cluster_id, cluster in st.index.clusters.items()
        if cluster.kind is EntityKind.PERSON
        and (role := st.found.role(cluster_id, cluster.role))
        and words <= {w.lower().strip(".,") for w in role.split()}
        and role.split()[-1].lower().strip(".,") == head
        and cluster.mentions[0].span.start < draft.cue[0]
    }
    return matches.pop() if len(matches) == 1 else None
