"""Helpers the passes share over characters and the parse: trimming spans, the quotation around an offset, a
noun's phrase and subject, whether a noun is a news outlet and its name, cutting a content at a conduit phrase.
They read the extraction state and never write it."""

from __future__ import annotations

import re

from spacy.tokens import Token

from sourcetrace.article.attribution.state import SUBJECT_DEPS, TRAILING, ConduitPhrase, ExtractionState
from sourcetrace.article.entities import clean_name
from sourcetrace.article.segment import Quote
from sourcetrace.models import EntityKind


def trim(st: ExtractionState, start: int, end: int) -> tuple[int, int]:
    while start < end and (st.text[start].isspace() or st.text[start] in ",;:"):
        start += 1
    while end > start and st.text[end - 1] in TRAILING + "\n\t\r":
        end -= 1
    return start, end


def quote_around(st: ExtractionState, offset: int) -> Quote | None:
    return next(iter(st.layout.quotes_in(offset, offset + 1, level=0)), None)


def in_quote(st: ExtractionState, token: Token) -> Quote | None:
    return quote_around(st, token.idx)


def noun_phrase(st: ExtractionState, noun: Token) -> tuple[int, int]:
    """A noun's phrase without the relative or participle clause that follows it ("Reuters[, which cited
    …]", "lawmakers [briefed by …]" stays: only clauses after a comma go)."""
    tokens = list(noun.subtree)
    for child in noun.children:
        if child.dep_ in ("relcl", "acl") and child.i > noun.i:
            cut = min(t.i for t in child.subtree)
            finite = any(c.dep_ in ("nsubj", "nsubjpass", "mark") for c in child.children)
            if (cut > 0 and st.doc[cut - 1].text == ",") or child.dep_ == "relcl" or finite:
                tokens = [t for t in tokens if t.i < cut]  # "told ERT [that firefighters were …]" too
    return trim(st, tokens[0].idx, tokens[-1].idx + len(tokens[-1]))


def source_like(st: ExtractionState, noun: Token) -> bool:
    """A noun that can be a claim's source: a name, unnamed people ("people familiar with …") or a document."""
    return noun.ent_type_ in ("PERSON", "ORG", "OUTLET", "NORP", "GPE") or (
        noun.lemma_.lower() in st.lexicon.anonymous_nouns or noun.lower_ in st.lexicon.conduits.cited_documents
        or noun.lower_ in st.lexicon.organisation_nouns)


def is_outlet(st: ExtractionState, noun: Token, span: tuple[int, int] | None = None) -> bool:
    """A news outlet: an outlet name (gazetteer, outlet-like name, the registry) or a noun phrase with an outlet
    word ("the Italian daily La Repubblica", "local radio station RPP"); ``span``: the phrase, when not the
    noun's own."""
    start, end = span or noun_phrase(st, noun)
    tokens = list(st.doc.char_span(start, end, alignment_mode="expand") or noun.subtree)
    if any(t.ent_type_ == "OUTLET" for t in tokens):
        return True
    entity = st.index.entity_at(start, end)
    if entity is not None and st.index.kind(entity) is EntityKind.OUTLET:
        return True
    name = outlet_name(st, start, end) if noun.pos_ == "PROPN" or noun.ent_type_ else ""
    if name and st.outlet_lookup is not None and st.outlet_lookup(name):
        return True
    has_name = any(t.pos_ == "PROPN" for t in tokens)
    phrase = st.text[start:end].lower()
    return has_name and any(re.search(rf"\b{re.escape(d)}\b", phrase) for d in st.lexicon.outlet_descriptors)


def outlet_name(st: ExtractionState, start: int, end: int) -> str:
    """The name in an outlet's noun phrase: its entity, else its capitalised words without the outlet words and
    a leading article ("the Italian daily La Repubblica" → "La Repubblica", "Bild am Sonntag newspaper")."""
    span = st.doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return clean_name(st.text[start:end])
    ents = [e for e in span.ents if e.label_ in ("OUTLET", "ORG", "PERSON", "GPE", "NORP", "WORK_OF_ART", "FAC")]
    named = [e for e in ents if e.label_ in ("OUTLET", "ORG", "WORK_OF_ART")]
    if named:
        best = max(named, key=lambda e: (e.label_ == "OUTLET", len(e.text)))
        return _without_descriptors(st, best.text)
    words = [t for t in span if t.pos_ == "PROPN" or (t.text[:1].isupper() and t.i > span.start)]
    if not words:
        return clean_name(st.text[start:end])
    # the last run of name words ("state broadcaster ERT" → ERT; "Bild am Sonntag" keeps its "am")
    runs: list[list[Token]] = [[words[0]]]
    for t in words[1:]:
        if t.i - runs[-1][-1].i <= 2 and not any(
            st.doc[k].lower_ in st.lexicon.outlet_descriptors for k in range(runs[-1][-1].i + 1, t.i)
        ):
            runs[-1].append(t)
        else:
            runs.append([t])
    run = runs[-1]
    return _without_descriptors(st, st.text[run[0].idx : run[-1].idx + len(run[-1])])


def _without_descriptors(st: ExtractionState, name: str) -> str:
    name = clean_name(name)
    words = name.split()
    while len(words) > 1 and words[-1].lower() in st.lexicon.outlet_descriptors:
        words.pop()
    while len(words) > 1 and (words[0].lower() in st.lexicon.outlet_descriptors or words[0].islower()):
        words.pop(0)
    return " ".join(words)


def content_limit(st: ExtractionState, start: int, end: int, phrases: list[ConduitPhrase]) -> tuple[int, int]:
    """Cut ``[start, end)`` so it stops before the first conduit phrase inside it."""
    for phrase in phrases:
        if start < phrase.start < end:
            end = phrase.start
        elif phrase.start <= start < phrase.end:
            start = phrase.end
    return trim(st, start, end)


def subject_of(st: ExtractionState, verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
    return None


def agent_of(verb: Token) -> Token | None:
    """The noun of a passive verb's "by" agent (its head is the "by"), also where the parser hangs the "by"
    on the verb's predicate ("was called a liar by X")."""
    bys = [c for c in verb.children if c.dep_ == "agent"] + [
        g for c in verb.children if c.dep_ == "oprd" for g in c.children if g.dep_ == "prep" and g.lower_ == "by"
    ]
    return next((noun for by in bys for noun in by.children if noun.dep_ == "pobj"), None)


def without(st: ExtractionState, pieces: list[tuple[int, int]], phrase: Token) -> list[tuple[int, int]]:
    """``pieces`` with the words of ``phrase``'s subtree cut out (a piece may fall in two)."""
    cut_start, cut_end = phrase.left_edge.idx, phrase.right_edge.idx + len(phrase.right_edge)
    kept = []
    for start, end in pieces:
        parts = [(start, end)]
        if start < cut_end and cut_start < end:
            parts = [(start, min(end, cut_start)), (max(start, cut_end), end)]
        trimmed = (trim(st, *part) for part in parts)
        kept += [(s, e) for s, e in trimmed if any(c.isalnum() for c in st.text[s:e])]
    return kept


def subtree_span(st: ExtractionState, token: Token, stop_at: list[ConduitPhrase]) -> tuple[int, int]:
    tokens = list(token.subtree)
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t) for t in tokens)
    return content_limit(st, start, end, stop_at)


def extend_over_quotes(st: ExtractionState, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A content that starts or ends inside a quotation covers the whole quotation."""
    extended = []
    for start, end in spans:
        if end <= start:
            continue
        opening = quote_around(st, start)
        if opening is not None and opening.start < start:
            start = opening.start
        closing = quote_around(st, max(start, end - 1))
        if closing is not None and closing.end > end and closing.start >= start:
            end = closing.end
        extended.append((start, end))
    return extended


def non_comment(st: ExtractionState, start: int, end: int) -> bool:
    """"declined to comment", "did not respond to a request for comment": reporting, not a claim."""
    return any(p.search(st.text, start, end) for p in st.lexicon.non_comment)
