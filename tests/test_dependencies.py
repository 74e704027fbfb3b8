"""The spaCy model mirror is the official en_core_web_sm 3.8.0 release, as docs/dependencies.md records."""

from __future__ import annotations

from sourcetrace.nlp import MODEL_VERSION, load_nlp


def test_model_meta_matches_the_official_release() -> None:
    meta = load_nlp().meta
    assert meta["lang"] == "en"
    assert meta["version"] == MODEL_VERSION == "3.8.0"
    assert meta["spacy_version"] == ">=3.7.5,<3.9.0"
    performance = meta["performance"]
    assert round(performance["tag_acc"], 3) == 0.973
    assert round(performance["dep_las"], 3) == 0.899
    assert round(performance["ents_f"], 3) == 0.843


def test_sourcetrace_components_are_in_the_pipeline() -> None:
    names = load_nlp().pipe_names
    assert names.index("sourcetrace_line_breaks") < names.index("parser")
    assert names.index("entity_ruler") < names.index("ner")
