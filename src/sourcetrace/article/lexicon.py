"""The curated word lists behind the rule layer, loaded from ``resources/lexicon.json``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class ConduitPhrases:
    """The words that pass a claim on (lexicon.json ``conduit_phrases``, described there)."""

    according_to: tuple[str, ...]  # "according to"
    by_verbs: frozenset[str]  # lemmas: "as reported by X", "quoted by X"
    citing_verbs: frozenset[str]  # lemmas: "…, citing Y", "which cited Y", "quoted Y as saying"
    interview_nouns: frozenset[str]  # "in an interview with X"
    speaking_verbs: frozenset[str]  # lemmas: "speaking to X"
    cited_documents: frozenset[str]  # "citing an internal document": what may be cited as a source besides people


@dataclass(frozen=True)
class Lexicon:
    speech_verbs: frozenset[str]
    cognition_verbs: frozenset[str]
    intention_verbs: frozenset[str]
    evidence_verbs: frozenset[str]  # "the poll shows that": a cue only with a that-clause
    audience_nouns: frozenset[str]
    report_nouns: frozenset[str]
    anonymous_nouns: frozenset[str]
    person_titles: tuple[str, ...]
    loaded_terms: re.Pattern[str]
    hedges: re.Pattern[str]
    first_person: frozenset[str]
    boilerplate: tuple[re.Pattern[str], ...]
    markers: tuple[re.Pattern[str], ...]
    place_metonyms: dict[str, str]
    predicate_groups: dict[str, str]  # word or lemma → group name
    negations: frozenset[str]
    conduits: ConduitPhrases
    outlet_descriptors: frozenset[str]  # "newspaper", "news agency": words around an outlet's name, never in it
    non_comment: tuple[re.Pattern[str], ...]  # "declined to comment": reporting, not a claim and not opinion
    place_prepositions: frozenset[str]  # "in Odesa": a one-word name after these is a place, not a person
    organisation_nouns: frozenset[str]  # "the company said": resolved to the organisation named last

    @classmethod
    def load(cls) -> Lexicon:
        data = json.loads(resources.files("sourcetrace.resources").joinpath("lexicon.json").read_text("utf-8"))
        return cls(
            speech_verbs=frozenset(data["speech_verbs"]),
            cognition_verbs=frozenset(data["cognition_verbs"]),
            intention_verbs=frozenset(data["intention_verbs"]),
            evidence_verbs=frozenset(data["evidence_verbs"]),
            audience_nouns=frozenset(data["audience_nouns"]),
            report_nouns=frozenset(data["report_nouns"]),
            anonymous_nouns=frozenset(data["anonymous_nouns"]),
            person_titles=tuple(sorted(data["person_titles"], key=len, reverse=True)),
            loaded_terms=_alternation(data["loaded_terms"]),
            hedges=_alternation(data["hedges_and_intensifiers"]),
            first_person=frozenset(data["first_person"]),
            boilerplate=tuple(re.compile(p) for p in data["boilerplate_patterns"]),
            markers=tuple(re.compile(p) for p in data["marker_patterns"]),
            place_metonyms=dict(data["place_metonyms"]),
            predicate_groups={word: group for group, words in data["predicate_groups"].items() for word in words},
            negations=frozenset(data["negations"]),
            conduits=ConduitPhrases(
                according_to=tuple(data["conduit_phrases"]["according_to"]),
                by_verbs=frozenset(data["conduit_phrases"]["by_verbs"]),
                citing_verbs=frozenset(data["conduit_phrases"]["citing_verbs"]),
                interview_nouns=frozenset(data["conduit_phrases"]["interview_nouns"]),
                speaking_verbs=frozenset(data["conduit_phrases"]["speaking_verbs"]),
                cited_documents=frozenset(data["conduit_phrases"]["cited_documents"]),
            ),
            outlet_descriptors=frozenset(data["outlet_descriptors"]),
            non_comment=tuple(re.compile(p) for p in data["non_comment_patterns"]),
            place_prepositions=frozenset(data["place_prepositions"]),
            organisation_nouns=frozenset(data["organisation_nouns"]),
        )

    def is_cue_lemma(self, lemma: str) -> bool:
        return lemma in self.speech_verbs or lemma in self.cognition_verbs


def _alternation(terms: list[str]) -> re.Pattern[str]:
    """One case-insensitive whole-word pattern; longest terms first so phrases win over their words."""
    ordered = sorted(terms, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(t) for t in ordered) + r")(?![\w-])", re.IGNORECASE)
