"""Entity mentions and their canonicalisation: one entity per real-world thing, with every mention.

Mentions come from spaCy's NER plus the gazetteer rules added in :mod:`sourcetrace.article.nlp`. They are merged
by gazetteer id (ISIS = ISIL = Islamic State), by normalised name, by acronym, and, for people, by a
fuzzy surname match with compatible first names (Hakem al-Zameli = al-Zameli = Hakem al-Zamli).
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from sourcetrace.article.lexicon import Lexicon
from sourcetrace.article.nlp import gazetteer_names
from sourcetrace.article.offset_index import OffsetIndex
from sourcetrace.models import Entity, EntityKind, Mention, Span

_KIND_BY_LABEL = {
    "PERSON": EntityKind.PERSON,
    "ORG": EntityKind.ORGANIZATION,
    "OUTLET": EntityKind.OUTLET,
    "GPE": EntityKind.PLACE,
    "LOC": EntityKind.PLACE,
    "FAC": EntityKind.PLACE,
    "NORP": EntityKind.GROUP,
}
_OUTLET_NAME = re.compile(
    r"\b(News|Agency|Times|Post|Press|Journal|Herald|Tribune|Gazette|Daily|Radio|TV|Television|Broadcasting|"
    r"Telegraph|Chronicle|Reuters|Wire|Magazine|Observer|Guardian|Independent)\b"
)
_SURNAME_PARTICLE = re.compile(r"^(al|el|ad|as|ash|ben|bin|ibn|abu|van|von|de|da|del|della|di|du|le|la)[-\s]", re.I)


_TITLE_BEFORE = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.?\s+$")


def first_names() -> dict[str, str]:
    """First name (lower case) → "female" / "male", for names that are at least 95 % one sex in US records
    (from the process's resource bundle)."""
    from sourcetrace.article.resources import load_resources

    return load_resources().first_names


def read_first_names() -> dict[str, str]:
    """The first-names table, read from package data (uncached: use :func:`first_names`)."""
    raw = resources.files("sourcetrace.resources").joinpath("first_names.json.gz").read_bytes()
    data = json.loads(gzip.decompress(raw))
    return {name: sex for sex in ("female", "male") for name in data[sex]}


@dataclass
class _Cluster:
    id: str
    kind: EntityKind
    forms: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    gazetteer_name: str | None = None
    role: str | None = None

    # the name as last computed, with the number of forms it was computed from (forms are only ever added)
    _name: tuple[int, str] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        if self.gazetteer_name:
            return self.gazetteer_name
        if self._name is None or self._name[0] != len(self.forms):
            self._name = len(self.forms), self._choose_name()
        return self._name[1]

    def _choose_name(self) -> str:
        if self.kind is EntityKind.PERSON:
            # the full name the article uses most: "Hillary Clinton" (five times) over a one-off
            # "Crooked Hillary Clinton" in a quoted tweet, and over a bare surname however often it recurs
            full = [form for form in self.forms if len(form.split()) >= 2] or self.forms
            counts = Counter(full)
            return max(full, key=lambda form: (counts[form], len(form.split()), len(form)))
        return max(self.forms, key=lambda form: (len(form.split()), len(form)))


@dataclass
class EntityIndex:
    """Mentions by character offset and the clusters they belong to; stages add resolved mentions."""

    text: str
    clusters: dict[str, _Cluster] = field(default_factory=dict)
    # Mentions with their clusters, in cluster order then mention order, and an index over their spans: all
    # of them, and the named ones only (what entity_at looks at). Built on first use; add_mention drops the
    # first (it only adds resolved mentions), merging clusters drops both.
    _indexed: tuple[list[tuple[Mention, _Cluster]], OffsetIndex] | None = field(default=None, repr=False)
    _named_indexed: tuple[list[tuple[Mention, _Cluster]], OffsetIndex] | None = field(default=None, repr=False)

    def _mention_index(self, named_only: bool) -> tuple[list[tuple[Mention, _Cluster]], OffsetIndex]:
        built = self._named_indexed if named_only else self._indexed
        if built is None:
            listed = [(mention, cluster) for cluster in self.clusters.values() for mention in cluster.mentions
                      if not named_only or mention.resolved_from is None]
            built = listed, OffsetIndex([(m.span.start, m.span.end) for m, _ in listed])
            if named_only:
                self._named_indexed = built
            else:
                self._indexed = built
        return built

    def mentions_starting_in(self, start: int, end: int) -> list[tuple[Mention, _Cluster]]:
        """Mentions that start inside ``[start, end)``, with their clusters, in cluster then mention order."""
        listed, index = self._mention_index(named_only=False)
        return [listed[k] for k in index.starting_in(start, end)]

    def entity_at(self, start: int, end: int, kinds: set[EntityKind] | None = None) -> str | None:
        """The entity with a mention inside ``[start, end)``, preferring the longest such mention."""
        best: tuple[int, str] | None = None
        listed, index = self._mention_index(named_only=True)
        # both kinds of match below overlap [start, end); the index finds those in cluster then mention order
        for k in index.overlapping(start, end):
            mention, cluster = listed[k]
            if kinds and cluster.kind not in kinds:
                continue
            inside = start <= mention.span.start and mention.span.end <= end
            # a person mention extended over a title may start before a source's name part
            ends_inside = start < mention.span.end <= end and cluster.kind is EntityKind.PERSON
            if (inside or ends_inside) and mention.resolved_from is None:
                length = mention.span.end - mention.span.start
                if best is None or length > best[0]:
                    best = (length, cluster.id)
        return best[1] if best else None

    def mentions_before(self, offset: int, kinds: set[EntityKind]) -> list[tuple[Mention, EntityKind]]:
        """Mentions of the given kinds ending before ``offset``, nearest first."""
        found = [
            (m, c.kind)
            for c in self.clusters.values()
            if c.kind in kinds
            for m in c.mentions
            if m.span.end <= offset
        ]
        return sorted(found, key=lambda item: -item[0].span.start)

    def name(self, entity_id: str) -> str:
        return self.clusters[entity_id].name

    def gender(self, entity_id: str) -> str | None:
        """"female", "male" or None for a person: from a title the text gives them ("Mrs. Clinton") or from
        a first name that at least 95 % of its US bearers share (see scripts/build_first_names.py)."""
        cluster = self.clusters[entity_id]
        if cluster.kind is not EntityKind.PERSON:
            return None
        for mention in cluster.mentions:
            before = self.text[max(0, mention.span.start - 6) : mention.span.start]
            title = _TITLE_BEFORE.search(before) or _TITLE_BEFORE.search(mention.span.text.split(" ")[0] + " ")
            if title:
                return "male" if title.group(1) == "Mr" else "female"
        names = first_names()
        for form in cluster.forms:
            words = [w for w in form.split() if w.rstrip(".") not in ("Mr", "Mrs", "Ms", "Miss", "Dr")]
            if len(words) >= 2:
                first = words[0].lower()
                if first in names:
                    return names[first]
        return None

    def kind(self, entity_id: str) -> EntityKind:
        return self.clusters[entity_id].kind

    def role(self, entity_id: str) -> str | None:
        return self.clusters[entity_id].role

    def set_role(self, entity_id: str, role: str) -> None:
        cluster = self.clusters[entity_id]
        if cluster.role is None or len(role) > len(cluster.role):
            cluster.role = role

    def add_mention(self, entity_id: str, start: int, end: int, resolved_from: str) -> None:
        cluster = self.clusters[entity_id]
        if not any(m.span.start == start and m.span.end == end for m in cluster.mentions):
            cluster.mentions.append(
                Mention(span=Span.of(self.text, start, end), entity_id=entity_id, resolved_from=resolved_from)
            )
            self._indexed = None

    def entities(self) -> list[Entity]:
        result = []
        for cluster in self.clusters.values():
            mentions = sorted(cluster.mentions, key=lambda m: m.span.start)
            name = cluster.name
            aliases = sorted({m.span.text for m in mentions if m.resolved_from is None} - {name})
            result.append(
                Entity(
                    id=cluster.id, name=name, kind=cluster.kind, aliases=aliases, mentions=mentions,
                    role=cluster.role,
                )
            )
        return sorted(result, key=lambda e: e.mentions[0].span.start if e.mentions else 0)


def clean_name(surface: str, titles: tuple[str, ...] = ()) -> str:
    """The name without a leading article, possessive, line breaks or (for people) titles."""
    name = " ".join(surface.split())
    name = re.sub(r"[’']s$", "", name)
    name = re.sub(r"^(the|The)\s+", "", name)
    changed = True
    while changed:
        changed = False
        for title in titles:
            if name.startswith(title + " ") and len(name) > len(title) + 1:
                name = name[len(title) + 1 :]
                changed = True
    name = name.strip(" ,")
    return name if re.search(r"\w\.\w", name) else name.rstrip(".")


def _person_parts(name: str) -> tuple[str, str]:
    """(first names, normalised surname) — the surname without particles like 'al-' and hyphens."""
    tokens = name.split()
    surname = _SURNAME_PARTICLE.sub("", tokens[-1]).replace("-", "").lower()
    return " ".join(tokens[:-1]).lower(), surname


def _same_person(a: str, b: str) -> bool:
    first_a, surname_a = _person_parts(a)
    first_b, surname_b = _person_parts(b)
    if not surname_a or not surname_b or fuzz.ratio(surname_a, surname_b) < 85:
        return False
    # middle initials say nothing against a match ("Loretta E. Lynch" = "Loretta Lynch"); a lone initial must
    # be the other's ("J. Smith" = "John Smith", not "Kevin Smith")
    full_a, full_b = (" ".join(w for w in f.split() if len(w.rstrip(".")) > 1) for f in (first_a, first_b))
    if first_a and first_b and not (full_a and full_b):
        return first_a[0] == first_b[0]
    first_a, first_b = full_a, full_b
    if not first_a or not first_b or fuzz.ratio(first_a, first_b) >= 85:
        return True
    # a nickname or epithet in front ("Crooked Hillary Clinton"): the shorter first names end the longer
    shorter, longer = sorted((first_a.split(), first_b.split()), key=len)
    return len(longer) > len(shorter) and [w.lower() for w in longer[-len(shorter):]] == [w.lower() for w in shorter]


def _acronym(name: str) -> str:
    return "".join(word[0] for word in re.findall(r"[A-Za-z][\w’'-]*", name) if word[0].isupper())


def extract(text: str, doc: Doc, lexicon: Lexicon) -> EntityIndex:
    index = EntityIndex(text)
    by_key: dict[str, str] = {}
    acronyms = _Acronyms()
    order: dict[str, int] = {}  # cluster id → its place among the clusters
    for ent in doc.ents:
        kind = _KIND_BY_LABEL.get(ent.label_)
        role = None
        if kind is None:
            continue
        start, end = ent.start_char, ent.end_char
        surface = text[start:end]
        while end > start and text[end - 1].isspace():
            end -= 1
        if kind is EntityKind.ORGANIZATION and _OUTLET_NAME.search(surface):
            kind = EntityKind.OUTLET
        name = clean_name(surface, lexicon.person_titles if kind is EntityKind.PERSON else ())
        if not name or not any(c.isupper() for c in name):
            continue  # "n’t" tagged as a place, lower-case noise
        if _not_a_name(ent, kind, lexicon):
            continue
        if kind in (EntityKind.PERSON, EntityKind.GROUP) and _after_place_preposition(ent, lexicon):
            kind = EntityKind.PLACE  # "a trader in Odesa": the parser's person is a town
        if kind is EntityKind.PERSON:
            start, role = _title_before(doc, ent.start, text, lexicon)
        if kind is EntityKind.PERSON and name.endswith(("’s", "'s")):
            name = name[:-2]
        cluster_id = _match(acronyms, by_key, ent.ent_id_, name, kind)
        if cluster_id is None:
            cluster_id = f"e{len(index.clusters) + 1}"
            index.clusters[cluster_id] = _Cluster(cluster_id, kind)
            order[cluster_id] = len(order)
        cluster = index.clusters[cluster_id]
        if kind is EntityKind.PERSON and role:
            index.set_role(cluster_id, role)
        if ent.ent_id_:
            by_key["gaz:" + ent.ent_id_] = cluster_id
            cluster.gazetteer_name = gazetteer_names().get(ent.ent_id_, cluster.gazetteer_name)
        by_key[_key(kind, name)] = cluster_id
        cluster.forms.append(name)
        acronyms.add(order[cluster_id], cluster, name)
        cluster.mentions.append(Mention(span=Span.of(text, start, end), entity_id=cluster_id))
    _merge_people(index)
    return index


def _not_a_name(ent: SpacySpan, kind: EntityKind, lexicon: Lexicon) -> bool:
    """A one-word "organisation" that is a common noun ("Insult" opening a headline) or a word of a person's
    title ("Deputy [Defense] Minister Anatoly Antonov")."""
    if kind is not EntityKind.ORGANIZATION or len(ent) != 1:
        return False
    token = ent[0]
    if token.tag_ in ("NN", "NNS") and not token.text.isupper():
        return True
    titles = {word for title in lexicon.person_titles for word in title.split()}
    return token.dep_ == "compound" and token.head.text in titles


def _after_place_preposition(ent: SpacySpan, lexicon: Lexicon) -> bool:
    """A one-word name right after a locative preposition ("in Odesa", "near Kherson"), not a known first name
    and not a possessive."""
    if len(ent) != 1 or ent.start == 0 or ent[0].text.lower() in first_names():
        return False
    after = ent.doc[ent.end].text if ent.end < len(ent.doc) else ""
    return ent.doc[ent.start - 1].lower_ in lexicon.place_prepositions and after not in ("'s", "’s")


def _key(kind: EntityKind, name: str) -> str:
    return f"{kind}:{name.lower().replace('.', '')}"


def _title_before(doc: Doc, first: int, text: str, lexicon: Lexicon) -> tuple[int, str | None]:
    """Extend a person mention left over a title ("General Dunford"); return its start and any role.

    The role is the run of capitalised modifiers before the name ("U.S. Gen.", "Russian Deputy Defense
    Minister"), which is how news style introduces people.
    """
    i = first
    while i > 0 and doc[i - 1].dep_ in ("compound", "amod", "nmod") and doc[i - 1].head.i >= i and (
        doc[i - 1].text[:1].isupper()
    ):
        i -= 1
    role = text[doc[i].idx : doc[first].idx].strip() if i < first else None
    start = doc[first].idx
    if role:
        for title in lexicon.person_titles:
            if role.endswith(title):
                start = doc[first - 1].idx + len(doc[first - 1]) - len(title)
                break
    return start, role


def _match(acronyms: _Acronyms, by_key: dict[str, str], ent_id: str, name: str, kind: EntityKind) -> str | None:
    if ent_id and "gaz:" + ent_id in by_key:
        return by_key["gaz:" + ent_id]
    if _key(kind, name) in by_key:
        return by_key[_key(kind, name)]
    if kind in (EntityKind.ORGANIZATION, EntityKind.OUTLET):
        return acronyms.find(name)
    return None


@dataclass
class _Acronyms:
    """The organisations (and outlets) seen so far by acronym, so that "NATO" finds "North Atlantic Treaty
    Organization" and the reverse without comparing every form of every cluster. Each map keeps the earliest
    cluster, as a scan of the clusters in order would find."""

    by_acronym: dict[str, tuple[int, str]] = field(default_factory=dict)  # _acronym(form) → cluster
    by_capitals: dict[str, tuple[int, str]] = field(default_factory=dict)  # an all-capitals form → cluster

    def add(self, order: int, cluster: _Cluster, form: str) -> None:
        if cluster.kind not in (EntityKind.ORGANIZATION, EntityKind.OUTLET):
            return
        keys = [(self.by_acronym, _acronym(form))] + ([(self.by_capitals, form)] if form.isupper() else [])
        for table, key in keys:
            if key not in table or order < table[key][0]:
                table[key] = (order, cluster.id)

    def find(self, name: str) -> str | None:
        found = [self.by_acronym.get(name) if name.isupper() else None, self.by_capitals.get(_acronym(name))]
        return min((hit for hit in found if hit is not None), default=(0, None))[1]


def _merge_people(index: EntityIndex) -> None:
    """Fold each person cluster into an earlier or fuller one naming the same person."""
    people = [c for c in index.clusters.values() if c.kind is EntityKind.PERSON]
    people.sort(key=lambda c: -max(len(f.split()) for f in c.forms))
    # _same_person needs surnames at least 85 % alike, so each cluster is compared only with the later ones
    # that have a form with such a surname, found through a table of surnames instead of a scan of all people.
    # (A cluster's forms change only while it is the fuller one, so the table of later clusters holds.)
    holders: dict[str, list[int]] = {}  # surname → positions in ``people`` of clusters with a form bearing it
    for position, cluster in enumerate(people):
        for form in cluster.forms:
            places = holders.setdefault(_person_parts(form)[1], [])
            if not places or places[-1] != position:
                places.append(position)
    surnames = [surname for surname in holders if surname]

    @cache
    def alike(surname: str) -> list[str]:
        if not surname:
            return []
        found = process.extract(surname, surnames, scorer=fuzz.ratio, score_cutoff=85, limit=None)
        return [match for match, _score, _index in found]

    for i, fuller in enumerate(people):
        if fuller.id not in index.clusters:
            continue
        after = i
        while True:  # the next later cluster naming the same person; fuller's name may change with each merge
            candidates = sorted({k for surname in alike(_person_parts(fuller.name)[1]) for k in holders[surname]
                                 if k > after})
            after = next((k for k in candidates if people[k].id in index.clusters
                          and any(_same_person(fuller.name, f) for f in people[k].forms)), -1)
            if after < 0:
                break
            other = people[after]
            fuller.forms += other.forms
            for mention in other.mentions:
                mention.entity_id = fuller.id
            fuller.mentions += other.mentions
            fuller.role = fuller.role or other.role
            del index.clusters[other.id]
    index._indexed = index._named_indexed = None
