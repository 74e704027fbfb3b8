"""Light text features for comparing claims without re-parsing: content-word stems, numbers, anchors (actors and
places, metonyms folded: Baghdad → Iraq) and the polarity of the actions a claim states (the lexicon's
predicate groups, affirmed or denied).

The claims level works from stored reports, so it has no dependency parse; polarity is read from a short window
instead: a negation ("no", "not", "n't", "never" …) or a denial verb ("denied", "rejected" …) a few words before an
action word denies it; a modal ("would", "could", "will" …) right before it makes it hypothetical, which asserts
nothing (as the credibility signal "claims in tension" treats "would not allow"); an action in the "to …"
complement of an earlier one in the clause ("permission to attack") is not asserted by itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from sourcetrace.article.lexicon import Lexicon

_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d[\d,.]*\d|\d")
_CLAUSE_BREAK = frozenset({",", ";", ":", "but", "although", "though", "while", "whereas", "however", "and"})
_MODALS = frozenset({"would", "could", "might", "may", "should", "will", "can", "shall", "must", "wo", "ca"})
_DENIALS = frozenset({"deny", "denies", "denied", "denying", "reject", "rejects", "rejected", "dismiss",
                      "dismissed", "dismisses", "refute", "refuted", "refutes", "disputed", "disputes"})
NEGATION_WINDOW = 5
# "not", "never" negate the verb right after them: an action word further on is denied only when what stands
# between is auxiliaries, adverbs of time or manner and determiners ("has not yet formally asked", "did not give
# any"); any other word is a verb of its own ("not seek strikes", "not known when strikes …"), and the action in
# its scope is then neither affirmed nor denied. "no", "without", "none" negate a noun phrase, modifiers and all
# ("no Russian air strikes").
_VERB_NEGATIONS = frozenset({"not", "never", "nor", "neither"})
# auxiliaries, adverbs, determiners, then light verbs ("did not launch strikes" denies the strikes)
_TRANSPARENT_TEXT = """have has had having been be being is are was were do does did to yet ever formally officially
explicitly directly publicly actually really even already previously since so far specifically personally any a an
the such further new more similar launch launched conduct conducted carry carried out make made give gave given
grant granted issue issued mount mounted stage staged"""
_NEGATION_TRANSPARENT = frozenset(_TRANSPARENT_TEXT.split())
MODAL_WINDOW = 4
DENIAL_WINDOW = 8
# stopwords for lexical overlap: function words only; content words decide whether two claims are related
_STOPWORD_TEXT = """a an the and or but if of to in on at by for with from into onto as is are was were be been
being has have had do does did this that these those it its it's they them their there here he she his her him
we our us you your i me my not no nor so than then too very can could would should will may might must shall
said says say told tell also just only about over after before during while which who whom whose what when where
why how all any both each few more most other some such own same s t now"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


_WORD_OR_BREAK = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d[\d,.]*\d|\d|[,;:]")


def _cased_tokens(text: str) -> list[str]:
    return _WORD_OR_BREAK.findall(text)


def tokens(text: str) -> list[str]:
    """Words and numbers, case-folded, curly apostrophes straightened; punctuation kept as tokens for clause
    breaks."""
    return [t.lower().replace("’", "'") for t in _cased_tokens(text)]


def stem(word: str) -> str:
    """A crude suffix stripper, enough to match 'strikes'/'strike', 'authorised'/'authorise', 'requested'."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    for suffix, replacement in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("is") and len(word) > 5:  # authorise/authorize
        word = word[:-2] + "iz"
    return word.rstrip("e") if len(word) > 4 else word


def content_stems(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(text) if t.lower() not in STOPWORDS and not t[0].isdigit()
            and len(t) > 1 and "'" not in t and "’" not in t]


def numbers(text: str) -> set[str]:
    return {t.replace(",", "") for t in _TOKEN.findall(text) if t[0].isdigit()}


@functools.cache
def _forms(lexicon_groups: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Every inflected form of the lexicon's one-word predicates → group."""
    forms: dict[str, str] = {}
    for word, group in lexicon_groups:
        if " " in word:
            continue
        variants = {word, word + "s", word + "es", word + "ed", word + "d", word + "ing", word + word[-1] + "ing",
                    word + word[-1] + "ed"}
        if word.endswith("e"):
            variants |= {word[:-1] + "ing"}
        if word.endswith("y"):
            variants |= {word[:-1] + "ies", word[:-1] + "ied"}
        if word.endswith("ize"):
            variants |= {v.replace("ize", "ise") for v in variants} | {v.replace("iz", "is") for v in variants}
        for form in variants:
            forms.setdefault(form, group)
    # irregular past forms of the shipped predicates
    for form, base in (("gave", "give"), ("given", "give"), ("struck", "strike"), ("asked", "ask"),
                       ("agreed", "agree"), ("backed", "back")):
        if base in dict(lexicon_groups):
            forms.setdefault(form, dict(lexicon_groups)[base])
    return forms


def polarity(text: str, lexicon: Lexicon) -> tuple[set[str], set[str]]:
    """(affirmed, denied) predicate groups stated in ``text``."""
    forms = _forms(tuple(sorted(lexicon.predicate_groups.items())))
    words = tokens(text)
    # a capitalised word past the first is a name ("has not given Russia permission"): transparent to a negation
    names = [n > 0 and w[:1].isupper() for n, w in enumerate(_cased_tokens(text))]
    joined = " ".join(words)
    affirmed: set[str] = set()
    denied: set[str] = set()
    multi = [(w, g) for w, g in lexicon.predicate_groups.items() if " " in w]
    hits: list[tuple[int, str]] = [(i, forms[w]) for i, w in enumerate(words) if w in forms]
    for phrase, group in multi:
        start = joined.find(phrase)
        if start != -1:
            hits.append((joined[:start].count(" "), group))
    hits.sort()
    hypothetical: int | None = None
    for n, (i, group) in enumerate(hits):
        window: list[str] = []
        for w in reversed(words[max(0, i - DENIAL_WINDOW):i]):
            if w in _CLAUSE_BREAK:
                break
            window.append(w)
        if n and {"to", "for"} & set(window[:4]) and _same_clause(words, hits[n - 1][0], i):
            continue  # "permission to attack", "no request … to conduct strikes": the complement is not asserted
        near = window[:NEGATION_WINDOW]
        if any(w in _MODALS for w in window[:MODAL_WINDOW]):
            hypothetical = i
            continue
        if hypothetical is not None and _same_clause(words, hypothetical, i):
            continue  # "would strongly welcome both air attacks": the whole clause is hypothetical
        negation = next((k for k, w in enumerate(near) if w in lexicon.negations or w.endswith("n't")), None)
        if negation is not None and near[negation] in _VERB_NEGATIONS and not all(
                w in _NEGATION_TRANSPARENT or names[i - 1 - k] for k, w in enumerate(near[:negation])):
            continue  # "would not seek Russian strikes", "not known when the strikes …": another verb is denied
        negated = negation is not None
        negated ^= any(w in _DENIALS for w in window)
        (denied if negated else affirmed).add(group)
    return affirmed, denied


_CLAUSE_AFTER = re.compile(r",\s+(?:[a-z]+ing\b|which\b|who\b|while\b|as\b|but\b|and\b|adding\b)|;|\s[-–—]\s")


def core_end(text: str, lexicon: Lexicon) -> int:
    """Where the claim's core ends: the end of the clause that states its first action ("Iraq has given Russia
    permission to hit …, adding to the tensions between Washington and Moscow" ends before ", adding"), so that
    its anchors are the actors of that action and not of a trailing comment; ``len(text)`` when nothing cuts it."""
    forms = _forms(tuple(sorted(lexicon.predicate_groups.items())))
    for match in re.finditer(r"[A-Za-z]+", text):
        if match.group(0).lower() in forms:
            cut = _CLAUSE_AFTER.search(text, match.end())
            return cut.start() if cut else len(text)
    return len(text)


def _same_clause(words: list[str], start: int, end: int) -> bool:
    return not any(w in _CLAUSE_BREAK for w in words[start + 1:end])


def fold_anchor(name: str, lexicon: Lexicon) -> str:
    """An entity's name as an anchor: metonyms folded (Baghdad → Iraq), an all-capitals dateline name
    ("BAGHDAD") read as the name."""
    if name.isupper() and len(name) > 4:
        name = name.title()
    return lexicon.place_metonyms.get(name, name)


def text_anchors(text: str, lexicon: Lexicon, names: Iterable[str] = ()) -> set[str]:
    """Anchors read from plain text: the metonym table's names and the given canonical names, where written."""
    found = {fold_anchor(name, lexicon) for name in names if name and name in text}
    for name, folded in lexicon.place_metonyms.items():
        if re.search(rf"\b{re.escape(name)}\b", text):
            found.add(folded)
    return found
