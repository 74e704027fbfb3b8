"""The seed's credibility report: signals with evidence, as a fact-checker would name them."""

from __future__ import annotations

from sourcetrace.models import Report, SignalLevel


def _signal(report: Report, signal_id: str):  # type: ignore[no-untyped-def]
    assert report.credibility is not None
    return next(s for s in report.credibility.signals if s.id == signal_id)


def test_contradiction_inside_the_article(seed_report_with_url: Report) -> None:
    tension = _signal(seed_report_with_url, "claims_in_tension")
    assert tension.level is SignalLevel.WARNING
    texts = [" ".join(span.text.split()) for span in tension.evidence]
    assert any("has given Russia permission" in t for t in texts)
    assert any("There is no request right now" in t for t in texts)


def test_unattributed_blocks_are_flagged_with_their_markers(seed_report_with_url: Report) -> None:
    blocks = _signal(seed_report_with_url, "unnamed_origin_blocks")
    assert blocks.value == 2 and blocks.level is SignalLevel.WARNING
    assert {"Further reports:", "The reports continued:"} <= {span.text for span in blocks.evidence}


def test_state_media_and_publisher_labels(seed_report_with_url: Report) -> None:
    state = _signal(seed_report_with_url, "state_media_reliance")
    assert state.level is SignalLevel.WARNING
    assert {"Fars", "Fars News Agency", "Anadolu News Agency", "Russia Today"} & {s.text for s in state.evidence}
    publisher = _signal(seed_report_with_url, "publisher_labels")
    assert "unreliable" in str(publisher.value) and "OpenSources" in publisher.explanation


def test_opinion_and_loaded_language_point_at_the_text(seed_report_with_url: Report) -> None:
    loaded = _signal(seed_report_with_url, "loaded_language")
    assert {"in shambles", "brute force"} <= {span.text for span in loaded.evidence}
    text = seed_report_with_url.article.text
    for signal in seed_report_with_url.credibility.signals if seed_report_with_url.credibility else []:
        for span in signal.evidence:
            assert text[span.start : span.end] == span.text


def test_summary_is_short_and_names_the_reasons(seed_report_with_url: Report) -> None:
    assert seed_report_with_url.credibility is not None
    summary = seed_report_with_url.credibility.summary
    assert "state-affiliated" in summary and "unreliable" in summary and "opinion" in summary
    assert len(summary.split()) < 160
