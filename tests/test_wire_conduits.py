"""Everyday wire copy (issue 21): conduits, claim boundaries and voice on patterns that fill every news feed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sourcetrace.article.pipeline import Pipeline
from sourcetrace.models import Attribution, Report, Voice

STORY = "\n".join([
    'Copper hits record as Chile mine talks stall',
    '',
    "SANTIAGO (Reuters) - Copper prices hit a record on Monday after wage talks at Chile's "
    'largest mine broke down.',
    '',
    'Traders said supplies could run short by the end of the quarter, the Financial Times reported.',
    '',
    'The union has rejected a bonus of $25,000 per worker, according to Bloomberg, which cited '
    'three people with knowledge of the negotiations.',
    '',
    'A strike could begin on Friday, El Mercurio reported, citing union leaders.',
    '',
    'Two executives told the Associated Press that the company had contingency plans.',
    'Mining Minister Aurora Williams said the government would not intervene. "This is a matter '
    'between the company and its workers."',
    '',
    'BHP, which operates the mine, declined to comment.',
    '',
    'The company did not respond to a request for comment on the contingency plans.',
    '',
    'Codelco was quoted by Diario Financiero as saying that its own output was not affected.',
    '',
])


@pytest.fixture(scope="module", params=[True, False], ids=["shipped", "rules-only"])
def report(request: pytest.FixtureRequest) -> Report:
    return Pipeline(learned_attribution=request.param).analyze(STORY)


def _by_content(report: Report, fragment: str) -> Attribution:
    matches = [a for a in report.attributions if any(fragment in " ".join(c.text.split()) for c in a.content)]
    assert matches, f"no attribution's content has {fragment!r}"
    return min(matches, key=lambda a: sum(len(c.text) for c in a.content))


def _chain(attribution: Attribution) -> list[str]:
    return attribution.chain


def test_reported_by_an_outlet_keeps_the_speaker(report: Report) -> None:  # item 1
    a = _by_content(report, "supplies could run short")
    assert a.source is not None and a.source.name == "Traders" and a.source.anonymous
    assert _chain(a) == ["Traders", "Financial Times", "this article"]


def test_according_to_an_outlet_which_cited(report: Report) -> None:  # item 2
    a = _by_content(report, "has rejected a bonus")
    assert a.source is not None and a.source.anonymous
    assert a.source.name == "three people with knowledge of the negotiations"
    assert _chain(a)[1:] == ["Bloomberg", "this article"]
    # no separate "Bloomberg cited: three people …" claim
    assert not any(c.text.startswith("three people") for x in report.attributions for c in x.content)


def test_reported_citing(report: Report) -> None:  # item 2
    a = _by_content(report, "A strike could begin on Friday")
    assert a.source is not None and a.source.name == "union leaders" and a.source.anonymous
    assert _chain(a)[1:] == ["El Mercurio", "this article"]


def test_told_an_outlet_names_it_whole(report: Report) -> None:  # item 3
    a = _by_content(report, "the company had contingency plans")
    assert a.source is not None and a.source.name == "Two executives" and a.source.anonymous
    assert _chain(a) == ["Two executives", "Associated Press", "this article"]


def test_quoted_by_an_outlet_as_saying(report: Report) -> None:
    a = _by_content(report, "its own output was not affected")
    assert a.source is not None and a.source.name == "Codelco"
    assert _chain(a) == ["Codelco", "Diario Financiero", "this article"]


def test_non_comments_are_reporting_and_never_conduits(report: Report) -> None:  # items 4, 7
    non_comments = {a.id for a in report.attributions
                    if any("to comment" in c.text or "request for comment" in c.text for c in a.content)}
    for a in report.attributions:
        assert a.nested_in not in non_comments
        assert not (a.id in non_comments and a.conduits)
        assert all(c.name not in ("BHP", "company") for c in a.conduits)
    for fragment in ("declined to comment", "did not respond to a request"):
        sentence = next(s for s in report.sentences if fragment in s.span.text)
        assert sentence.voice is Voice.REPORTED


def test_no_content_crosses_a_paragraph(report: Report) -> None:  # item 5
    text = report.article.text
    for a in report.attributions:
        for piece in a.content:
            assert "\n" not in text[piece.start : piece.end], piece.text


def test_no_stray_quote_sentence_and_dateline_is_boilerplate(report: Report) -> None:  # item 6
    assert all(any(c.isalnum() for c in s.span.text) for s in report.sentences)
    dateline = next(s for s in report.sentences if s.span.text.startswith("SANTIAGO"))
    assert dateline.voice is Voice.BOILERPLATE and dateline.span.text == "SANTIAGO (Reuters) -"


def test_neutral_wire_story_has_no_opinion(report: Report) -> None:  # item 7
    assert not [s.span.text for s in report.sentences if s.voice is Voice.AUTHOR_OPINION]


def test_subordinate_clause_in_a_headline_is_not_a_claim(report: Report) -> None:  # item 8
    headline = report.sentences[0]
    assert headline.voice is Voice.HEADLINE
    assert not any(c.text.endswith(" as") for a in report.attributions for c in a.content)


@pytest.mark.parametrize("headline", ["Grain deal talks stall as Turkey urges restraint",
                                      "Strike spreads as union warns members"])
def test_a_cue_with_its_own_object_takes_no_content_before_it(headline: str) -> None:  # item 8
    report = Pipeline().analyze(headline + "\n\nTalks on the grain deal stalled on Tuesday, officials said.\n")
    assert not any(c.text.rstrip().endswith(" as") for a in report.attributions for c in a.content)


def test_conduit_benchmark_runs_on_a_few_stories() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import conduits

    stories = conduits.parse(conduits.DEFAULT_DATA)
    assert sum(len(s.gold) for s in stories) >= 150
    assert sum(bool(g.chain) for s in stories for g in s.gold) >= 60
    tally = conduits.score(stories[:4], learned=False)
    assert tally.gold == sum(len(s.gold) for s in stories[:4])
    assert tally.chain_exact / tally.gold >= 0.8


HEADLINE_STORY = "\n".join([
    "Port strike talks stall as union urges calm",
    "",
    "ROTTERDAM (Reuters) - Negotiations to end a strike at Europe's largest port stalled on Wednesday, the port "
    "authority said, and the union called on members to avoid blockades.",
    "",
    "Smith, 54, a crane driver in Odesa, said the strike was costing families dearly. She added that morale was "
    "still high.",
    "",
    "Shares in shipping groups fell.",
    "",
])


@pytest.fixture(scope="module")
def headline_report() -> Report:
    return Pipeline().analyze(HEADLINE_STORY)


def test_headline_supported_by_the_lede(headline_report: Report) -> None:  # item 8
    signal = next(s for s in headline_report.credibility.signals if s.id == "headline_support")
    assert signal.value != "unsupported"
    assert "Negotiations to end a strike" in signal.explanation
    assert not any(c.text.rstrip().endswith(" as") for a in headline_report.attributions for c in a.content)


def test_entities_on_wire_copy(headline_report: Report) -> None:  # item 9
    kinds = {e.name: e.kind.value for e in headline_report.entities}
    assert kinds.get("Odesa") == "place"
    added = _by_content(headline_report, "morale was still high")
    assert added.source is not None and added.source.name == "Smith" and added.source.resolved_from is not None
    said = _by_content(headline_report, "the strike was costing families")
    assert said.source is not None and said.source.role is not None and "54" not in said.source.role.text


def test_demo_headline_words_are_not_organisations() -> None:  # item 9
    from importlib import resources as files

    from sourcetrace.article.pipeline import _default_pipeline
    from sourcetrace.resources import __name__ as resources

    text = files.files(resources).joinpath("demo-article.txt").read_text("utf-8")
    names = {e.name for e in _default_pipeline().analyze(text).entities}
    assert not names & {"Insult", "Defense"}
