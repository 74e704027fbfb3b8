"""Rule-based attribution extraction over the dependency parse.

An attribution is (source, cue, content) plus the conduits a claim passed through. The rules work in passes, one
module each, over a shared ``ExtractionState``; their order is written once, in ``extractor.PASSES``:

- ``conduit_phrases``: "according to X", "as cited by X", "…, citing Y" first, so that contents stop before them;
- ``verb_cues``: verb cues (said, told, claimed, highlighting, believes) with their source and their content
  before, after or around them;
- ``according_to``: conduit phrases attached to their cue, "according to X" as the only cue in its clause;
- ``quotes``: "NAME: words", and quotations nobody has claimed yet, which continue the previous speaker's quote;
- ``tagger``: the learned tagger's attributions merged in (``learned`` only);
- ``paragraphs``: contents cut at their paragraph;
- ``nesting``: words quoted inside a quote reach the article through the outer speaker.

Then ``speakers`` resolves each source (a stage of its own, returning ``SpeakerResolutions``) and ``build`` makes
the ``Attribution`` models. ``spans`` holds the helpers they share, ``state`` the state.
"""

from sourcetrace.article.attribution.extractor import PASSES, extract, passes, run, sentence_passes
from sourcetrace.article.attribution.speakers import resolve_speakers
from sourcetrace.article.attribution.state import ExtractionState, SpeakerResolutions

__all__ = [
    "PASSES",
    "ExtractionState",
    "SpeakerResolutions",
    "extract",
    "passes",
    "resolve_speakers",
    "run",
    "sentence_passes",
]
