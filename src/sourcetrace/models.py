"""The typed nouns every stage reads and writes.

Every finding carries character offsets into ``Article.text`` (Python ``str`` indices into the exact
input text after decoding), so a consumer can always point back at the evidence.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0.0"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Span(_Model):
    """A half-open character range ``[start, end)`` into ``Article.text`` and the text it covers."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        return cls(start=start, end=end, text=text[start:end])


class Article(_Model):
    """One article as ingested: the exact text every offset refers to, and its metadata."""

    text: str
    title: str | None = None
    byline: str | None = None
    date: str | None = None
    site: str | None = None
    url: str | None = None
    language: str = "en"
    input_format: str = Field("text", description="'text' or 'html'")
    title_span: Span | None = Field(None, description="Where the title stands in the text, if it does")
    byline_span: Span | None = None


class Voice(StrEnum):
    """Whose voice a sentence is in."""

    REPORTED = "reported"  # the author passes on someone else's claim (indirect speech, "according to")
    DIRECT_QUOTE = "direct_quote"  # the sentence is mostly someone else's quoted words
    AUTHOR_ASSERTION = "author_assertion"  # the author states a fact on their own authority
    AUTHOR_OPINION = "author_opinion"  # the author evaluates, predicts or uses loaded language
    CAPTION = "caption"  # photo caption or similar label standing apart from the prose
    HEADLINE = "headline"  # the title line
    MARKER = "marker"  # a line that introduces a block passed on from elsewhere ("Further reports:")
    BOILERPLATE = "boilerplate"  # byline, share prompts, stray punctuation


class EvidenceKind(StrEnum):
    CUE = "cue"
    LOADED_TERM = "loaded_term"
    HEDGE = "hedge"
    QUOTE = "quote"
    MARKER = "marker"
    LAYOUT = "layout"


class Evidence(_Model):
    kind: EvidenceKind
    span: Span | None = None
    note: str


class Sentence(_Model):
    id: str
    span: Span
    paragraph: int = Field(description="Index of the paragraph (block of text between blank lines)")
    voice: Voice
    evidence: list[Evidence] = Field(default_factory=list)
    attribution_ids: list[str] = Field(default_factory=list)


class EntityKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    OUTLET = "outlet"
    PLACE = "place"
    GROUP = "group"  # nationalities, religious or political groups (spaCy NORP)
    OTHER = "other"


class Mention(_Model):
    span: Span
    entity_id: str
    resolved_from: str | None = Field(
        None, description="'pronoun' or 'title' when the mention was resolved to its antecedent"
    )


class Entity(_Model):
    id: str
    name: str = Field(description="Canonical name: the fullest form written in the article")
    kind: EntityKind
    aliases: list[str] = Field(default_factory=list, description="Every other surface form seen")
    mentions: list[Mention] = Field(default_factory=list)
    role: str | None = Field(None, description="Role or affiliation as written, for people")


class SourceType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    OUTLET = "outlet"
    ANONYMOUS = "anonymous"  # "an Iraqi security official", "sources"
    GROUP = "group"  # "the U.S. and several Western countries"
    UNKNOWN = "unknown"


class Source(_Model):
    span: Span = Field(description="The source as written in the attribution")
    entity_id: str | None = None
    name: str = Field(description="Canonical name, or the written form where no entity is resolved")
    type: SourceType
    anonymous: bool
    role: Span | None = Field(None, description="Role or affiliation as written, e.g. an appositive")
    resolved_from: Span | None = Field(None, description="The pronoun or title this source was resolved from")


class AttributionKind(StrEnum):
    DIRECT = "direct"  # the content is entirely quoted
    INDIRECT = "indirect"  # paraphrase, no quotation marks
    MIXED = "mixed"  # paraphrase with quoted fragments


class CueType(StrEnum):
    SPEECH = "speech"  # said, told, claimed, highlighting
    COGNITION = "cognition"  # believes, knows, hopes: PolNeAR counts these, the voice stage does not
    SOURCE_PHRASE = "source_phrase"  # according to X, as cited by X


class Conduit(_Model):
    """An outlet or person through which a claim reached this article ("according to Reuters")."""

    span: Span
    cue: Span
    entity_id: str | None = None
    name: str
    type: SourceType


class Attribution(_Model):
    id: str
    source: Source | None = Field(None, description="None when the text names no source ('it was reported')")
    cue: Span
    content: list[Span] = Field(description="One span, or several where the content is interrupted")
    kind: AttributionKind
    cue_type: CueType = CueType.SPEECH
    conduits: list[Conduit] = Field(
        default_factory=list, description="Nearest the speaker first; the article itself is implied last"
    )
    nested_in: str | None = Field(None, description="Id of the attribution whose content contains this one")
    sentence_ids: list[str] = Field(default_factory=list)
    method: str = Field("rules", description="Which extractor produced it")

    @property
    def chain(self) -> list[str]:
        """Speaker → conduits → this article, as names."""
        names = [self.source.name if self.source else "(unnamed source)"]
        names += [c.name for c in self.conduits]
        return [*names, "this article"]


class RegistryLabel(_Model):
    """One label one registry gives an outlet, with what is needed to cite it."""

    label: str = Field(description="Normalised label, e.g. state_controlled, wire_service, unreliable")
    registry: str
    value: str | None = Field(None, description="The registry's own wording or score")
    snapshot: str | None = None
    licence: str | None = None
    url: str | None = None


class OutletRole(StrEnum):
    PUBLISHER = "publisher"  # the site that published this article
    CONDUIT = "conduit"  # a claim passed through it ("according to Reuters")
    SOURCE = "source"  # it is the speaker of an attribution ("RT reported that")
    MENTIONED = "mentioned"


class OutletLink(_Model):
    """An outlet the article leans on, linked to the source registry where it is listed."""

    name: str
    registry_id: str | None = Field(None, description="Id in the outlet registry; None when not listed")
    entity_id: str | None = None
    roles: list[OutletRole] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    country: str | None = None
    labels: list[RegistryLabel] = Field(default_factory=list)
    evidence: list[Span] = Field(default_factory=list, description="Where the article names it")
    attribution_ids: list[str] = Field(default_factory=list)


class SignalLevel(StrEnum):
    INFO = "info"
    CAUTION = "caution"
    WARNING = "warning"


class Signal(_Model):
    """One named, explainable credibility signal with the spans that are its evidence."""

    id: str
    name: str
    value: float | int | str | bool
    level: SignalLevel
    explanation: str
    evidence: list[Span] = Field(default_factory=list)


class Credibility(_Model):
    summary: str = Field(description="A few sentences a reader understands in ten seconds")
    signals: list[Signal] = Field(default_factory=list)
    method: str = Field(description="How the signals are computed and combined; never a bare score")


class VoiceShare(_Model):
    voice: Voice
    sentences: int
    characters: int
    share: float = Field(description="Share of the article's sentence characters, 0..1")


class Report(_Model):
    schema_version: str = SCHEMA_VERSION
    generator: str = Field(description="sourcetrace version and models that produced this report")
    article: Article
    sentences: list[Sentence]
    entities: list[Entity]
    attributions: list[Attribution]
    voice_breakdown: list[VoiceShare]
    outlets: list[OutletLink] = Field(default_factory=list)
    credibility: Credibility | None = None
    warnings: list[str] = Field(default_factory=list)

    def entity(self, entity_id: str) -> Entity:
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        raise KeyError(entity_id)

    def attribution(self, attribution_id: str) -> Attribution:
        for attribution in self.attributions:
            if attribution.id == attribution_id:
                return attribution
        raise KeyError(attribution_id)
