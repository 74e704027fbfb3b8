"""The decoder's training script: gold BIO tags per word and the CRF likelihood it fits (no data needed)."""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "training"))

np = pytest.importorskip("numpy")

import fit_decoder  # noqa: E402
from polnear_data import BIO_LABELS, GoldArticle, GoldAttribution, word_labels  # noqa: E402

from sourcetrace.article import attribution_model as am  # noqa: E402


def test_the_training_labels_are_the_taggers() -> None:
    # written twice on purpose: the training environment runs without sourcetrace installed
    assert BIO_LABELS == am.LABELS


def test_word_labels_mark_the_first_word_of_each_piece_as_its_begin() -> None:
    text = '"Taxes rose," Smith said, "and fast."'

    def at(fragment: str) -> tuple[int, int]:
        return text.index(fragment), text.index(fragment) + len(fragment)

    article = GoldArticle("x", "p", text, (GoldAttribution((at("Smith"),), (at("said"),),
                                                           (at('"Taxes rose,"'), at('"and fast."'))),), "x.ann")
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)]
    labels = [am.LABELS[k] for k in word_labels(article, words)]
    assert labels == ["B-content", "I-content", "I-content", "I-content", "I-content", "B-source", "B-cue", "O",
                      "B-content", "I-content", "I-content", "I-content", "I-content"]


def test_an_inside_tag_after_another_role_is_read_as_a_begin() -> None:
    tags = [am.LABELS.index(t) for t in ["O", "I-content", "I-content", "B-cue", "I-source"]]
    assert [am.LABELS[t] for t in fit_decoder.valid_tags(tags)] == ["O", "B-content", "I-content", "B-cue",
                                                                   "B-source"]


def test_the_likelihood_and_its_gradients_are_exact() -> None:
    rng = np.random.default_rng(3)
    n_labels, length = len(am.LABELS), 4
    params = {"weight": rng.normal(size=(n_labels, n_labels * 3)) * 0.5, "bias": rng.normal(size=n_labels),
              "transitions": rng.normal(size=(n_labels, n_labels)), "start": rng.normal(size=n_labels)}
    decoder = am.TagDecoder(**params, context=1)
    x = decoder.features(rng.dirichlet(np.ones(n_labels), size=length))
    gold = np.array(fit_decoder.valid_tags([1, 2, 0, 5]))
    nll, grads = fit_decoder.nll_and_gradients(decoder, x, gold)

    emissions, transitions, start = decoder.scores(x)

    def score(tags: tuple[int, ...]) -> float:
        return float(start[tags[0]] + emissions[np.arange(length), list(tags)].sum()
                     + sum(transitions[a, b] for a, b in itertools.pairwise(tags)))

    every = [score(t) for t in itertools.product(range(n_labels), repeat=length)]
    log_z = np.logaddexp.reduce([s for s in every if s > -1e8])
    assert nll == pytest.approx(log_z - score(tuple(gold)), rel=1e-9)

    for name, index in [("weight", (3, 9)), ("bias", (5,)), ("transitions", (1, 2)), ("start", (0,))]:
        bumped = {k: v.copy() for k, v in params.items()}
        bumped[name][index] += 1e-6
        numeric = (fit_decoder.nll_and_gradients(am.TagDecoder(**bumped, context=1), x, gold)[0] - nll) / 1e-6
        assert grads[name][index] == pytest.approx(numeric, abs=1e-4)
