"""Claims per article: the check-worthy factual claims of one analysed article, from its Report alone.

Two kinds: each attributed content (a speech or source-phrase attribution: its speaker and conduits come with it;
beliefs and hopes, "cognition" cues, are not claims to check), and each sentence the voice stage labels an
author's assertion (opinion, headlines, captions and boilerplate are not); the reporter's legwork ("did not
respond to a request for comment") is left out. Each claim keeps its character spans,
its anchors (the entities named in the clause of its first action, metonyms folded) and the actions it affirms or
denies, and is scored by
the check-worthiness model; the list comes back ranked, most check-worthy first.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from sourcetrace.article.lexicon import Lexicon
from sourcetrace.article.resources import load_resources
from sourcetrace.claims.checkworthiness import CheckWorthinessModel, shipped_model
from sourcetrace.claims.models import ArticleClaim, ClaimKind
from sourcetrace.claims.text import core_end, fold_anchor, polarity
from sourcetrace.models import CueType, Report, Sentence, Span, Voice

MIN_WORDS = 4  # shorter contents ("he said: 'Absolutely.'") state nothing to check
AUTHOR = "the author"
_QUOTES = "\"'“”‘’ "


class _Anchors:
    """Entity mentions by offset, to name the anchors inside a span."""

    def __init__(self, report: Report, lexicon: Lexicon) -> None:
        mentions = sorted((m.span.start, m.span.end, fold_anchor(e.name, lexicon))
                          for e in report.entities for m in e.mentions)
        self.starts = [m[0] for m in mentions]
        self.mentions = mentions

    def within(self, spans: list[Span]) -> list[str]:
        found: dict[str, None] = {}
        for span in spans:
            i = bisect_right(self.starts, span.start - 1)
            while i < len(self.mentions) and self.mentions[i][0] < span.end:
                if self.mentions[i][1] <= span.end:
                    found[self.mentions[i][2]] = None
                i += 1
        return list(found)


def _by_sentence(content: list[Span], sentences: list[Sentence], starts: list[int], text: str) -> list[list[Span]]:
    """The content's pieces cut at sentence ends, grouped by sentence."""
    groups: dict[int, list[Span]] = {}
    for span in sorted(content, key=lambda s: s.start):
        start = span.start
        i = max(bisect_right(starts, start) - 1, 0)
        while start < span.end:
            end = min(span.end, sentences[i].span.end) if i < len(sentences) and \
                sentences[i].span.start <= start else span.end
            if end <= start:
                end = span.end
            piece = text[start:end] if text else span.text[start - span.start:end - span.start]
            if piece.strip(_QUOTES + ",.;:"):
                # the span itself starts and ends on the words (a sentence cut leaves the space before it)
                lead = len(piece) - len(piece.lstrip())
                trail = len(piece) - len(piece.rstrip())
                groups.setdefault(i, []).append(Span(start=start + lead, end=end - trail,
                                                     text=piece[lead:len(piece) - trail]))
            start = end
            i += 1
    return list(groups.values())


def _core(spans: list[Span], lexicon: Lexicon) -> list[Span]:
    """The spans cut to the clause of the claim's first action (text.core_end): its anchors are that action's."""
    cut = core_end(spans[0].text, lexicon)
    if cut >= len(spans[0].text):
        return spans
    return [Span(start=spans[0].start, end=spans[0].start + cut, text=spans[0].text[:cut])]


_FOR_COMMENT = re.compile(r"\bfor (?:a )?comments?\b", re.I)


# a speech frame around a word or two ("Both the minister and the prime minister said: 'Absolutely.'"): the
# claim is in what they agreed to, elsewhere, not in this sentence
_FRAME = re.compile(r"\b(?:said|says|told \w+|added|replied)\s*(?:…\s*(?=\w)|:\s*[\"'“‘]?\s*|[\"'“‘]\s*)"
                    r"\w+(?:\s\w+)?[.!?]?[\"'”’]?\s*$", re.I)


def _legwork(text: str, lexicon: Lexicon) -> bool:
    return bool(_FOR_COMMENT.search(text) or _FRAME.search(text)) or any(p.search(text) for p in lexicon.non_comment)


def claim_text(spans: list[Span]) -> str:
    """The claim as written; a reported clause's "that" dropped, so the text reads as a statement."""
    text = " … ".join(s.text.strip(_QUOTES) for s in spans).strip().rstrip(",;:").strip(_QUOTES)
    return text[5:] if text.startswith("that ") else text


def extract_claims(report: Report, *, model: CheckWorthinessModel | None = None,
                   lexicon: Lexicon | None = None) -> list[ArticleClaim]:
    """The article's claims, most check-worthy first."""
    model = model or shipped_model()
    lexicon = lexicon or load_resources().lexicon
    anchors = _Anchors(report, lexicon)
    sentences = sorted(report.sentences, key=lambda s: s.span.start)
    sentence_starts = [s.span.start for s in sentences]

    def sentence_of(span: Span) -> Span | None:
        i = bisect_right(sentence_starts, span.start) - 1
        return sentences[i].span if i >= 0 else None

    drafts: list[tuple[int, ClaimKind, list[Span], str, list[str], str | None]] = []
    seen: set[tuple[int, int]] = set()
    for attribution in report.attributions:
        if attribution.cue_type == CueType.COGNITION or not attribution.content:
            continue
        speaker = attribution.source.name if attribution.source else "(unnamed source)"
        # one claim per sentence of the content: a long quotation states several things, and a story claim
        # matches one of them ("There is no request right now…" inside Dunford's two-part quote)
        for spans in _by_sentence(attribution.content, sentences, sentence_starts, report.article.text):
            key = (spans[0].start, spans[-1].end)
            if key in seen or len(claim_text(spans).split()) < MIN_WORDS:
                continue
            seen.add(key)
            drafts.append((spans[0].start, ClaimKind.ATTRIBUTED, spans, speaker,
                           [c.name for c in attribution.conduits], attribution.id))
    for sentence in sentences:
        if sentence.voice != Voice.AUTHOR_ASSERTION or len(sentence.span.text.split()) < MIN_WORDS + 1:
            continue
        drafts.append((sentence.span.start, ClaimKind.AUTHOR, [sentence.span], AUTHOR, [], None))
    drafts.sort(key=lambda d: d[0])
    # "did not respond to a request for comment", "has contacted the ministry for comment": the reporter's
    # legwork, not a claim (and "request" there would read as a denied authorisation)
    drafts = [d for d in drafts if not _legwork(claim_text(d[2]), lexicon)]
    claims = []
    for n, (_, kind, spans, speaker, conduits, attribution_id) in enumerate(drafts, start=1):
        text = claim_text(spans)
        affirmed, denied = polarity(text, lexicon)
        claims.append(ArticleClaim(
            id=f"c{n}", kind=kind, text=text, spans=spans, sentence=sentence_of(spans[0]), speaker=speaker,
            conduits=conduits, attribution_id=attribution_id, checkworthiness=round(model.score(text), 4),
            anchors=anchors.within(_core(spans, lexicon)), affirmed=sorted(affirmed), denied=sorted(denied)))
    claims.sort(key=lambda c: -c.checkworthiness)
    return claims
