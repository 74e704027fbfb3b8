"""The analysis thresholds of the article pipeline, gathered in one frozen :class:`Options`.

``Pipeline(options=Options(...))`` changes them for one pipeline; the defaults are the values the benchmarks
(docs/benchmarks.md) were measured with. Thresholds not (yet) threaded through, and constants that are limits
rather than analysis thresholds, stay in their modules (docs/architecture.md, "Resources and options").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """Analysis thresholds; the defaults are the shipped behaviour."""

    # voice.py
    opinion_threshold: int = 2  # author-evidence score at or above which an author sentence is opinion
    reported_coverage: float = 0.5  # share of a sentence an attribution must cover for it to be reported speech
    # language.py (require_english)
    min_script_letters: int = 10  # letters of non-Latin narration that, as most letters, make a text not English
    min_short_words: int = 6  # lowercase words a short paragraph needs before it can be refused as not English
    max_english_function_words: float = 0.12  # share of English function words above which prose is English
