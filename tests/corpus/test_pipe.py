"""Pipeline.pipe: many texts parsed in batches by spaCy's nlp.pipe give the same reports as analyze, in order."""

from __future__ import annotations

import pytest

from sourcetrace import Pipeline, UnsupportedLanguageError

from .corpus_batch import DATA, FRENCH


def test_pipe_matches_analyze(pipeline: Pipeline) -> None:
    texts = [(DATA / name).read_text("utf-8") for name in ("council-budget.txt", "river-flooding.txt",
                                                          "vaccine-trial.txt")]
    piped = list(pipeline.pipe(texts, batch_size=2))
    assert [report.article.title for report in piped] == [pipeline.analyze(t).article.title for t in texts]
    for text, report in zip(texts, piped, strict=True):
        assert report.model_dump(exclude={"generator"}) == pipeline.analyze(text).model_dump(exclude={"generator"})
    assert list(pipeline.pipe([])) == []


def test_pipe_raises_for_a_text_it_cannot_analyse(pipeline: Pipeline) -> None:
    with pytest.raises(UnsupportedLanguageError):
        list(pipeline.pipe([FRENCH]))
