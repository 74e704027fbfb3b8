"""Pronoun sources resolve to the entity they stand for (gender agreement, relative clauses, quotations)."""

from __future__ import annotations

import sourcetrace
from sourcetrace.article.entities import first_names


def _source_of(text: str, pronoun: str) -> sourcetrace.Source:
    report = sourcetrace.analyze(text)
    sources = [a.source for a in report.attributions if a.source is not None and a.source.span.text == pronoun]
    assert sources, [(a.source and a.source.span.text, a.cue.text) for a in report.attributions]
    return sources[0]


def test_first_names_give_gender_only_where_it_is_clear() -> None:
    names = first_names()
    assert names["hillary"] == "female" and names["donald"] == "male"
    assert "jordan" not in names  # borne by both sexes: no constraint


def test_she_skips_the_nearer_man() -> None:
    text = (
        "Hillary Clinton visited a factory in Ohio on Monday. Later that day Donald Trump held a rally in Florida.\n\n"
        "“We will raise the minimum wage,” she said."
    )
    source = _source_of(text, "she")
    assert source.name == "Hillary Clinton" and source.resolved_from is not None


def test_he_skips_the_nearer_woman() -> None:
    text = (
        "Donald Trump visited a factory in Ohio on Monday. Later that day Hillary Clinton held a rally in Florida.\n\n"
        "“We will build the wall,” he said."
    )
    assert _source_of(text, "he").name == "Donald Trump"


def test_a_relative_pronoun_takes_the_noun_its_clause_hangs_on() -> None:
    text = "The bill was criticised by Senator Elizabeth Warren, who said it would hurt working families."
    source = _source_of(text, "who")
    assert source.name == "Elizabeth Warren"


def test_he_inside_a_quotation_is_not_the_quoted_speaker() -> None:
    text = (
        "Rush Limbaugh talked about Donald Trump on his radio show on Monday. "
        "Limbaugh said: “When Trump called, he told me the election is rigged.”"
    )
    report = sourcetrace.analyze(text)
    inner = [a for a in report.attributions if a.source is not None and a.source.span.text == "he"]
    assert inner, "the nested attribution 'he told me …' is found"
    assert [a.source.name for a in inner if a.source is not None] == ["Donald Trump"]


def test_a_profile_keeps_its_subject_for_she_after_many_paragraphs() -> None:
    text = (
        "Attorney General Loretta Lynch spoke at the university on Monday about her career.\n\n"
        "Loretta Lynch grew up in North Carolina, where her father was a preacher.\n\n"
        "Loretta Lynch studied at Harvard and then joined a law firm in New York.\n\n"
        "The firm was one of the largest in the city at the time.\n\n"
        "Its partners rarely hired young lawyers from the South.\n\n"
        "“I had to prove myself every single day,” she said."
    )
    assert _source_of(text, "she").name == "Loretta Lynch"
