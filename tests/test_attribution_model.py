"""The learned attribution extractor: decoding, linking, the shipped model file and a smoke test on real text."""

from __future__ import annotations

import hashlib
import itertools
import json
from importlib import resources

import pytest

from sourcetrace.article import attribution_model as am
from sourcetrace.article import resources as article_resources
from sourcetrace.errors import ResourceError

np = pytest.importorskip("numpy")


def _probs(tags: list[str]) -> object:
    probs = np.full((len(tags), len(am.LABELS)), 0.01, dtype=np.float32)
    for i, tag in enumerate(tags):
        probs[i, am.LABELS.index(tag)] = 0.94
    return probs


def _words(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for word in text.split(" "):
        out.append((pos, pos + len(word)))
        pos += len(word) + 1
    return out


def test_decode_reads_bio_spans_and_repairs_a_stray_inside_tag() -> None:
    text = "Smith said taxes rose sharply"
    tags = ["B-source", "B-cue", "I-content", "I-content", "I-content"]
    spans = am.decode(_words(text), _probs(tags), am.TagDecoder.plain())
    assert [(s.role, text[s.start : s.end]) for s in spans] == [
        ("source", "Smith"),
        ("cue", "said"),
        ("content", "taxes rose sharply"),
    ]
    assert all(0.0 < s.prob <= 1 for s in spans)
    assert spans[0].prob > 0.9


def test_viterbi_keeps_a_confident_begin_inside_a_role() -> None:
    text = "He said it rained. It poured."
    tags = ["B-source", "B-cue", "B-content", "I-content", "B-content", "I-content"]
    spans = am.decode(_words(text), _probs(tags), am.TagDecoder.plain())
    assert [text[s.start : s.end] for s in spans if s.role == "content"] == ["it rained.", "It poured."]


def test_the_decoder_finds_the_best_sequence_the_bio_constraint_allows() -> None:
    rng = np.random.default_rng(7)
    n_labels = len(am.LABELS)
    decoder = am.TagDecoder(
        weight=rng.normal(size=(n_labels, n_labels * 3)),
        bias=rng.normal(size=n_labels),
        transitions=rng.normal(size=(n_labels, n_labels)),
        start=rng.normal(size=n_labels),
        context=1,
    )
    probs = rng.dirichlet(np.ones(n_labels), size=5)
    emissions, transitions, start = decoder.scores(decoder.features(probs))

    def allowed(tags: tuple[int, ...]) -> bool:
        previous = ["O", *(am.LABELS[t] for t in tags)]
        return all(not b.startswith("I-") or a[2:] == b[2:] for a, b in itertools.pairwise(previous))

    def score(tags: tuple[int, ...]) -> float:
        return float(start[tags[0]] + sum(emissions[i, t] for i, t in enumerate(tags))
                     + sum(transitions[a, b] for a, b in itertools.pairwise(tags)))

    best = max((t for t in itertools.product(range(n_labels), repeat=5) if allowed(t)), key=score)
    assert tuple(decoder.best_tags(probs)) == best


def test_the_plain_decoder_reads_the_distributions_alone() -> None:
    probs = _probs(["B-source", "B-cue", "B-content", "I-content"])
    assert am.TagDecoder.plain().best_tags(probs) == [1, 3, 5, 6]


def test_the_shipped_decoder_was_fitted_to_the_shipped_tagger() -> None:
    folder = resources.files("sourcetrace.resources").joinpath("models")
    fitted = json.loads(folder.joinpath(am.DECODER_FILE).read_text("utf-8"))
    tagger = hashlib.sha256(folder.joinpath(am.MODEL_FILE).read_bytes()).hexdigest()
    assert fitted["tagger_sha256"] == tagger, "refit it: python training/fit_decoder.py (see training/README.md)"
    assert tuple(fitted["labels"]) == am.LABELS
    assert am.shipped_decoder().weight.shape == (len(am.LABELS), len(am.LABELS) * (2 * fitted["context"] + 1))


def test_a_decoder_for_other_labels_is_refused() -> None:
    data = json.loads(resources.files("sourcetrace.resources").joinpath("models", am.DECODER_FILE).read_text("utf-8"))
    data["labels"] = ["O", "B-speaker", "I-speaker", "B-cue", "I-cue", "B-content", "I-content"]
    with pytest.raises(ResourceError, match="labels"):
        am.TagDecoder.from_dict(data)


def test_link_joins_split_content_and_takes_the_nearest_source() -> None:
    text = '"Taxes rose," Smith said, "and fast." Jones believes it is wrong.'

    def span(role: str, fragment: str) -> am._Span:
        start = text.index(fragment)
        return am._Span(role, start, start + len(fragment), 0.9)

    spans = [
        span("content", '"Taxes rose,"'),
        span("source", "Smith"),
        span("cue", "said"),
        span("content", '"and fast."'),
        span("source", "Jones"),
        span("cue", "believes"),
        span("content", "it is wrong"),
    ]
    result = am.link(text, spans)
    assert len(result) == 2
    first, second = result
    assert [text[s:e] for s, e in first.content] == ['"Taxes rose,"', '"and fast."']
    assert first.source is not None and text[slice(*first.source)] == "Smith"
    assert second.source is not None and text[slice(*second.source)] == "Jones"
    assert text[slice(*second.cue)] == "believes"


def test_link_drops_cues_without_content_and_allows_no_source() -> None:
    text = "It was said that rates will fall. Later that week, at a meeting in the city, he added."
    added = text.index("added")
    spans = [am._Span("cue", 7, 11, 0.8), am._Span("content", 17, 32, 0.7), am._Span("cue", added, added + 5, 0.9)]
    (only,) = am.link(text, spans)
    assert only.source is None and only.cue == (7, 11) and only.score == 0.7


def test_the_model_ships_as_package_data_within_the_size_budget() -> None:
    folder = resources.files("sourcetrace.resources").joinpath("models")
    model = folder.joinpath(am.MODEL_FILE)
    assert model.is_file(), "run training/train_attribution.py and copy the model (see training/README.md)"
    assert folder.joinpath(am.TOKENIZER_FILE).is_file()
    assert folder.joinpath("MODEL_CARD.md").is_file()
    assert model.stat().st_size < 26 * 2**20  # type: ignore[attr-defined]


def test_a_missing_model_fails_with_a_fix_it_message(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("onnxruntime")  # without it, the message names the missing package instead
    monkeypatch.setattr(am, "MODEL_FILE", "no-such-model.onnx")
    # a fresh resource bundle: no tagger loaded yet
    monkeypatch.setattr(article_resources, "load_resources", article_resources.Resources)
    with pytest.raises(ResourceError, match=r"train_attribution\.py"):
        am.predict_attributions("She said it rained.", [(0, 19)])


def test_predicts_a_plain_attribution_with_offsets_into_the_text() -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tokenizers")
    text = (
        "The senator spoke on Tuesday.\n"
        '"We will not back down," Senator Maria Lopez said at a rally in Denver, adding that the bill was dead.\n'
        "Officials believe the vote will be delayed until spring."
    )
    sentences = [(0, 29), (30, 132), (133, len(text))]
    predictions = am.predict_attributions(text, sentences)
    assert predictions, "expected at least one attribution"
    for p in predictions:
        assert isinstance(p, am.TaggedAttribution)
        assert 0.0 <= p.score <= 1.0
        for start, end in [*([p.source] if p.source else []), p.cue, *p.content]:
            assert 0 <= start < end <= len(text)
    said = [p for p in predictions if text[slice(*p.cue)] == "said"]
    assert said, predictions
    assert said[0].source is not None and "Lopez" in text[slice(*said[0].source)]
    assert any("back down" in text[s:e] for s, e in said[0].content)
    assert am.predict_attributions("   ", []) == []


def test_the_pipeline_widens_a_rule_cue_by_the_taggers_adverbs_but_not_by_a_time() -> None:
    pytest.importorskip("onnxruntime")
    from sourcetrace import analyze

    text = (
        "Senator Jane Smith also said that the plan would fail. She has repeatedly pledged to cut taxes. "
        "Deputy Minister Anatoly Antonov said earlier that Baghdad had not asked for help."
    )
    cues = {a.content[0].text: a.cue.text for a in analyze(text).attributions}
    assert cues["that the plan would fail"] == "also said"
    assert cues["to cut taxes"] == "has repeatedly pledged"
    assert cues["that Baghdad had not asked for help"] == "said"


def test_role_probability_is_the_best_word_the_span_touches() -> None:
    text = "He said it rained"
    probs = _probs(["B-source", "B-cue", "B-content", "I-content"])
    probs[1, am.LABELS.index("I-cue")] = 0.03  # B-cue 0.94 + I-cue 0.03
    tagging = am.Tagging(text, _words(text), probs)
    assert tagging.role_probability("cue", 3, 7) == pytest.approx(0.97)
    assert tagging.role_probability("cue", 5, 12) == pytest.approx(0.97)  # "id it": touches "said" and "it"
    assert tagging.role_probability("content", 0, 2) == pytest.approx(0.02)
    assert tagging.role_probability("cue", 17, 17) == 0.0  # touches no word
    assert am.Tagging("  ", [], None).attributions() == []


def test_the_tagger_vets_what_only_the_rules_found() -> None:
    pytest.importorskip("onnxruntime")
    from sourcetrace import Pipeline

    text = "To date, 14 Catholics, six Orthodox and four Protestants were admitted to the seminary this year."
    cue = (text.index("were admitted"), text.index(" to the"))
    tagging = am.tag(text, [(0, len(text))])
    assert tagging.role_probability("cue", *cue) < 0.5
    rules_only = Pipeline(learned_attribution=False).analyze(text).attributions
    assert [(a.cue.start, a.cue.end) for a in rules_only] == [cue]  # "admit" as in "she admitted that ..."
    assert Pipeline().analyze(text).attributions == []

    said = 'Officials said the vote "will be delayed until spring."'
    tagging = am.tag(said, [(0, len(said))])
    assert tagging.role_probability("cue", 10, 14) > 0.5
    assert tagging.role_probability("cue", 24, 28) < 0.5  # "will", inside the content


def test_a_passive_subject_is_no_source_and_the_tagger_reads_it_as_content() -> None:
    pytest.importorskip("onnxruntime")
    from sourcetrace import Pipeline

    text = "Talks ended on Friday. Obama’s veto is expected to come before the deadline at midnight Friday."
    (rules,) = Pipeline(learned_attribution=False).analyze(text).attributions
    assert rules.source is None
    (merged,) = Pipeline().analyze(text).attributions
    assert (merged.cue.start, merged.cue.end) == (rules.cue.start, rules.cue.end)
    assert merged.source is None
    assert [text[s.start : s.end] for s in merged.content] == [
        "Obama’s veto", "to come before the deadline at midnight Friday"]


def test_nested_evidence_is_part_of_the_claim_and_nested_speech_a_chain() -> None:
    pytest.importorskip("onnxruntime")
    from sourcetrace import Pipeline

    pipeline = Pipeline()
    text = "In a statement, Justin Bamberg, one of the family's attorneys, said the videos show Scott leaving his car."
    assert [text[a.cue.start : a.cue.end] for a in pipeline.analyze(text).attributions] == ["said"]

    text = ("\"In my first meeting with him in 2011, he said, 'Our approach hasn't worked; we want to work with "
            "you,'\" Mitchell recalled in an interview.")
    outer, inner = pipeline.analyze(text).attributions
    assert (text[outer.cue.start : outer.cue.end], text[inner.cue.start : inner.cue.end]) == ("recalled", "said")
    assert inner.nested_in == outer.id


def test_a_taggers_participle_without_a_source_takes_the_speaker_of_its_clause() -> None:
    pytest.importorskip("onnxruntime")
    from sourcetrace import Pipeline

    text = "Senator Maria Lopez attacked the governor on Monday, bemoaning the lack of progress on the budget."
    sources = {text[a.cue.start : a.cue.end]: a.source for a in Pipeline().analyze(text).attributions}
    assert sources["bemoaning"] is not None and sources["bemoaning"].name == "Maria Lopez"


def test_a_source_span_keeps_the_comma_that_closes_its_appositive_and_no_other() -> None:
    pytest.importorskip("onnxruntime")
    from sourcetrace import analyze

    text = (
        "Dean, a former party chairman and presidential candidate, poked fun at the senator's habit on Monday, "
        "saying it was odd. Chris Christie, said to be close to Trump, said no."
    )
    sources = {a.cue.text: a.source.span.text for a in analyze(text).attributions if a.source}
    assert sources["saying"] == "Dean, a former party chairman and presidential candidate,"
    assert sources["said"] == "Chris Christie"


def test_a_passive_cue_is_spoken_by_its_agent_not_its_subject() -> None:
    from sourcetrace import Pipeline

    rules = Pipeline(learned_attribution=False)
    text = "The mayor has been called a liar by several council members for hiding the audit."
    (called,) = rules.analyze(text).attributions
    assert called.source is not None and called.source.span.text == "several council members"
    assert [piece.text for piece in called.content] == ["a liar", "for hiding the audit"]
    (unnamed,) = rules.analyze("Many schools in poor areas are called failing, and their teachers leave.").attributions
    assert unnamed.source is None
    # with the tagger, whose content covers the agent, the agent still speaks and leaves the content
    pytest.importorskip("onnxruntime")
    (merged,) = Pipeline().analyze(text).attributions
    assert merged.source is not None and merged.source.span.text == "several council members"
    assert not any("council" in piece.text for piece in merged.content)
