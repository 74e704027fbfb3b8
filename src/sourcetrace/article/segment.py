"""Paragraphs, sentences and quotation spans: the layout every later stage reasons over."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sourcetrace.article.offset_index import OffsetIndex

if TYPE_CHECKING:  # annotations only: the quote finder serves reuse detection without loading spaCy
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

OPENING_DOUBLE = "“„«"
CLOSING_DOUBLE = "”»"


@dataclass(frozen=True)
class Paragraph:
    index: int
    start: int
    end: int


@dataclass
class Quote:
    """A quotation: ``start``/``end`` include the marks, ``inner_*`` exclude them."""

    start: int
    end: int
    level: int  # 0 for a top-level quotation, 1 for a quotation inside a quotation
    closed: bool = True
    parent: Quote | None = field(default=None, repr=False)

    @property
    def inner_start(self) -> int:
        return self.start + 1

    @property
    def inner_end(self) -> int:
        return self.end - 1 if self.closed else self.end


@dataclass(frozen=True)
class SentenceUnit:
    index: int
    start: int
    end: int
    paragraph: int
    sent: SpacySpan


# a wire dateline at a paragraph's start: "ISTANBUL (Reuters) - ", "ROSARIO, Argentina (Reuters) — ", "KYIV - "
DATELINE = re.compile(
    r"(?:[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+)*)(?:, [A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)*)?"
    r"(?: \((?:[A-Z][\w.'’&-]*(?:[ /][A-Z][\w.'’&-]*)*)\))?\s*[-–—]+\s+"
)


@dataclass
class Layout:
    paragraphs: list[Paragraph]
    sentences: list[SentenceUnit]
    quotes: list[Quote]
    datelines: list[tuple[int, int]] = field(default_factory=list)  # "ISTANBUL (Reuters) -", a sentence of its own
    _quotes_indexed: OffsetIndex | None = field(default=None, repr=False, compare=False)
    _sentences_indexed: OffsetIndex | None = field(default=None, repr=False, compare=False)
    _para_starts: list[int] = field(default_factory=list, repr=False, compare=False)

    def quotes_in(self, start: int, end: int, level: int | None = None) -> list[Quote]:
        quotes = [self.quotes[k] for k in self._quote_index().overlapping(start, end)]
        return [q for q in quotes if level is None or q.level == level]

    def quoted_chars(self, start: int, end: int) -> int:
        """Characters of ``[start, end)`` inside top-level quotation marks."""
        return sum(max(0, min(end, q.end) - max(start, q.start)) for q in self.quotes_in(start, end, 0))

    def sentence_at(self, offset: int) -> SentenceUnit | None:
        for k in self._sentence_index().overlapping(offset, offset + 1):
            sentence = self.sentences[k]
            if sentence.start <= offset < sentence.end:
                return sentence
        return None

    def sentences_overlapping(self, start: int, end: int) -> list[SentenceUnit]:
        """The sentences that share a character with ``[start, end)``, in order."""
        return [self.sentences[k] for k in self._sentence_index().overlapping(start, end)]

    def paragraph_at(self, offset: int) -> Paragraph | None:
        """The paragraph holding ``offset`` or ending right at it (bisection: paragraphs are in order)."""
        k = bisect_right(self._paragraph_starts(), offset) - 1
        return self.paragraphs[k] if k >= 0 and offset <= self.paragraphs[k].end else None

    def paragraph_after(self, offset: int) -> Paragraph | None:
        """The first paragraph starting after ``offset``."""
        k = bisect_right(self._paragraph_starts(), offset)
        return self.paragraphs[k] if k < len(self.paragraphs) else None

    def _paragraph_starts(self) -> list[int]:
        if len(self._para_starts) != len(self.paragraphs):
            self._para_starts = [p.start for p in self.paragraphs]
        return self._para_starts

    # The indexes are built on first use; quotations and sentences are not changed after build_layout.
    def _quote_index(self) -> OffsetIndex:
        if self._quotes_indexed is None or len(self._quotes_indexed) != len(self.quotes):
            self._quotes_indexed = OffsetIndex([(q.start, q.end) for q in self.quotes])
        return self._quotes_indexed

    def _sentence_index(self) -> OffsetIndex:
        if self._sentences_indexed is None or len(self._sentences_indexed) != len(self.sentences):
            self._sentences_indexed = OffsetIndex([(s.start, s.end) for s in self.sentences])
        return self._sentences_indexed


def find_paragraphs(text: str) -> list[Paragraph]:
    """Every non-blank line is a paragraph; trailing whitespace is not part of it."""
    paragraphs: list[Paragraph] = []
    for match in re.finditer(r"[^\n]+", text):
        stripped = match.group().rstrip()
        lead = len(match.group()) - len(match.group().lstrip())
        if stripped.strip():
            paragraphs.append(Paragraph(len(paragraphs), match.start() + lead, match.start() + len(stripped)))
    return paragraphs


def _is_word_char(char: str) -> bool:
    return char.isalnum()


def find_quotes(text: str, paragraphs: list[Paragraph]) -> list[Quote]:
    """Quotations with their nesting, paragraph by paragraph.

    Straight double quotes alternate open/close; curly ones say which they are. A single quote opens a
    nested quotation only inside a double one and only where it cannot be an apostrophe. A quotation left
    open at the end of a paragraph is closed there (``closed=False``): news style continues a long quote
    into the next paragraph by re-opening it, so that paragraph starts a new quotation.
    """
    quotes: list[Quote] = []
    for paragraph in paragraphs:
        stack: list[Quote] = []
        for offset in range(paragraph.start, paragraph.end):
            char = text[offset]
            before = text[offset - 1] if offset > paragraph.start else " "
            after = text[offset + 1] if offset + 1 < paragraph.end else " "
            double_open = [q for q in stack if q.level == 0]
            if char in OPENING_DOUBLE or (char == '"' and not double_open):
                if double_open:  # an opening mark while one is open: the earlier one was never closed
                    _close(stack, quotes, offset, closed=False)
                stack.append(Quote(offset, offset + 1, 0, closed=False))
            elif char in CLOSING_DOUBLE or char == '"':
                if double_open:
                    _close(stack, quotes, offset + 1, closed=True)
            elif char == "‘" or (char == "'" and not _is_word_char(before)):
                if double_open and len(stack) == 1 and _is_word_char(after):
                    stack.append(Quote(offset, offset + 1, 1, closed=False, parent=stack[0]))
            elif char in "’'" and len(stack) == 2 and not _is_word_char(after):
                inner = stack.pop()
                inner.end, inner.closed = offset + 1, True
                quotes.append(inner)
        if stack:
            _close(stack, quotes, paragraph.end, closed=False)
    quotes.sort(key=lambda q: (q.start, q.level))
    return quotes


def _close(stack: list[Quote], quotes: list[Quote], end: int, *, closed: bool) -> None:
    """Close the open top-level quotation at ``end``, and any nested one still open inside it."""
    while stack:
        quote = stack.pop()
        quote.end = end
        quote.closed = closed if quote.level == 0 else False
        quotes.append(quote)


def build_layout(text: str, doc: Doc) -> Layout:
    paragraphs = find_paragraphs(text)
    sentences: list[SentenceUnit] = []
    paragraph_index = 0
    for sent in doc.sents:
        start, end = _trimmed(text, sent.start_char, sent.end_char)
        if start >= end:
            continue
        while paragraph_index + 1 < len(paragraphs) and paragraphs[paragraph_index].end <= start:
            paragraph_index += 1
        # A sentence can still straddle a paragraph break when a line ends without punctuation; split it.
        while paragraphs[paragraph_index].end < end and paragraph_index + 1 < len(paragraphs):
            head_end = paragraphs[paragraph_index].end
            sentences.append(
                SentenceUnit(len(sentences), start, head_end, paragraph_index, doc.char_span(
                    start, head_end, alignment_mode="expand") or sent)
            )
            paragraph_index += 1
            start = paragraphs[paragraph_index].start
        span = doc.char_span(start, end, alignment_mode="expand") or sent
        sentences.append(SentenceUnit(len(sentences), start, end, paragraph_index, span))
    return _merge_stray_marks(text, _split_datelines(text, doc, Layout(paragraphs, sentences,
                                                                     find_quotes(text, paragraphs))))


def _split_datelines(text: str, doc: Doc, layout: Layout) -> Layout:
    """A paragraph opening with a wire dateline ("NAIROBI (Reuters) - Kenya's …") starts with the dateline as a
    sentence of its own (the parser may have cut it anywhere, or not at all), so that no source or content
    reaches into it."""
    sentences: list[SentenceUnit] = []
    dateline: tuple[int, int] | None = None
    by_start = {p.start: p for p in layout.paragraphs}
    for unit in layout.sentences:
        paragraph = by_start.get(unit.start)
        if paragraph is not None:
            dateline = None
            match = DATELINE.match(text, paragraph.start, paragraph.end)
            if match and any(c.islower() or c.isdigit() for c in text[match.end() : paragraph.end]):
                dateline = (paragraph.start, match.end())
                end = match.end()
                while text[end - 1].isspace():
                    end -= 1
                layout.datelines.append((paragraph.start, end))
                span = doc.char_span(paragraph.start, end, alignment_mode="expand") or unit.sent
                sentences.append(SentenceUnit(len(sentences), paragraph.start, end, unit.paragraph, span))
        if dateline is not None and unit.start < dateline[1]:
            if unit.end <= dateline[1]:
                continue  # a piece of the dateline the parser cut off
            unit = SentenceUnit(0, dateline[1], unit.end, unit.paragraph,
                                doc.char_span(dateline[1], unit.end, alignment_mode="expand") or unit.sent)
        sentences.append(SentenceUnit(len(sentences), unit.start, unit.end, unit.paragraph, unit.sent))
    layout.sentences = sentences
    return layout


def _merge_stray_marks(text: str, layout: Layout) -> Layout:
    """A "sentence" that is only punctuation and quotation marks (the lone closing ” the parser splits off at a
    paragraph's end) joins the sentence before it in its paragraph."""
    sentences: list[SentenceUnit] = []
    for unit in layout.sentences:
        stray = not any(c.isalnum() for c in text[unit.start : unit.end])
        if stray and sentences and sentences[-1].paragraph == unit.paragraph:
            last = sentences.pop()
            unit = SentenceUnit(last.index, last.start, unit.end, last.paragraph, last.sent.doc.char_span(
                last.start, unit.end, alignment_mode="expand") or last.sent)
        sentences.append(SentenceUnit(len(sentences), unit.start, unit.end, unit.paragraph, unit.sent))
    layout.sentences = sentences
    return layout


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
