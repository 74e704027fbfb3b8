"""An article as TF-IDF sub-vectors, and its features against a story (after Miranda et al., EMNLP 2018).

Each article becomes six sparse sub-vectors: words, lemmas and named entities, each for the title and for the
body. Words are lower-cased tokens without stop words; "lemmas" are a light rule-based English lemmatiser
(plural, -ing, -ed, -ly endings; no spaCy, so that stories never re-run the article pipeline); entities are the
canonical names of sourcetrace's own entity index (gazetteer ids merge ISIS = ISIL = Islamic State), read from
the stored report, or, where no report is at hand (the scale benchmark), capitalised phrases.

Term weights are ``(1 + log tf) * idf`` with document frequencies counted online over the stream (the store
keeps them), each sub-vector L2-normalised and cut to its strongest terms. An article against a story gives
one cosine per sub-vector (story centroids are sums of member vectors) and time-decay features on the distance
to the story's newest, mean and oldest dates; those features feed the learned decision in
:mod:`~sourcetrace.stories.model`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

SUBVECTORS = ("title_words", "title_lemmas", "title_entities", "body_words", "body_lemmas", "body_entities")
# the strongest terms kept per sub-vector, for articles and for story centroids
ARTICLE_TERMS = (20, 20, 10, 80, 80, 30)
CENTROID_TERMS = (30, 30, 15, 100, 100, 40)
TIME_SCALE_DAYS = 3.0
MAX_WORDS = 5_000  # a huge article is read up to here: a story is told long before
MIN_WORDS = 25  # fewer content words than this: too short to place in a story
FEATURE_NAMES = (
    "bias", *(f"cos_{name}" for name in SUBVECTORS), "cos_body_max", "time_newest", "time_mean", "time_oldest",
    "undated", "log_story_size",
)

_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]|\d[\d.,]*\d|\d")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])|\n\s*\n")
_CAPITALISED = re.compile(r"\b(?:[A-Z][\w'’-]*[a-z][\w'’-]*|[A-Z]{2,})(?:[ \t]+(?:of[ \t]+|the[ \t]+|de[ \t]+|al-)?"
                          r"(?:[A-Z][\w'’-]*[a-z][\w'’-]*|[A-Z]{2,}))*")
_STOP_TEXT = """
a about above after again against all almost also although always am among an and another any are around as at
be became because been before being below between both but by can could did do does doing done down during each
either else ever every few for from further get gets got had has have having he her here hers herself him himself
his how however i if in into is it its itself just last least less like made make many may me might more most
much must my myself near neither never new next no nor not now of off often on once one only or other others our
ours ourselves out over own per perhaps put rather really said same say says see seem seemed she should since so
some still such than that the their theirs them themselves then there these they this those though through thus
to too toward towards under until up upon us very via was we well were what whatever when where whether which
while who whom whose why will with within without would yet you your yours yourself yourselves s t don didn
doesn isn wasn aren weren won wouldn couldn shouldn hasn haven hadn ll re ve d m mr mrs ms according told tell
reported report reports reportedly news monday tuesday wednesday thursday friday saturday sunday week year
years day days time times two three first second one people
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_ENTITY_STOP = frozenset({"the", "a", "an", "this", "that", "but", "and", "it", "in", "on", "he", "she", "they", "we",
                          "i", "if", "as", "at", "for", "when", "while", "after", "before", "there", "his", "her",
                          "mr", "mrs", "ms", "according", "however", "meanwhile", "also", "although", "last",
                          "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                          "january", "february", "march", "april", "may", "june", "july", "august", "september",
                          "october", "november", "december", "reuters", "ap"})


_KEEP = frozenset({"news", "series", "species", "physics", "politics", "economics", "always", "perhaps", "bus",
                   "gas", "this", "thus", "during", "nothing", "something", "anything", "everything", "morning",
                   "evening", "king", "thing", "bring", "string", "spring", "ceiling", "wedding", "building",
                   "hundred", "need", "seed", "speed", "feed", "bed", "red", "shed"})


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """A light English lemmatiser: strips plural, -ing, -ed and -ly endings (``airstrikes`` → ``airstrike``,
    ``claimed`` → ``claim``, ``fighting`` → ``fight``); short words are left alone."""
    if len(word) <= 3 or not word.isalpha() or word in _KEEP:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ys", "as")):
        return word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if not any(v in stem for v in "aeiouy"):
                return word
            if len(stem) >= 2 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                return stem[:-1]
            return stem + "e" if stem.endswith(("at", "iz", "bl", "us", "iv", "ac", "ur", "as")) else stem
    if word.endswith("ly") and len(word) > 5:
        return word[:-2]
    return word


def words(text: str, limit: int = MAX_WORDS) -> list[str]:
    """Lower-cased content words (stop words and one-letter tokens dropped), at most ``limit`` tokens read."""
    out = []
    for index, match in enumerate(_WORD.finditer(text)):
        if index >= limit:
            break
        token = match.group().lower().replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        if len(token) > 1 and token not in STOP_WORDS:
            out.append(token)
    return out


def first_sentence(text: str) -> str:
    """The lede: the text up to the first sentence end (at most 400 characters)."""
    head = text.lstrip()[:400]
    match = _SENTENCE_END.search(head)
    return head[: match.start()] if match else head


def entity_key(name: str) -> str:
    """A canonical name as a term: case-folded, 'the' dropped, spaces collapsed."""
    key = " ".join(name.casefold().replace("’", "'").split())
    return key[4:] if key.startswith("the ") else key


def heuristic_entities(text: str, limit: int = MAX_WORDS * 8) -> list[tuple[str, int]]:
    """spaCy-free stand-in for the entity index: capitalised phrases (not a sentence's first word alone), with
    the character offset of each; used where no stored report is at hand."""
    out = []
    for match in _CAPITALISED.finditer(text[:limit]):
        phrase = match.group()
        if " " not in phrase and phrase.lower() in _ENTITY_STOP:
            continue
        if " " not in phrase and not phrase.isupper():
            before = text[max(0, match.start() - 3): match.start()]
            if match.start() == 0 or re.search(r"[.!?\"“]\s*$|\n\s*$", before):
                continue  # a sentence's first word
        words_ = phrase.split()
        while words_ and words_[0].lower() in _ENTITY_STOP:
            words_.pop(0)
        if words_:
            name = " ".join(words_)
            out.append((name[:-2] if name.endswith(("'s", "’s")) else name, match.start()))
    return out


def report_entities(report: Mapping[str, Any]) -> list[tuple[str, int]]:
    """(canonical name, offset) per named-entity mention in a stored report's JSON (people, organisations,
    places, groups, outlets), read without building the typed model."""
    out = []
    for entity in report.get("entities") or ():
        name = entity.get("name")
        if not name:
            continue
        for mention in entity.get("mentions") or ():
            if mention.get("resolved_from"):
                continue  # a pronoun or title resolved to the entity: not a named mention
            out.append((name, int(mention["span"]["start"])))
    return out


@dataclass(frozen=True)
class ArticleTerms:
    """An article's raw term counts per sub-vector, before weighting."""

    article_id: int
    date: float | None  # days since 1970-01-01, None when undated
    counts: tuple[dict[str, int], ...]
    n_words: int

    def document_terms(self) -> set[str]:
        """Every distinct term, for document frequencies (title and body counted once)."""
        terms: set[str] = set()
        for counts in self.counts:
            terms.update(counts)
        return terms


def article_terms(article_id: int, text: str, *, title: str | None, date: float | None,
                  entities: Sequence[tuple[str, int]] | None = None) -> ArticleTerms:
    """Count an article's terms. ``title`` None: the first sentence stands for it (a lede is a headline's
    neighbour); ``entities`` None: capitalised phrases stand for the entity index."""
    body = text[: MAX_WORDS * 10]
    has_title = bool(title and title.strip())
    heading = title.strip() if title and has_title else first_sentence(body)
    body_words = words(body)
    title_words = words(heading, 60)
    found = list(entities) if entities is not None else heuristic_entities(body)
    if has_title:
        lowered = heading.casefold()
        title_keys = [key for key in sorted({entity_key(name) for name, _ in found}) if key in lowered]
        if entities is None:
            title_keys += [entity_key(name) for name, _ in heuristic_entities(heading)]
    else:
        heading_end = len(body) - len(body.lstrip()) + len(heading)
        title_keys = [entity_key(name) for name, offset in found if offset < heading_end]
    entity_counts: Counter[str] = Counter("e:" + entity_key(name) for name, _ in found)
    title_entities: Counter[str] = Counter("e:" + key for key in title_keys)
    counts = (
        Counter("w:" + w for w in title_words),
        Counter("l:" + lemma(w) for w in title_words),
        title_entities,
        Counter("w:" + w for w in body_words),
        Counter("l:" + lemma(w) for w in body_words),
        entity_counts,
    )
    return ArticleTerms(article_id, date, tuple(dict(c) for c in counts), len(body_words))


Vector = dict[str, float]


def _strongest(item: tuple[str, float]) -> tuple[float, str]:
    """Sort key: heaviest first, ties by term (the same order in every process, whatever the hash seed)."""
    return -item[1], item[0]


def weigh(counts: Mapping[str, int], df: Mapping[str, int], n_docs: int, keep: int) -> Vector:
    """``(1 + log tf) * idf``, L2-normalised, cut to the ``keep`` strongest terms."""
    weights = {term: (1.0 + math.log(tf)) * (math.log((n_docs + 1) / (df.get(term, 0) + 1)) + 1.0)
               for term, tf in counts.items()}
    if len(weights) > keep:
        weights = dict(sorted(weights.items(), key=_strongest)[:keep])
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {term: w / norm for term, w in weights.items()}


@dataclass
class Centroid:
    """A story's centroid: per sub-vector, the sum of its members' normalised vectors (strongest terms kept),
    plus its dates."""

    vectors: list[Vector] = field(default_factory=lambda: [{} for _ in SUBVECTORS])
    norms: list[float] = field(default_factory=lambda: [0.0] * len(SUBVECTORS))
    size: int = 0
    n_dated: int = 0
    date_sum: float = 0.0
    newest: float | None = None
    oldest: float | None = None

    def add(self, vectors: Sequence[Vector], date: float | None) -> None:
        for index, vector in enumerate(vectors):
            target = self.vectors[index]
            for term, weight in vector.items():
                target[term] = target.get(term, 0.0) + weight
            limit = CENTROID_TERMS[index]
            if len(target) > 2 * limit:
                self.vectors[index] = target = dict(sorted(target.items(), key=_strongest)[:limit])
            self.norms[index] = math.sqrt(sum(w * w for w in target.values()))
        self.size += 1
        if date is not None:
            self.n_dated += 1
            self.date_sum += date
            self.newest = date if self.newest is None else max(self.newest, date)
            self.oldest = date if self.oldest is None else min(self.oldest, date)

    def to_json(self) -> dict[str, Any]:
        vectors = [dict(sorted(v.items(), key=_strongest)[:limit])
                   for v, limit in zip(self.vectors, CENTROID_TERMS, strict=True)]
        return {"v": [{t: round(w, 4) for t, w in v.items()} for v in vectors], "n": self.size, "nd": self.n_dated,
                "ds": self.date_sum, "new": self.newest, "old": self.oldest}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Centroid:
        vectors = [dict(v) for v in data["v"]]
        return cls(vectors, [math.sqrt(sum(w * w for w in v.values())) for v in vectors], data["n"], data["nd"],
                   data["ds"], data["new"], data["old"])

    def top_terms(self, index: int, n: int) -> list[str]:
        return [t for t, _ in sorted(self.vectors[index].items(), key=_strongest)[:n]]


def _cosine(vector: Vector, centroid: Vector, norm: float) -> float:
    if not norm or not vector:
        return 0.0
    if len(vector) > len(centroid):
        return sum(w * vector.get(t, 0.0) for t, w in centroid.items()) / norm
    return sum(w * centroid.get(t, 0.0) for t, w in vector.items()) / norm


def _decay(days: float) -> float:
    return math.exp(-abs(days) / TIME_SCALE_DAYS)


def pair_features(vectors: Sequence[Vector], date: float | None, story: Centroid) -> list[float]:
    """The features of an article (its weighted sub-vectors and date) against a story, in FEATURE_NAMES order."""
    cosines = [_cosine(v, c, n) for v, c, n in zip(vectors, story.vectors, story.norms, strict=True)]
    if date is None or story.newest is None or story.oldest is None or not story.n_dated:
        times = [1.0, 1.0, 1.0]
        undated = 1.0
    else:
        times = [_decay(date - story.newest), _decay(date - story.date_sum / story.n_dated),
                 _decay(date - story.oldest)]
        undated = 0.0
    return [1.0, *cosines, max(cosines[3], cosines[4]), *times, undated, math.log(story.size)]


def index_keys(vectors: Sequence[Vector], n_words: int = 8, n_entities: int = 6, n_title: int = 4) -> list[str]:
    """The terms an article is indexed and looked up under: its strongest body words, entities and title
    words (the rare, telling ones: weights are TF-IDF)."""

    def strongest(vector: Vector, n: int) -> list[str]:
        return [t for t, _ in sorted(vector.items(), key=_strongest)[:n]]

    keys = strongest(vectors[3], n_words) + strongest(vectors[5], n_entities) + strongest(vectors[0], n_title)
    return list(dict.fromkeys(keys))


def all_terms(items: Iterable[ArticleTerms]) -> set[str]:
    terms: set[str] = set()
    for item in items:
        terms |= item.document_terms()
    return terms
