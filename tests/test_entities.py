"""Entity canonical names on real-style text."""

from __future__ import annotations

import pytest

import sourcetrace
from sourcetrace.article.entities import _same_person


def test_an_epithet_before_a_name_is_the_same_person_and_not_the_canonical_name() -> None:
    text = (
        "Hillary Clinton spoke in Ohio on Monday.\n\n"
        "He says, “Working that microphone was a hell of a lot more difficult than working Crooked Hillary "
        "Clinton.”\n\n"
        "Hillary Clinton laughed it off, and Clinton said the tweet proved her point."
    )
    report = sourcetrace.analyze(text)
    clinton = [e for e in report.entities if "Clinton" in e.name]
    assert [e.name for e in clinton] == ["Hillary Clinton"]
    assert {m.span.text for m in clinton[0].mentions} >= {"Hillary Clinton", "Crooked Hillary Clinton", "Clinton"}


def test_a_middle_initial_does_not_split_a_person() -> None:
    text = (
        "A lesson from Loretta Lynch.\n\n"
        "Attorney General Loretta E. Lynch said on Tuesday that she was proud of her department's work."
    )
    report = sourcetrace.analyze(text)
    assert [e.name for e in report.entities if "Lynch" in e.name] == ["Loretta E. Lynch"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Loretta E. Lynch", "Loretta Lynch", True),
        ("J. Smith", "John Smith", True),
        ("K. Smith", "John Smith", False),
        ("Crooked Hillary Clinton", "Hillary Clinton", True),
        ("Bill Clinton", "Hillary Clinton", False),
        ("Hakem al-Zameli", "Hakem al-Zamli", True),
    ],
)
def test_person_name_matching(a: str, b: str, same: bool) -> None:
    assert _same_person(a, b) is same
