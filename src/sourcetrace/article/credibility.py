"""An explainable credibility report: named signals, each with its value, its evidence spans and one line
of explanation, and a short summary built from them. There is deliberately no overall score: a reader
should see *why* an article deserves caution, and be able to check every reason in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from sourcetrace.article.entities import EntityIndex
from sourcetrace.article.lexicon import Lexicon
from sourcetrace.models import (
    Article,
    Attribution,
    Credibility,
    CueType,
    EvidenceKind,
    OutletLink,
    OutletRole,
    Sentence,
    Signal,
    SignalLevel,
    SourceType,
    Span,
    Voice,
)

METHOD = (
    "Each signal is computed by a transparent rule from the analysis and points at its evidence in the text. "
    "Shares are of the characters in the article body (headline, captions, markers and boilerplate excluded). "
    "Registry labels come from the bundled outlet registry, each with the registry that gives it. Claims in "
    "tension are pairs of claims about the same actors and the same kind of action with opposite polarity: a "
    "prompt to check, not a verdict. No signal is turned into a single score."
)
BODY_VOICES = {Voice.REPORTED, Voice.DIRECT_QUOTE, Voice.AUTHOR_ASSERTION, Voice.AUTHOR_OPINION}
STATE_LABELS = {"state_controlled", "state_captured_public", "state_captured_private", "state_media"}
UNRELIABLE_LABELS = {"unreliable", "fake", "conspiracy", "junk_science", "blacklisted", "deprecated", "hate",
                     "satire", "clickbait", "extreme_bias", "rumor", "low_quality"}
MAX_EVIDENCE = 12
MAX_TENSIONS = 4


@dataclass(frozen=True)
class _Claim:
    span: Span
    who: str
    anchors: frozenset[str]
    affirmed: frozenset[str]  # predicate groups stated positively ("has given permission")
    denied: frozenset[str]  # predicate groups negated ("no request", "had not requested")


class _Assessor:
    def __init__(self, article: Article, doc: Doc, sentences: list[Sentence], attributions: list[Attribution],
                 index: EntityIndex, outlets: list[OutletLink], lexicon: Lexicon):
        self.article, self.doc, self.sentences, self.attributions = article, doc, sentences, attributions
        self.index, self.outlets, self.lexicon = index, outlets, lexicon
        self.body = [s for s in sentences if s.voice in BODY_VOICES]
        self.body_chars = sum(len(s.span.text) for s in self.body) or 1
        self.speech = [a for a in attributions if a.cue_type is not CueType.COGNITION]

    def share(self, voices: set[Voice]) -> float:
        return sum(len(s.span.text) for s in self.body if s.voice in voices) / self.body_chars

    # ---- the author's voice ---------------------------------------------------------------------
    def opinion(self) -> Signal:
        opinion = [s for s in self.body if s.voice is Voice.AUTHOR_OPINION]
        share = self.share({Voice.AUTHOR_OPINION})
        reported = self.share({Voice.REPORTED, Voice.DIRECT_QUOTE})
        return Signal(
            id="opinion_share", name="Author's opinion vs reporting", value=round(share, 3),
            level=SignalLevel.CAUTION if share >= 0.2 else SignalLevel.INFO,
            explanation=f"{share:.0%} of the body is the author's opinion, {reported:.0%} reports or quotes others, "
            f"{self.share({Voice.AUTHOR_ASSERTION}):.0%} is the author's own factual assertion.",
            evidence=[s.span for s in opinion][:MAX_EVIDENCE],
        )

    def loaded_language(self) -> Signal:
        terms = [e.span for s in self.body for e in s.evidence if e.kind is EvidenceKind.LOADED_TERM and e.span]
        listed = ", ".join(f"“{t.text}”" for t in terms[:6])
        return Signal(
            id="loaded_language", name="Loaded language in the author's voice", value=len(terms),
            level=SignalLevel.CAUTION if len(terms) >= 3 else SignalLevel.INFO,
            explanation=f"{len(terms)} loaded or evaluative terms outside quotations"
            + (f": {listed}" if listed else "."),
            evidence=terms[:MAX_EVIDENCE],
        )

    def unattributed(self) -> Signal:
        assertions = [s for s in self.body if s.voice is Voice.AUTHOR_ASSERTION]
        share = self.share({Voice.AUTHOR_ASSERTION})
        return Signal(
            id="unattributed_assertions", name="Unattributed factual assertions", value=len(assertions),
            level=SignalLevel.CAUTION if len(assertions) >= 5 and share >= 0.3 else SignalLevel.INFO,
            explanation=f"{len(assertions)} sentences ({share:.0%} of the body) state facts on the author's own "
            "authority, with no source named.",
            evidence=[s.span for s in assertions][:MAX_EVIDENCE],
        )

    # ---- sources -----------------------------------------------------------------------------------
    def named_vs_anonymous(self) -> Signal:
        anonymous = [a for a in self.speech if a.source and a.source.anonymous]
        unnamed = [a for a in self.speech if a.source is None]
        named = len(self.speech) - len(anonymous) - len(unnamed)
        level = SignalLevel.CAUTION if self.speech and (len(anonymous) + len(unnamed)) / len(self.speech) > 0.4 \
            else SignalLevel.INFO
        return Signal(
            id="named_vs_anonymous", name="Named vs anonymous sources",
            value=f"{named} named, {len(anonymous)} anonymous, {len(unnamed)} with no source",
            level=level,
            explanation=f"Of {len(self.speech)} reported claims, {len(anonymous)} rest on anonymous sources"
            + (": " + "; ".join(f"“{a.source.span.text}”" for a in anonymous if a.source) if anonymous else "."),
            evidence=[a.source.span for a in anonymous if a.source] + [a.cue for a in unnamed],
        )

    def independent_sources(self) -> Signal:
        speakers: dict[str, Span] = {}
        for attribution in self.speech:
            if attribution.source is not None and attribution.nested_in is None:
                key = attribution.source.entity_id or attribution.source.name.lower()
                speakers.setdefault(key, attribution.source.span)
        channels = {c.entity_id or c.name.lower() for a in self.speech for c in a.conduits
                    if c.type is SourceType.OUTLET}
        return Signal(
            id="independent_sources", name="Independent sources", value=len(speakers),
            level=SignalLevel.CAUTION if len(speakers) <= 1 else SignalLevel.INFO,
            explanation=f"{len(speakers)} distinct speakers are quoted or paraphrased, through {len(channels)} "
            "distinct outlets.",
            evidence=list(speakers.values())[:MAX_EVIDENCE],
        )

    def state_media(self) -> Signal:
        state_outlets = {o.registry_id or o.name: o for o in self.outlets
                         if {label.label for label in o.labels} & STATE_LABELS}
        leaning = {aid for o in state_outlets.values() for aid in o.attribution_ids}
        through = [a for a in self.speech if a.id in leaning]
        share = len(through) / len(self.speech) if self.speech else 0.0
        listed = ", ".join(sorted(o.name for o in state_outlets.values()))
        return Signal(
            id="state_media_reliance", name="Reliance on state-affiliated outlets", value=round(share, 3),
            level=SignalLevel.WARNING if share >= 0.3 or len(through) >= 3
            else SignalLevel.CAUTION if through else SignalLevel.INFO,
            explanation=f"{len(through)} of {len(self.speech)} reported claims reach the article through outlets "
            f"that a registry labels state-affiliated" + (f" ({listed})." if listed else "."),
            evidence=[c.span for a in through for c in a.conduits][:MAX_EVIDENCE],
        )

    def publisher(self) -> Signal | None:
        publisher = next((o for o in self.outlets if OutletRole.PUBLISHER in o.roles), None)
        if publisher is None:
            return None
        labels = sorted({label.label for label in publisher.labels})
        bad = sorted(set(labels) & UNRELIABLE_LABELS)
        cited = "; ".join(f"{label.label} ({label.registry})" for label in publisher.labels) or "not listed"
        return Signal(
            id="publisher_labels", name="Publisher's registry labels", value=", ".join(labels) or "unlisted",
            level=SignalLevel.WARNING if bad else SignalLevel.INFO,
            explanation=f"{publisher.name}: {cited}.",
            evidence=publisher.evidence,
        )

    # ---- structure -------------------------------------------------------------------------------
    def unnamed_origin_blocks(self) -> Signal:
        blocks: list[Span] = []
        markers = [s for s in self.sentences if s.voice is Voice.MARKER]
        starts = [s.span.start for s in self.sentences]  # in text order
        for marker in markers:
            block = []
            for sentence in self.sentences[bisect_right(starts, marker.span.end):]:
                if sentence.voice not in BODY_VOICES:
                    break
                block.append(sentence)
            if block and not self._names_an_outlet(marker.span.text):
                blocks += [marker.span, Span.of(self.article.text, block[0].span.start, block[-1].span.end)]
        count = len(blocks) // 2
        return Signal(
            id="unnamed_origin_blocks", name="Reported blocks whose origin is not named", value=count,
            level=SignalLevel.WARNING if count else SignalLevel.INFO,
            explanation=(f"{count} blocks are introduced as reports (“"
                         + "”, “".join(" ".join(m.span.text.split()) for m in markers) +
                         "”) without naming who published them: likely copied from other outlets.")
            if count else "No block of passed-on text without a named origin.",
            evidence=blocks,
        )

    def _names_an_outlet(self, text: str) -> bool:
        return any(re.search(rf"\b{re.escape(o.name)}\b", text, re.IGNORECASE) for o in self.outlets)

    def headline_support(self) -> Signal | None:
        headline = next((s for s in self.sentences if s.voice is Voice.HEADLINE), None)
        if headline is None:
            return None
        wanted = self._content_words(headline.span) | self._anchors(headline.span)
        best: tuple[float, Sentence] | None = None
        for sentence in self.body:
            words = self._content_words(sentence.span) | self._anchors(sentence.span)
            score = len(wanted & words) / (len(wanted) or 1)
            if best is None or score > best[0]:
                best = (score, sentence)
        if best is None or best[0] < 0.4:
            return Signal(id="headline_support", name="Headline supported by the body", value="unsupported",
                          level=SignalLevel.WARNING, evidence=[headline.span],
                          explanation="No sentence of the body states what the headline claims.")
        score, sentence = best
        supporting = [a for a in self.speech if a.id in sentence.attribution_ids]
        if supporting and supporting[0].source is not None:
            value, level = "reported", SignalLevel.INFO
            how = f"reported from {supporting[0].source.name}" + (
                " (anonymous)" if supporting[0].source.anonymous else "")
        else:
            value, level = "author only", SignalLevel.CAUTION
            how = "stated on the author's own authority, with no source"
        return Signal(id="headline_support", name="Headline supported by the body", value=value, level=level,
                      explanation=f"The headline's claim is best matched by “{' '.join(sentence.span.text.split())}”, "
                      f"{how}.", evidence=[headline.span, sentence.span])

    # ---- claims in tension ---------------------------------------------------------------------
    def tensions(self) -> Signal:
        claims = self._claims()
        pairs: list[tuple[int, _Claim, _Claim]] = []
        for i, j in self._opposed(claims):
            first, second = claims[i], claims[j]
            if first.span.start == second.span.start:
                continue
            shared_groups = (first.affirmed & second.denied) | (first.denied & second.affirmed)
            shared_anchors = first.anchors & second.anchors
            if shared_groups and shared_anchors:
                # a claim set against someone else's words is the more telling tension
                across_voices = 2 if first.who != second.who else 0
                pairs.append((len(shared_groups) + len(shared_anchors) + across_voices, first, second))
        pairs.sort(key=lambda item: -item[0])
        pairs = pairs[:MAX_TENSIONS]
        described = "; ".join(
            f"“{_short(a.span.text)}” ({a.who}) vs “{_short(b.span.text)}” ({b.who})" for _, a, b in pairs)
        return Signal(
            id="claims_in_tension", name="Claims in tension inside the article", value=len(pairs),
            level=SignalLevel.WARNING if pairs else SignalLevel.INFO,
            explanation=("Claims about the same actors and action with opposite polarity: " + described + ".")
            if pairs else "No pair of claims about the same actors and action with opposite polarity.",
            evidence=[span for _, a, b in pairs for span in (a.span, b.span)],
        )

    @staticmethod
    def _opposed(claims: list[_Claim]) -> list[tuple[int, int]]:
        """The pairs ``i < j`` of claims that share an anchor and an action with opposite polarity, in order:
        found through (anchor, action) keys instead of by comparing every pair."""
        affirming: dict[tuple[str, str], list[int]] = {}
        denying: dict[tuple[str, str], list[int]] = {}
        for i, claim in enumerate(claims):
            for anchor in claim.anchors:
                for group in claim.affirmed:
                    affirming.setdefault((anchor, group), []).append(i)
                for group in claim.denied:
                    denying.setdefault((anchor, group), []).append(i)
        found = {(min(i, j), max(i, j)) for key, yes in affirming.items() for i in yes for j in denying.get(key, [])
                 if i != j}
        return sorted(found)

    def _claims(self) -> list[_Claim]:
        claims = [self._claim(s.span, "the author") for s in self.body
                  if s.voice in (Voice.AUTHOR_ASSERTION, Voice.AUTHOR_OPINION)]
        for attribution in self.speech:
            who = " via ".join(attribution.chain[:-1])
            claims += [self._claim(span, who) for span in attribution.content]
        return [c for c in claims if (c.affirmed or c.denied) and c.anchors]

    def _claim(self, span: Span, who: str) -> _Claim:
        affirmed: set[str] = set()
        denied: set[str] = set()
        for token in self._tokens(span):
            group = self.lexicon.predicate_groups.get(token.lemma_.lower())
            if group is None or any(c.tag_ == "MD" for c in token.children):
                continue  # "would not allow", "would welcome": hypotheticals assert nothing
            negators = [c for c in token.children if c.dep_ == "neg" or c.lower_ in self.lexicon.negations]
            (denied if negators else affirmed).add(group)
        return _Claim(span, who, frozenset(self._anchors(span)), frozenset(affirmed), frozenset(denied))

    def _tokens(self, span: Span) -> Iterable[Token]:
        window = self.doc.char_span(span.start, span.end, alignment_mode="expand")
        return window if window is not None else []

    def _anchors(self, span: Span) -> set[str]:
        """Canonical actors and places in a span, with metonyms folded (Baghdad → Iraq, Russians → Russia)."""
        anchors = set()
        for _mention, cluster in self.index.mentions_starting_in(span.start, span.end):
            name = cluster.name
            anchors.add(self.lexicon.place_metonyms.get(name, name))
        return anchors

    def _content_words(self, span: Span) -> set[str]:
        return {t.lemma_.lower() for t in self._tokens(span)
                if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") and not t.is_stop}

    def run(self) -> Credibility:
        signals = [self.opinion(), self.loaded_language(), self.unattributed(), self.named_vs_anonymous(),
                   self.independent_sources(), self.state_media(), self.publisher(), self.unnamed_origin_blocks(),
                   self.headline_support(), self.tensions()]
        kept = [s for s in signals if s is not None]
        return Credibility(summary=_summary(kept), signals=kept, method=METHOD)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_clause(explanation: str, limit: int = 220) -> str:
    """Enough of an explanation for the summary: up to its colon, or its first ``limit`` characters."""
    head = explanation.split(": “")[0].split(": ")[0] if len(explanation) > limit else explanation
    return head if head.endswith(".") else head.rstrip(".") + "."


def _summary(signals: list[Signal]) -> str:
    """A few plain sentences: the warnings first, then the cautions, then the shape of the article."""
    by_id = {s.id: s for s in signals}
    flagged = [s for s in signals if s.level is SignalLevel.WARNING] + \
        [s for s in signals if s.level is SignalLevel.CAUTION]
    lines = [by_id["opinion_share"].explanation]
    lines += [_first_clause(s.explanation) for s in flagged if s.id != "opinion_share"][:5]
    if not flagged:
        lines.append("No signal calls for particular caution.")
    return " ".join(lines)


def assess(article: Article, doc: Doc, sentences: list[Sentence], attributions: list[Attribution],
           index: EntityIndex, outlets: list[OutletLink], lexicon: Lexicon) -> Credibility:
    return _Assessor(article, doc, sentences, attributions, index, outlets, lexicon).run()
