"""Pass 1, per sentence: the conduit phrases ("according to X", "as reported by X", "in an interview with X",
"…, citing Y"). They come first so that the contents the later passes find stop before them."""

from __future__ import annotations

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from sourcetrace.article.attribution.spans import is_outlet, noun_phrase, source_like, subject_of, trim
from sourcetrace.article.attribution.state import PRONOUNS_RELATIVE, ConduitPhrase, ExtractionState


def conduit_phrases(st: ExtractionState, sent: SpacySpan) -> list[ConduitPhrase]:
    """"according to X", "as reported by X", "in an interview with X", "speaking to X" (an outlet), and the
    sources cited by a reporting verb or an according-to noun ("…, X reported, citing Y", "according to X,
    which cited Y", "X said, quoting Y"): each with its noun phrase, the word it hangs on and its kind."""
    words = st.lexicon.conduits
    phrases = []
    for token in sent:
        pobj: Token | None = None
        first: Token = token
        kind = ""
        head = token.head
        according = next((p for p in words.according_to if _starts_phrase(st, token, p)), None)
        if according is not None:
            last = st.doc[token.i + len(according.split()) - 1]
            pobj = next((c for c in last.children if c.dep_ == "pobj"), None)
            kind, cue_end = "according", last.idx + len(last)
        elif token.lemma_ in words.by_verbs and token.tag_ == "VBN":
            agent = next((c for c in token.children if c.dep_ == "agent" and c.lower_ == "by"), None)
            if agent is None:
                continue
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None)
            if token.i > 0 and st.doc[token.i - 1].lower_ == "as":
                first = st.doc[token.i - 1]
            kind, cue_end = "by", agent.idx + len(agent)
            if token.lemma_ in words.citing_verbs and any(c.lower_ == "as" and c.i > token.i
                                                          for c in token.children):
                continue  # "was quoted by X as saying": see as_saying
            if any(c.dep_ == "prt" for c in token.children):
                continue  # "carried out by": no one passes anything on
        elif token.lemma_ in words.citing_verbs and (token.tag_ == "VBG" or (
            token.dep_ == "relcl" and (relative := subject_of(st, token)) is not None
            and relative.lower_ in PRONOUNS_RELATIVE | {"who"})
        ):
            pobj = next((c for c in token.children if c.dep_ == "dobj"), None)
            if pobj is None or any(c.lower_ == "as" and c.i > token.i for c in token.children):
                continue  # "quoted X as saying" is a cue of its own (see as_saying)
            if not source_like(st, pobj):
                continue  # "citing her work after the attacks": a reason, not a source
            if token.dep_ == "relcl":
                first = subject_of(st, token) or token
            kind, cue_end = "citing", token.idx + len(token)
        elif token.lemma_ in words.interview_nouns and token.head.dep_ == "prep":
            prep = next((c for c in token.children if c.dep_ == "prep" and c.lower_ in ("with", "to")), None)
            pobj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
            if prep is None or pobj is None or pobj.ent_type_ == "PERSON" or not pobj.text[:1].isupper():
                continue
            first, head = token.head, token.head.head  # "in an interview with X": the verb it qualifies
            kind, cue_end = "interview", prep.idx + len(prep)
        elif token.lemma_ in words.speaking_verbs and token.tag_ == "VBG":
            prep = next((c for c in token.children if c.dep_ == "prep" and c.lower_ in ("with", "to")), None)
            pobj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
            if prep is None or pobj is None or not is_outlet(st, pobj):
                continue
            kind, cue_end = "interview", prep.idx + len(prep)
        if pobj is None:
            continue
        np_start, np_end = noun_phrase(st, pobj)
        if kind == "citing":  # "citing three people [with knowledge of …]": the parser may hang it on the verb
            for child in token.children:
                if child.dep_ in ("prep", "amod", "acl") and child.i == pobj.right_edge.i + 1:
                    np_end = trim(st, np_start, child.right_edge.idx + len(child.right_edge))[1]
        phrases.append(
            ConduitPhrase(first.idx, np_end, (first.idx, cue_end), (np_start, np_end), head, pobj,
                           kind == "according", kind=kind)
        )
    return phrases


def _starts_phrase(st: ExtractionState, token: Token, phrase: str) -> bool:
    words = phrase.split()
    return token.i + len(words) <= len(st.doc) and all(
        st.doc[token.i + k].lower_ == word for k, word in enumerate(words))
