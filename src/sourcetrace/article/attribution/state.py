"""The state the attribution passes share: the drafts found so far (``Draft``), the conduit phrases
(``ConduitPhrase``), the drafts by offset (``DraftIndex``), what speaker resolution found (``SpeakerResolutions``), and
the word lists the passes read. Each pass reads what the passes before it left in ``ExtractionState``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from sourcetrace.article.entities import EntityIndex
from sourcetrace.article.lexicon import Lexicon
from sourcetrace.article.offset_index import OffsetIndex
from sourcetrace.article.segment import Layout, SentenceUnit
from sourcetrace.models import CueType

SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
CONTENT_DEPS = {"ccomp", "xcomp", "parataxis"}
PASSIVE_SPEAKERS = {"quote"}  # "she was quoted as saying": the passive subject speaks
PRONOUNS_PERSON = {"he", "she", "him", "her"}
PRONOUNS_PLURAL = {"they", "them"}
PRONOUNS_THING = {"it"}  # a campaign, a newspaper, a report
PRONOUNS_RESOLVED = PRONOUNS_PERSON | PRONOUNS_PLURAL | PRONOUNS_THING
PRONOUNS_RELATIVE = {"who", "which", "that"}
PRONOUNS_SELF = {"i", "we", "me", "us"}
ADDRESSEE_VERBS = {"tell", "inform", "brief", "assure", "remind"}  # their object is an audience ("told Reuters")
TRAILING = " ,;:-–—"
COLON_AFTER = re.compile(r" ?:")
COLON_SPEAKER = re.compile(
    r"[\"“]?(?P<name>[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3})(?P<colon>:)\s+(?P<content>\S)"
)


@dataclass
class ConduitPhrase:
    start: int  # characters: the whole phrase, from its first word to the end of its noun phrase
    end: int
    cue: tuple[int, int]
    noun_phrase: tuple[int, int]
    head: Token  # the word the phrase attaches to
    noun: Token  # the head of its noun phrase
    according_to: bool
    kind: str = "according"  # according | by | citing | interview
    used: bool = False


@dataclass
class Draft:
    cue: tuple[int, int]
    content: list[tuple[int, int]]
    cue_type: CueType
    sentence: SentenceUnit
    source: tuple[int, int] | None = None
    source_root: Token | None = None
    conduits: list[ConduitPhrase] = field(default_factory=list)
    told_outlet: tuple[int, int] | None = None
    inherited_source: Draft | None = None
    nested_in: Draft | None = None
    method: str = "rules"
    non_comment: bool = False  # "declined to comment": reported, but never a conduit's owner nor an outer claim

    scope: list[tuple[int, int]] = field(default_factory=list)  # the rules' content where the tagger's replaced it

    def contains(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.content)

    def holds(self, offset: int) -> bool:
        """``offset`` lies in the content, or in the rules' content the tagger's replaced ("Analysts warned that …,
        the FT reported": the tagger's content leaves out the nested speaker and cue, which the chain needs)."""
        return self.contains(offset) or any(start <= offset < end for start, end in self.scope)


@dataclass
class SpeakerResolutions:
    """What speaker resolution found beyond the parse: mentions resolved from pronouns, relative pronouns and titles
    (entity id, start, end, how), and roles learnt from appositives and titles (the longest per entity)."""

    mentions: list[tuple[str, int, int, str]] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)

    def set_role(self, entity_id: str, role: str) -> None:
        if len(role) > len(self.roles.get(entity_id, "")):
            self.roles[entity_id] = role

    def role(self, entity_id: str, known: str | None) -> str | None:
        """The longer of the index's role for an entity and the one found here."""
        found = self.roles.get(entity_id)
        return found if found and (known is None or len(found) > len(known)) else known

    def apply(self, index: EntityIndex) -> None:
        """Record the resolved mentions and roles in the entity index (its entities then list them)."""
        for entity_id, start, end, how in self.mentions:
            index.add_mention(entity_id, start, end, how)
        for entity_id, role in self.roles.items():
            index.set_role(entity_id, role)


class DraftIndex:
    """The drafts of one phase by offset, so that "whose content holds this offset?" and "whose cue overlaps this
    span?" cost a bisection instead of a scan of every draft (which made the extractor quadratic in the length of
    the text). Built from the drafts as they are; rebuild it after contents change."""

    def __init__(self, drafts: list[Draft]) -> None:
        self.drafts = list(drafts)
        owners: list[Draft] = []
        pieces: list[tuple[int, int]] = []
        scoped: list[bool] = []
        for draft in self.drafts:
            for piece, scope in [*((c, False) for c in draft.content), *((c, True) for c in draft.scope)]:
                owners.append(draft)
                pieces.append(piece)
                scoped.append(scope)
        self._owners, self._scoped = owners, scoped
        self._position = {id(d): i for i, d in enumerate(self.drafts)}
        self._pieces = OffsetIndex(pieces)
        self._cues = OffsetIndex([d.cue for d in self.drafts])

    def holding(self, offset: int, *, scope: bool = True) -> list[Draft]:
        """The drafts whose content (and, with ``scope``, the rules' content the tagger replaced) holds ``offset``,
        in draft order."""
        found: dict[int, Draft] = {}
        for k in self._pieces.overlapping(offset, offset + 1):
            if scope or not self._scoped[k]:
                found.setdefault(id(self._owners[k]), self._owners[k])
        return sorted(found.values(), key=lambda d: self._position[id(d)])

    def cues_overlapping(self, start: int, end: int) -> list[Draft]:
        return [self.drafts[k] for k in self._cues.overlapping(start, end)]


@dataclass(eq=False)
class ExtractionState:
    """What the passes read and write, in place of an extractor object's attributes."""

    text: str
    doc: Doc
    layout: Layout
    index: EntityIndex  # read only: speaker resolution returns its finds in ``found``
    lexicon: Lexicon
    learned: bool
    outlet_lookup: Callable[[str], bool] | None = None
    # token index → character span of the named entity holding it, built once
    entity_spans: dict[int, tuple[int, int]] = field(init=False, default_factory=dict)
    drafts: list[Draft] = field(default_factory=list)
    phase: DraftIndex | None = None  # the drafts by offset while a phase leaves their contents alone
    sentence_first: int = 0  # the first draft of the sentence the per-sentence passes are in
    cue_index: tuple[tuple[int, int], DraftIndex] | None = None  # drafts by cue, keyed by the drafts list and length
    found: SpeakerResolutions = field(default_factory=SpeakerResolutions)
    by_cue: list[Draft] = field(default_factory=list)  # the final drafts in cue order, for pronoun resolution
    cue_starts: list[int] = field(default_factory=list)
    conduit_cues: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.entity_spans = {t.i: (ent.start_char, ent.end_char) for ent in self.doc.ents for t in ent}
