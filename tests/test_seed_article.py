"""The seed article: every attribution a careful reader sees, with speakers and conduit chains right,
and every sentence in the right voice."""

from __future__ import annotations

import pytest

from sourcetrace.models import Attribution, AttributionKind, Report, SourceType, Voice


def _by_content(report: Report, fragment: str) -> Attribution:
    """The attribution with the tightest content around ``fragment`` (an outer quote also contains it)."""
    matches = [a for a in report.attributions if any(fragment in " ".join(c.text.split()) for c in a.content)]
    assert matches, f"no attribution's content has {fragment!r}"
    return min(matches, key=lambda a: sum(len(c.text) for c in a.content))


def _sentence(report: Report, fragment: str) -> Voice:
    matches = [s for s in report.sentences if fragment in " ".join(s.span.text.split())]
    assert matches, f"no sentence contains {fragment!r}"
    return matches[0].voice


def test_every_offset_points_into_the_exact_input(seed_report: Report, seed_text: str) -> None:
    assert seed_report.article.text == seed_text
    for attribution in seed_report.attributions:
        spans = [attribution.cue, *attribution.content, *(c.span for c in attribution.conduits)]
        if attribution.source is not None:
            spans.append(attribution.source.span)
        for span in spans:
            assert seed_text[span.start : span.end] == span.text
    for sentence in seed_report.sentences:
        assert seed_text[sentence.span.start : sentence.span.end] == sentence.span.text


def test_reported_blocks_hold_at_least_eleven_speech_attributions(seed_report: Report) -> None:
    reported_start = seed_report.article.text.index("Further reports:")
    speech = [a for a in seed_report.attributions if a.cue_type != "cognition" and a.cue.start > reported_start]
    assert len(speech) >= 11


@pytest.mark.parametrize(
    ("fragment", "speaker", "cue", "chain"),
    [
        ("Moscow and Baghdad agreed to hit the militants", "Hakem al-Zameli", "said",
         ["Hakem al-Zameli", "Fars News Agency"]),
        ("Iraq agreed with Russia, which leads the joint data center", "Hakem al-Zameli", "said",
         ["Hakem al-Zameli", "Fars News Agency"]),
        ("the move would also cut off ISIL supply routes", "Hakem al-Zameli", "highlighting",
         ["Hakem al-Zameli", "Fars News Agency"]),
        ("Baghdad had not requested similar assistance", "Anatoly Antonov", "said", ["Anatoly Antonov"]),
        ("he would welcome Russian airstrikes", "Haider Abadi", "said", ["Haider Abadi"]),
        ("the new strikes would help weaken ISIS", "Hakem al-Zameli", "said",
         ["Hakem al-Zameli", "Anadolu Agency"]),
        ("are making ISIS stronger", "U.S. and several Western countries", "said",
         ["U.S. and several Western countries", "Russia Today"]),
        # the audience is not part of the cue, as PolNeAR's annotators mark it ("told", not "told reporters")
        ("I said it would make it very difficult", "Joseph Dunford", "told",
         ["Joseph Dunford", "Reuters"]),
        # a colon right after the cue belongs to it, as PolNeAR's annotators mark it
        ("Absolutely.", "Both the minister of defense and the prime minister", "said:",
         ["Both the minister of defense and the prime minister", "Joseph Dunford", "Reuters"]),
    ],
)
def test_speakers_cues_and_conduit_chains(
    seed_report: Report, fragment: str, speaker: str, cue: str, chain: list[str]
) -> None:
    attribution = _by_content(seed_report, fragment)
    assert attribution.source is not None
    assert attribution.source.name == speaker
    assert attribution.cue.text == cue
    assert attribution.chain == [*chain, "this article"]


def test_anonymous_source_and_its_claim(seed_report: Report) -> None:
    attribution = _by_content(seed_report, "Iraq has given Russia permission to hit Islamic State")
    assert attribution.source is not None
    assert attribution.source.span.text == "an Iraqi security official"
    assert attribution.source.anonymous and attribution.source.type is SourceType.ANONYMOUS
    assert attribution.cue.text == "according to"


def test_roles_are_kept_with_the_speaker(seed_report: Report) -> None:
    first = _by_content(seed_report, "Moscow and Baghdad agreed to hit the militants")
    assert first.source is not None and first.source.role is not None
    assert first.source.role.text == "the head of the Iraqi Parliament’s National Security and Defense Commission"
    antonov = _by_content(seed_report, "Baghdad had not requested similar assistance")
    assert antonov.source is not None and antonov.source.role is not None
    assert antonov.source.role.text == "Russian Deputy Defense Minister"


def test_quote_kinds(seed_report: Report) -> None:
    assert _by_content(seed_report, "Iraq agreed with Russia").kind is AttributionKind.DIRECT
    assert _by_content(seed_report, "strongly welcome").kind is AttributionKind.MIXED
    assert _by_content(seed_report, "Baghdad had not requested").kind is AttributionKind.INDIRECT


def test_dunfords_quote_runs_on_and_nests_the_ministers(seed_report: Report) -> None:
    dunford = _by_content(seed_report, "I said it would make it very difficult")
    assert any("There is no request right now" in c.text for c in dunford.content)
    ministers = _by_content(seed_report, "Absolutely.")
    assert ministers.nested_in == dunford.id


def test_entities_are_canonicalised(seed_report: Report) -> None:
    by_name = {e.name: e for e in seed_report.entities}
    assert {"ISIS", "ISIL", "Islamic State"} <= {by_name["Islamic State"].name, *by_name["Islamic State"].aliases}
    assert {"al-Zameli", "Hakem al-Zamli"} <= set(by_name["Hakem al-Zameli"].aliases)
    assert {"Dunford", "General Dunford"} <= set(by_name["Joseph Dunford"].aliases)
    assert by_name["Fars News Agency"].kind == "outlet" and "Fars" in by_name["Fars News Agency"].aliases
    assert by_name["Russia Today"].kind == "outlet"


def test_pronoun_speaker_resolves_to_the_entity(seed_report: Report) -> None:
    knows = [a for a in seed_report.attributions if a.source and a.source.resolved_from is not None
             and a.source.resolved_from.text.lower() in ("he", "she", "they", "it")]
    assert knows, "the 'He also knows' belief should resolve 'He' to Putin"
    assert all(a.source is not None and a.source.name == "Putin" for a in knows)


def test_no_relative_pronoun_is_a_speaker(seed_report: Report) -> None:
    """"…, all of which seek to destroy ISIL": the speaker is what the relative clause hangs on, never "which"."""
    for attribution in seed_report.attributions:
        assert attribution.source is None or attribution.source.name.lower() not in ("which", "who", "that")


def test_opening_is_the_authors_voice(seed_report: Report) -> None:
    assert _sentence(seed_report, "The Iraqi government in Baghdad has given Russia permission") \
        is Voice.AUTHOR_ASSERTION
    for fragment, term in [
        ("foreign policy is in shambles", "in shambles"),
        ("only understand one thing; brute force", "brute force"),
        ("Putin obviously knows that Obama is weak", "weak"),
        ("havoc will be the order of the day", "havoc"),
    ]:
        sentence = next(s for s in seed_report.sentences if fragment in s.span.text)
        assert sentence.voice is Voice.AUTHOR_OPINION
        assert term in [e.span.text for e in sentence.evidence if e.span is not None]
    opening = [s for s in seed_report.sentences if 3 <= s.paragraph <= 6]
    assert opening and all(s.voice in (Voice.AUTHOR_ASSERTION, Voice.AUTHOR_OPINION) for s in opening)
    assert sum(s.voice is Voice.AUTHOR_OPINION for s in opening) >= len(opening) - 1


def test_layout_lines(seed_report: Report) -> None:
    assert _sentence(seed_report, "Insult to injury") is Voice.HEADLINE
    assert _sentence(seed_report, "By John O’Hara") is Voice.BOILERPLATE
    assert _sentence(seed_report, "Russian aircraft in Syria") is Voice.CAPTION
    assert _sentence(seed_report, "Russian air strikes against Islamic State militants in Syria") is Voice.CAPTION
    assert _sentence(seed_report, "Further reports:") is Voice.MARKER
    assert _sentence(seed_report, "The reports continued:") is Voice.MARKER
    assert _sentence(seed_report, ", , ,") is Voice.BOILERPLATE
    assert _sentence(seed_report, "Enjoy this blog?") is Voice.BOILERPLATE
    assert _sentence(seed_report, "Please spread the word") is Voice.BOILERPLATE


def test_metadata_from_plain_text(seed_report: Report) -> None:
    assert seed_report.article.title == "Insult to injury – Russia given the green light by Baghdad to hit ISIS in Iraq"
    assert seed_report.article.byline == "John O’Hara"


def test_breakdown_adds_up(seed_report: Report) -> None:
    shares = {s.voice: s for s in seed_report.voice_breakdown}
    assert abs(sum(s.share for s in shares.values()) - 1) < 0.01
    assert sum(s.sentences for s in shares.values()) == len(seed_report.sentences)
    assert shares[Voice.AUTHOR_OPINION].sentences >= 8
    assert shares[Voice.REPORTED].sentences + shares[Voice.DIRECT_QUOTE].sentences >= 9
