"""The pass order, written once (``PASSES``), and the run over it: the passes fill the drafts, speaker resolution
resolves their sources, and each draft is built into an ``Attribution``."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from sourcetrace.article.attribution.according_to import attach_conduits
from sourcetrace.article.attribution.build import build_attribution
from sourcetrace.article.attribution.conduit_phrases import conduit_phrases
from sourcetrace.article.attribution.nesting import nest
from sourcetrace.article.attribution.paragraphs import within_paragraphs
from sourcetrace.article.attribution.quotes import colon_speakers, continue_quotes
from sourcetrace.article.attribution.speakers import resolve_speakers
from sourcetrace.article.attribution.state import ExtractionState, SpeakerResolutions
from sourcetrace.article.attribution.tagger import add_learned
from sourcetrace.article.attribution.verb_cues import verb_cues
from sourcetrace.article.entities import EntityIndex
from sourcetrace.article.lexicon import Lexicon
from sourcetrace.article.segment import Layout
from sourcetrace.models import Attribution

Pass = Callable[[ExtractionState], None]


def sentence_passes(st: ExtractionState) -> None:
    """Passes 1-3, sentence by sentence: conduit phrases first (contents stop before them), then verb cues, then
    the conduit phrases attached to the cues of their sentence."""
    for unit in st.layout.sentences:
        st.sentence_first = len(st.drafts)
        phrases = conduit_phrases(st, unit.sent)
        st.conduit_cues += [p.cue for p in phrases]
        verb_cues(st, unit, phrases)
        attach_conduits(st, unit, phrases)


# The pass order, written once: what each pass reads is what the passes before it left in ``ExtractionState.drafts``.
PASSES: tuple[tuple[str, Pass], ...] = (
    ("sentences", sentence_passes),  # 1-3 per sentence: conduit phrases, verb cues, conduits attached
    ("colon speakers", colon_speakers),  # 3b "NAME: words"
    ("quote continuation", continue_quotes),  # 4 quotations nobody claimed
    ("learned tagger", add_learned),  # 4b, only with the learned tagger
    ("paragraphs", within_paragraphs),  # 4c contents end at their paragraph
    ("nesting", nest),  # 5 nested claims and their chains
)


def passes(st: ExtractionState) -> list[tuple[str, Pass]]:
    """The passes this run makes: ``PASSES``, less the tagger's when the rules run alone."""
    return [(name, run_pass) for name, run_pass in PASSES if st.learned or run_pass is not add_learned]


def run(st: ExtractionState) -> tuple[list[Attribution], SpeakerResolutions]:
    for _name, run_pass in passes(st):
        run_pass(st)
    st.drafts.sort(key=lambda d: (d.content[0][0] if d.content else d.cue[0], d.cue[0]))
    sources = resolve_speakers(st)
    ids = {id(d): f"a{i + 1}" for i, d in enumerate(st.drafts)}
    return [build_attribution(st, draft, ids, sources) for draft in st.drafts], st.found


def extract(text: str, doc: Doc, layout: Layout, index: EntityIndex, lexicon: Lexicon,
            learned: bool = True, outlet_lookup: Callable[[str], bool] | None = None) -> list[Attribution]:
    """Attributions by the rules, plus (``learned``) those only the trained tagger finds. ``outlet_lookup`` says
    whether a name is a news outlet's (the registry's names), so that "told SABC" is told to an outlet."""
    attributions, found = run(ExtractionState(text, doc, layout, index, lexicon, learned, outlet_lookup))
    found.apply(index)  # speaker resolution's mentions and roles, for the report's entities
    return attributions
