"""Language detection: sourcetrace's rules and models are English-only, so say so instead of guessing.

The detector is lingua, restricted to eleven common news languages and run in its low-accuracy
(trigram-only) mode. Measured here (lingua 2.1.1, one core): building it is instant and loading the
trigram models of all eleven languages on first use takes ~0.2 s and ~17 MB of memory; a 3,000-character
sample takes well under 5 ms. High-accuracy mode adds the 1- to 5-gram models (~250 MB for these
languages) and only helps texts under ~120 characters, which :func:`require_english` never refuses anyway.
"""

from __future__ import annotations

import re
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from sourcetrace.errors import UnsupportedLanguageError

# A detector must know the languages it is to tell apart from English; the ones a news reader is most
# likely to paste cover most refusals. A language left out is reported as its nearest listed neighbour
# (Dutch as German, Catalan as Spanish or French), which still names a language other than English.
LANGUAGES: tuple[Language, ...] = (
    Language.ENGLISH, Language.SPANISH, Language.FRENCH, Language.GERMAN, Language.PORTUGUESE,
    Language.ITALIAN, Language.RUSSIAN, Language.ARABIC, Language.TURKISH, Language.PERSIAN, Language.CHINESE,
)
SAMPLE_CHARS = 3000
MIN_LETTERS = 80  # letters of narration outside names and quotations; below this a headline or name list fools it
MIN_CONFIDENCE = 0.9
MAX_ENGLISH_FUNCTION_WORDS = 0.12  # prose with more English function words than this is English enough

UNDETERMINED = "und"  # BCP 47's code for "no language could be determined"

_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Paired quotation marks within one line: “…”, „…“, «…», »…«, "…"
_QUOTATION = re.compile(r'“[^”\n]*”|„[^“”\n]*[“”]|«[^»\n]*»|»[^«\n]*«|"[^"\n]*"')
_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#]\w+")
# Common English function words that are not also words in another language of LANGUAGES (so no "a", "as",
# "an", "on", "or", "was", "will", "die"). Names and loan words are never among them, so their share tells
# English prose with many foreign names apart from foreign prose.
_ENGLISH_FUNCTION_WORDS = frozenset({
    "the", "of", "and", "to", "is", "that", "for", "it", "with", "by", "at", "from", "this", "be", "are",
    "have", "has", "had", "were", "he", "she", "they", "we", "his", "her", "their", "its", "not", "but",
    "which", "who", "would", "said", "says", "been", "there", "than", "after", "also",
})


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_low_accuracy_mode().build()


def prose_sample(text: str, limit: int = SAMPLE_CHARS) -> str:
    """Up to ``limit`` characters of the text's running prose.

    Headlines, bylines, captions and datelines are short lines made mostly of names, which pull a
    detector towards whichever language the names come from; paragraphs of eight words or more are what
    the article is written in. Links and handles are dropped for the same reason. Falls back to the start
    of the text when it has no such paragraphs.
    """
    parts: list[str] = []
    size = 0
    for line in text.splitlines():
        line = " ".join(_NOISE.sub(" ", line).split())
        if len(line.split()) < 8:
            continue
        parts.append(line)
        size += len(line) + 1
        if size >= limit:
            break
    sample = "\n".join(parts) if parts else " ".join(_NOISE.sub(" ", text[: limit * 2]).split())
    return sample[:limit]


def _lowercase_words(sample: str) -> str:
    """The sample without any word that has a capital letter in it.

    Names carry the language of the people and places they name, not of the article: a paragraph listing
    French ministers or German footballers reads as French or German to a detector. Dropping every word
    with a capital removes names (and sentence-initial words, and German nouns) while the function words,
    verbs and adjectives that show the article's own language remain.
    """
    return " ".join(word for word in sample.split() if not any(char.isupper() for char in word))


def _narration(text: str) -> str:
    """The prose sample without quotations: the words the article is written in, not its speakers'.

    An English report quoting a German chancellor or a Turkish president at length is still English.
    """
    return " ".join(_QUOTATION.sub(" ", prose_sample(text)).split())


def _evidence(text: str) -> str:
    """What the detector reads: lowercase narration words if there are enough of them to judge by."""
    sample = prose_sample(text)
    for candidate in (_lowercase_words(_narration(text)), _lowercase_words(sample)):
        if len(_LETTER.findall(candidate)) >= MIN_LETTERS:
            return candidate
    return sample


def detect_language(text: str) -> tuple[str, float]:
    """The ISO 639-1 code of the language a bounded prose sample is in, and lingua's confidence (0..1).

    Only the first :data:`SAMPLE_CHARS` characters of prose are read, so a book-length input costs the
    same as an article. Returns ``("und", 0.0)`` when the text has no letters to judge by.
    """
    values = _detector().compute_language_confidence_values(_evidence(text))
    if not values or values[0].value <= 0:
        return UNDETERMINED, 0.0
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), float(best.value)


def english_function_word_share(text: str) -> float:
    """Share of the words in ``text`` that are common English function words (0..1)."""
    words = [word.lower() for word in _WORD.findall(text)]
    if not words:
        return 0.0
    return sum(word in _ENGLISH_FUNCTION_WORDS for word in words) / len(words)


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code among :data:`LANGUAGES` ("de" → "German"), else the code."""
    for language in LANGUAGES:
        if language.iso_code_639_1.name.lower() == code:
            return language.name.title()
    return code


def require_english(text: str) -> None:
    """Refuse text that is confidently not English; anything doubtful is let through.

    A false refusal stops the user cold while a false pass only yields a poor report, so the bar is
    high: at least :data:`MIN_LETTERS` letters of narration in words without capitals (quotations and
    names do not count), lingua at least :data:`MIN_CONFIDENCE` sure of another language, and few
    English function words in the narration.
    """
    narration = _narration(text)
    if len(_LETTER.findall(_lowercase_words(narration))) < MIN_LETTERS:
        return
    code, confidence = detect_language(text)
    if code in ("en", UNDETERMINED) or confidence < MIN_CONFIDENCE:
        return
    if english_function_word_share(narration) > MAX_ENGLISH_FUNCTION_WORDS:
        return
    raise UnsupportedLanguageError(
        f"the article appears to be in {language_name(code)} (confidence {confidence:.2f}); "
        "sourcetrace supports only English articles"
    )
