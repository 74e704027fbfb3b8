"""The corpus tests' shared store: the mixed batch of corpus_batch.py added once per module."""

from __future__ import annotations

import pytest

from sourcetrace.corpus import Corpus
from sourcetrace.corpus.sources import Tally

from .corpus_batch import Added, make_batch


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> Added:
    """The whole batch added once, in this process (one worker)."""
    root = tmp_path_factory.mktemp("batch")
    batch = make_batch(root)
    corpus = Corpus(root / "store.db")
    tally = Tally()
    summary = corpus.add(*batch.sources, urls=[batch.urls], workers=1, allow_private=True, host_delay=0.0,
                         tally=tally)
    return Added(corpus, batch, summary, tally)
