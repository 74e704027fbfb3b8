"""The data objects of the claims level: an article's claims, a story's claims, each article's stance toward a
story claim with its evidence, and the contradictions between story claims. Plain pydantic models so that the
CLI, the web app and the cache serialise them one way."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from sourcetrace.models import Span


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ClaimKind(StrEnum):
    ATTRIBUTED = "attributed"  # someone's words passed on: an attribution's content
    AUTHOR = "author_assertion"  # the author states a fact on their own authority


class ArticleClaim(_Model):
    """One check-worthy claim of one article, where it stands in the text, and who makes it."""

    id: str = Field(description="Unique within the article: 'c1', 'c2' … in text order")
    kind: ClaimKind
    text: str = Field(description="The claim as written (an attribution's content pieces joined)")
    spans: list[Span] = Field(description="Character spans into the article text")
    sentence: Span | None = Field(None, description="The sentence the claim starts in")
    speaker: str = Field(description="Who makes the claim: the source's name, or 'the author'")
    conduits: list[str] = Field(default_factory=list, description="Nearest the speaker first")
    attribution_id: str | None = None
    checkworthiness: float = Field(description="P(check-worthy) from the check-worthiness model")
    anchors: list[str] = Field(default_factory=list, description="Canonical actors and places named in it")
    affirmed: list[str] = Field(default_factory=list, description="Predicate groups stated positively")
    denied: list[str] = Field(default_factory=list, description="Predicate groups negated ('no request')")


class ClaimStance(StrEnum):
    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    DISCUSSES = "discusses"
    NOT_ADDRESSED = "does_not_address"


class ArticleRef(_Model):
    """A stored article, as the claims views name it."""

    id: int
    url: str | None = None
    outlet: str | None = Field(None, description="The outlet or site that published it")
    title: str | None = None
    published: str | None = None


class Appearance(_Model):
    """One article's own claim grouped into a story claim."""

    article_id: int
    claim_id: str
    text: str
    spans: list[Span]
    speaker: str
    conduits: list[str] = Field(default_factory=list)
    similarity: float = Field(description="Match score to the story claim's canonical text (1 for the canonical)")
    anchors: list[str] = Field(default_factory=list, description="Canonical actors and places named in it")


class ArticleStance(_Model):
    """One article's stance toward one story claim, with the spans that decide it."""

    article: ArticleRef
    stance: ClaimStance
    how: str = Field(description="'states' (the article carries the claim), 'states_opposite' (it carries a "
                                 "conflicting claim), 'model' (sourcetrace.stance on its passages) or 'no_overlap'")
    probability: float | None = Field(None, description="The stance model's probability of its label, if used")
    speaker: str | None = Field(None, description="Whose words the evidence is, where the article attributes it")
    spans: list[Span] = Field(default_factory=list, description="Evidence: character spans into the article text")


class FirstSeen(_Model):
    article: ArticleRef
    speaker: str
    conduits: list[str] = Field(default_factory=list)
    span: Span


class StoryClaim(_Model):
    """A claim of the story: the articles' claims that say the same thing, with a canonical text."""

    claim_id: str = Field(description="'<story>-<n>', stable while the story's articles do not change")
    story_id: int
    text: str = Field(description="Canonical text: the most check-worthy, most typical wording")
    checkworthiness: float
    appearances: list[Appearance]
    first_seen: FirstSeen
    articles: list[ArticleStance] = Field(default_factory=list, description="Every article of the story")
    anchors: list[str] = Field(default_factory=list)
    affirmed: list[str] = Field(default_factory=list)
    denied: list[str] = Field(default_factory=list)

    def outlets(self, stance: ClaimStance) -> list[str]:
        seen: dict[str, None] = {}
        for a in self.articles:
            if a.stance == stance:
                seen[a.article.outlet or f"article {a.article.id}"] = None
        return list(seen)


class ContradictionKind(StrEnum):
    STRICT = "contradiction"  # same actors, same action, opposite polarity, nothing to reconcile them
    TENSION = "tension"  # opposite polarity but different speakers' hedged scope, dates or time words


class ContradictionSide(_Model):
    claim_id: str
    claim_text: str = Field("", description="The story claim's canonical text")
    text: str = Field(description="The wording shown for this side (its span's words)")
    article: ArticleRef
    speaker: str
    conduits: list[str] = Field(default_factory=list)
    span: Span


class Contradiction(_Model):
    """Two story claims that conflict, each side with its span, speaker, outlet and date."""

    kind: ContradictionKind
    first: ContradictionSide
    second: ContradictionSide
    shared_anchors: list[str]
    actions: list[str] = Field(description="The predicate groups one side affirms and the other denies")
    reasons: list[str] = Field(description="Why it is strict, or what makes it only a tension")
    disagree: float | None = Field(None, description="The stance model's disagree probability, claim vs claim")


class StoryClaims(_Model):
    """All the claims of one story: what ``corpus claims --story ID`` prints and the cache keeps."""

    story_id: int
    label: str = ""
    articles: list[ArticleRef]
    claims: list[StoryClaim]
    contradictions: list[Contradiction]
    method: str
    seconds: float = 0.0


class PanelEntry(_Model):
    """One story claim this article addresses, and who else in the corpus supports or contradicts it."""

    claim_id: str
    text: str
    stance: ClaimStance = Field(description="This article's stance toward it")
    speaker: str | None = None
    spans: list[Span] = Field(default_factory=list, description="This article's evidence")
    first_seen: FirstSeen
    supporting: list[ArticleStance] = Field(default_factory=list, description="Other articles")
    contradicting: list[ArticleStance] = Field(default_factory=list)
    discussing: list[ArticleStance] = Field(default_factory=list)
    contradictions: list[Contradiction] = Field(default_factory=list)


class ArticlePanel(_Model):
    """The claims panel of an article's report: its story's claims as they concern this article."""

    article_id: int
    story_id: int
    story_label: str
    entries: list[PanelEntry]
