"""Whose voice each sentence is in, with the evidence for the call, and the article's breakdown.

Order of the tests matters: layout first (headline, byline, markers, captions, boilerplate are decided
by where and what a line is), then quotation share, then reported speech, then the author's own voice,
where opinion needs positive evidence (loaded or evaluative terms, first person, hedges and intensifiers,
claims about what others know or think) and everything else is the author's factual assertion.
"""

from __future__ import annotations

import re

from sourcetrace.article.lexicon import Lexicon
from sourcetrace.article.offset_index import OffsetIndex
from sourcetrace.article.options import Options
from sourcetrace.article.segment import Layout, SentenceUnit
from sourcetrace.models import (
    Article,
    Attribution,
    CueType,
    Evidence,
    EvidenceKind,
    Sentence,
    Span,
    Voice,
    VoiceShare,
)

_FINITE_END = re.compile(r"[.!?…][\"”’)]*$")


def _covered(attribution: Attribution, start: int, end: int) -> int:
    """Characters of ``[start, end)`` inside the attribution's cue, content or source."""
    spans = [attribution.cue, *attribution.content] + ([attribution.source.span] if attribution.source else [])
    return sum(max(0, min(end, s.end) - max(start, s.start)) for s in spans)


def _is_caption(text: str, unit: SentenceUnit, layout: Layout) -> bool:
    """A short standalone line without closing punctuation and without a finite verb: a photo caption."""
    paragraph = layout.paragraphs[unit.paragraph]
    if paragraph.start != unit.start or paragraph.end != unit.end:
        return False
    words = text.split()
    if not 2 <= len(words) <= 16 or _FINITE_END.search(text) or text.endswith(":"):
        return False
    return not any(t.pos_ in ("VERB", "AUX") and t.tag_ not in ("VBN", "VBG") for t in unit.sent)


def _author_evidence(text: str, start: int, lexicon: Lexicon, unit: SentenceUnit, layout: Layout,
                     attributions: list[Attribution]) -> tuple[int, list[Evidence]]:
    """Score the author's-opinion signals in a sentence outside quotation marks."""
    evidence: list[Evidence] = []
    score = 0

    def outside_quotes(offset: int) -> bool:
        return not layout.quotes_in(start + offset, start + offset + 1, level=0)

    for pattern, kind, weight, note in (
        (lexicon.loaded_terms, EvidenceKind.LOADED_TERM, 2, "loaded or evaluative term"),
        (lexicon.hedges, EvidenceKind.HEDGE, 1, "intensifier or hedge: the author's stance"),
    ):
        for match in pattern.finditer(text):
            if outside_quotes(match.start()):
                score += weight
                evidence.append(Evidence(kind=kind, note=note, span=Span(
                    start=start + match.start(), end=start + match.end(), text=match.group())))
    for token in unit.sent:
        offset = token.idx - start
        if (token.text in lexicon.first_person or token.text in {"We", "Our", "Us"}) and outside_quotes(offset):
            score += 2
            evidence.append(Evidence(kind=EvidenceKind.HEDGE,
                                     span=Span(start=token.idx, end=token.idx + len(token), text=token.text),
                                     note="first person: the author speaks for themselves"))
            break
    for attribution in attributions:
        if attribution.cue_type is CueType.COGNITION and unit.start <= attribution.cue.start < unit.end:
            score += 2
            evidence.append(Evidence(kind=EvidenceKind.CUE, span=attribution.cue,
                                     note="the author asserts what someone knows, thinks or wants"))
    for token in unit.sent:
        if token.lower_ == "will" and token.tag_ == "MD" and outside_quotes(token.idx - start):
            score += 1
            evidence.append(Evidence(kind=EvidenceKind.HEDGE,
                                     span=Span(start=token.idx, end=token.idx + len(token), text=token.text),
                                     note="prediction in the author's voice"))
            break
    return score, evidence


def classify(article: Article, layout: Layout, attributions: list[Attribution], lexicon: Lexicon,
             options: Options | None = None) -> list[Sentence]:
    options = options or Options()
    text = article.text
    sentences: list[Sentence] = []
    # which attributions touch a sentence, found by offset rather than by a scan of all of them per sentence
    owners = [k for k, a in enumerate(attributions) for _ in a.content]
    contents = OffsetIndex([(c.start, c.end) for a in attributions for c in a.content])
    cues = OffsetIndex([(a.cue.start, a.cue.end) for a in attributions])
    for unit in layout.sentences:
        body = text[unit.start : unit.end]
        span = Span(start=unit.start, end=unit.end, text=body)
        evidence: list[Evidence] = []
        # a content span overlapping the sentence, or a cue starting in it
        near = {owners[j] for j in contents.overlapping(unit.start, unit.end)}
        touching = [attributions[k] for k in sorted(near | set(cues.starting_in(unit.start, unit.end)))]
        # reported speech when the attributed words make up most of the sentence; an aside such as
        # "the guarantee …, stating that …" leaves the sentence in the author's voice
        speech = [a for a in touching if a.cue_type is not CueType.COGNITION
                  and _covered(a, unit.start, unit.end) >= options.reported_coverage * (unit.end - unit.start)]
        quoted = layout.quoted_chars(unit.start, unit.end)
        if article.title_span and unit.start < article.title_span.end and unit.end > article.title_span.start:
            voice = Voice.HEADLINE
            evidence.append(Evidence(kind=EvidenceKind.LAYOUT, note="the article's title line"))
        elif article.byline_span and unit.start < article.byline_span.end and unit.end > article.byline_span.start:
            voice = Voice.BOILERPLATE
            evidence.append(Evidence(kind=EvidenceKind.LAYOUT, note="byline"))
        elif (unit.start, unit.end) in layout.datelines:
            voice = Voice.BOILERPLATE
            evidence.append(Evidence(kind=EvidenceKind.LAYOUT, span=span, note="dateline"))
        elif any(p.search(body) for p in lexicon.markers):
            voice = Voice.MARKER
            evidence.append(Evidence(kind=EvidenceKind.MARKER, span=span,
                                     note="block marker: introduces text passed on from elsewhere"))
        elif any(p.search(body) for p in lexicon.boilerplate):
            voice = Voice.BOILERPLATE
            evidence.append(Evidence(kind=EvidenceKind.LAYOUT, span=span, note="site furniture, not article content"))
        elif _is_caption(body, unit, layout):
            voice = Voice.CAPTION
            evidence.append(Evidence(kind=EvidenceKind.LAYOUT, span=span,
                                     note="short standalone line without a finite verb: a caption"))
        elif quoted >= 0.6 * len(body.strip()):
            voice = Voice.DIRECT_QUOTE
            evidence.append(Evidence(kind=EvidenceKind.QUOTE, note=f"{quoted} of {len(body)} characters quoted"))
            evidence += [Evidence(kind=EvidenceKind.CUE, span=a.cue, note="attribution cue") for a in speech]
        elif speech:
            voice = Voice.REPORTED
            evidence += [Evidence(kind=EvidenceKind.CUE, span=a.cue, note="attribution cue") for a in speech]
        elif non_comment := next((m for p in lexicon.non_comment if (m := p.search(body))), None):
            voice = Voice.REPORTED  # "declined to comment", "could not be reached": the reporter's record, no opinion
            evidence.append(Evidence(kind=EvidenceKind.CUE, note="reports that someone did not comment", span=Span(
                start=unit.start + non_comment.start(), end=unit.start + non_comment.end(), text=non_comment.group())))
        else:
            score, evidence = _author_evidence(body, unit.start, lexicon, unit, layout, touching)
            voice = Voice.AUTHOR_OPINION if score >= options.opinion_threshold else Voice.AUTHOR_ASSERTION
            if voice is Voice.AUTHOR_ASSERTION:
                evidence.append(Evidence(kind=EvidenceKind.LAYOUT,
                                         note="no attribution cue and no opinion signal: the author's own claim"))
        sentences.append(
            Sentence(
                id=f"s{unit.index + 1}",
                span=span,
                paragraph=unit.paragraph,
                voice=voice,
                evidence=evidence,
                attribution_ids=[a.id for a in touching],
            )
        )
    return sentences


def breakdown(sentences: list[Sentence]) -> list[VoiceShare]:
    total = sum(len(s.span.text) for s in sentences) or 1
    shares = []
    for voice in Voice:
        chosen = [s for s in sentences if s.voice is voice]
        characters = sum(len(s.span.text) for s in chosen)
        shares.append(VoiceShare(voice=voice, sentences=len(chosen), characters=characters,
                                 share=round(characters / total, 4)))
    return shares
