"""The attribution passes one at a time, on a parsed wire paragraph: each reads what the passes before it left."""

from __future__ import annotations

import pytest

from sourcetrace.article import entities
from sourcetrace.article.attribution import (
    PASSES,
    ExtractionState,
    SpeakerResolutions,
    passes,
    resolve_speakers,
    sentence_passes,
)
from sourcetrace.article.attribution.conduit_phrases import conduit_phrases
from sourcetrace.article.lexicon import Lexicon
from sourcetrace.article.nlp import load_nlp, parse
from sourcetrace.article.segment import build_layout

TEXT = (
    "Grain talks stall\n\n"
    "ANKARA (Reuters) - Turkey has offered to host the talks, The Wall Street Journal reported, citing people "
    "familiar with the matter.\n\n"
    "Two officials told the Associated Press that a deal was close. He said more.\n"
)


@pytest.fixture(scope="module")
def extractor() -> ExtractionState:
    lexicon = Lexicon.load()
    doc = parse(TEXT, load_nlp())
    layout = build_layout(TEXT, doc)
    return ExtractionState(TEXT, doc, layout, entities.extract(TEXT, doc, lexicon), lexicon, learned=False)


def test_the_pass_order_is_written_once(extractor: ExtractionState) -> None:
    names = [name for name, _ in passes(extractor)]
    assert names == ["sentences", "colon speakers", "quote continuation", "paragraphs", "nesting"]
    # the tagger's pass sits in the one tuple and runs only with the tagger on
    assert [name for name, _ in PASSES] == [
        "sentences", "colon speakers", "quote continuation", "learned tagger", "paragraphs", "nesting"]


def test_the_dateline_is_a_sentence_of_its_own(extractor: ExtractionState) -> None:
    assert extractor.layout.datelines == [(TEXT.index("ANKARA"), TEXT.index(" Turkey"))]
    assert TEXT[extractor.layout.sentences[1].start : extractor.layout.sentences[1].end] == "ANKARA (Reuters) -"


def test_conduit_phrases_alone(extractor: ExtractionState) -> None:
    unit = next(u for u in extractor.layout.sentences if "Turkey" in TEXT[u.start : u.end])
    phrases = conduit_phrases(extractor, unit.sent)
    assert [(p.kind, TEXT[slice(*p.noun_phrase)]) for p in phrases] == [
        ("citing", "people familiar with the matter")]


def test_sentence_passes_then_speakers(extractor: ExtractionState) -> None:
    sentence_passes(extractor)
    cited = next(d for d in extractor.drafts if "Turkey has offered" in TEXT[d.content[0][0] : d.content[0][1]])
    assert cited.source is not None and TEXT[slice(*cited.source)] == "people familiar with the matter"
    assert [TEXT[slice(*c.noun_phrase)] for c in cited.conduits] == ["The Wall Street Journal"]
    told = next(d for d in extractor.drafts if TEXT[slice(*d.cue)] == "told")
    assert told.told_outlet is not None and TEXT[slice(*told.told_outlet)] == "the Associated Press"
    for _name, run_pass in passes(extractor)[1:]:
        run_pass(extractor)
    sources = resolve_speakers(extractor)
    assert sources[id(cited)] is not None and sources[id(cited)].anonymous
    assert sources[id(told)] is not None and sources[id(told)].name == "Two officials"
    # the speaker stage returns what it resolved and leaves the index alone until it is applied
    assert isinstance(extractor.found, SpeakerResolutions)
    assert all(m.resolved_from is None for c in extractor.index.clusters.values() for m in c.mentions)


def test_speaker_resolutions_apply_to_the_index() -> None:
    lexicon = Lexicon.load()
    text = "Smith said it rained. She added more."
    doc = parse(text, load_nlp())
    index = entities.extract(text, doc, lexicon)
    smith = next(c.id for c in index.clusters.values() if c.name == "Smith")
    found = SpeakerResolutions()
    found.mentions.append((smith, text.index("She"), text.index("She") + 3, "pronoun"))
    found.set_role(smith, "juror")
    found.set_role(smith, "a juror from Ohio")
    found.apply(index)
    assert [m.span.text for m in index.clusters[smith].mentions] == ["Smith", "She"]
    assert index.role(smith) == "a juror from Ohio"
