"""Language detection: sourcetrace's rules and models are English-only, so say so instead of guessing.

The detector is lingua over 73 of its 75 languages (all but Latin and Esperanto), in its low-accuracy
(trigram-only) mode, so that a language is named right or not at all: a detector restricted to a few languages
names an unlisted one as its nearest listed neighbour (Indonesian came out as Turkish). Measured here (lingua
2.1.1, one core): loading the trigram models of all these languages on first use takes ~0.4 s and ~60 MB of
memory; a 3,000-character sample takes well under 5 ms. High-accuracy mode adds the 1- to 5-gram models (several
hundred MB) for little gain on the prose samples :func:`require_english` reads. `benchmarks/language_refusal.py`
measures how often English is refused (0.1 %, each of them in fact another language) and German let through.
"""

from __future__ import annotations

import re
import unicodedata

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from sourcetrace.article.options import Options
from sourcetrace.errors import UnsupportedLanguageError

SAMPLE_CHARS = 3000
MIN_LETTERS = 80  # letters of narration outside names and quotations; below this a headline or name list fools it
MIN_CONFIDENCE = 0.9  # lingua's confidence needed to name a language (or, summed, two close neighbours)
MAX_ENGLISH_CHANCE = 0.01  # a text English has even this chance of being is never refused
# The other thresholds require_english decides by are Options fields (article/options.py). A short text (a
# paragraph pasted on its own) is judged by its words without capitals, as a long one is, but needs only
# ``min_short_words`` of them, and not one English function word among them; letters of narration in a script
# other than Latin, at least ``min_script_letters`` and most of the letters, make the text not English whatever
# its length (scripts are unambiguous where Latin-script names are not).

UNDETERMINED = "und"  # BCP 47's code for "no language could be determined"

_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Paired quotation marks within one line: “…”, „…“, «…», »…«, "…"
_QUOTATION = re.compile(r'“[^”\n]*”|„[^“”\n]*[“”]|«[^»\n]*»|»[^«\n]*«|"[^"\n]*"')
_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#]\w+")
# Common English function words that are not also common words of another Latin-script news language (so no
# "a", "as", "an", "on", "or", "was", "will", "die"). Names and loan words are never among them, so their share tells
# English prose with many foreign names apart from foreign prose.
_ENGLISH_FUNCTION_WORDS = frozenset({
    "the", "of", "and", "to", "is", "that", "for", "it", "with", "by", "at", "from", "this", "be", "are",
    "have", "has", "had", "were", "he", "she", "they", "we", "his", "her", "their", "its", "not", "but",
    "which", "who", "would", "said", "says", "been", "there", "than", "after", "also",
})


def _detector() -> LanguageDetector:
    from sourcetrace.article.resources import load_resources

    return load_resources().language_detector


def build_detector() -> LanguageDetector:
    """A new lingua detector (uncached: the process's resource bundle holds the shared one)."""
    # No news is published in Latin or Esperanto, and their trigrams are what English headlines and code fragments
    # most often resemble.
    return (
        LanguageDetectorBuilder.from_all_languages_without(Language.LATIN, Language.ESPERANTO)
        .with_low_accuracy_mode()
        .build()
    )


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


def _ranking(sample: str) -> list[tuple[str, float]]:
    """(ISO 639-1 code, confidence) of every language lingua gives a chance, most likely first."""
    return [
        (value.language.iso_code_639_1.name.lower(), float(value.value))
        for value in _detector().compute_language_confidence_values(sample)
        if value.value > 0
    ]


def _best_language(sample: str) -> tuple[str, float]:
    ranking = _ranking(sample)
    return ranking[0] if ranking else (UNDETERMINED, 0.0)


def detect_language(text: str) -> tuple[str, float]:
    """The ISO 639-1 code of the language a bounded prose sample is in, and lingua's confidence (0..1).

    Only the first :data:`SAMPLE_CHARS` characters of prose are read, so a book-length input costs the
    same as an article. Returns ``("und", 0.0)`` when the text has no letters to judge by.
    """
    return _best_language(_evidence(text))


def english_function_word_share(text: str) -> float:
    """Share of the words in ``text`` that are common English function words (0..1)."""
    words = [word.lower() for word in _WORD.findall(text)]
    if not words:
        return 0.0
    return sum(word in _ENGLISH_FUNCTION_WORDS for word in words) / len(words)


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code ("de" → "German", "nb" → "Bokmal"), else the code itself."""
    try:
        return Language.from_iso_code_639_1(IsoCode639_1.from_str(code)).name.title()
    except (ValueError, AttributeError):
        return code


def _non_latin_letters(text: str) -> tuple[int, int]:
    """(letters in a script other than Latin, all letters) of ``text``."""
    letters = _LETTER.findall(text)
    other = sum(not unicodedata.name(letter, "LATIN").startswith("LATIN") for letter in letters)
    return other, len(letters)


def _not_english(sample: str) -> UnsupportedLanguageError | None:
    """The refusal of a sample lingua is sure is not English, naming its language as far as lingua can tell it;
    None when English has any real chance."""
    ranking = _ranking(sample)
    if not ranking or dict(ranking).get("en", 0.0) >= MAX_ENGLISH_CHANCE:
        return None
    (code, confidence), *rest = ranking
    if confidence >= MIN_CONFIDENCE:
        where = f"in {language_name(code)} (confidence {confidence:.2f})"
    elif rest and confidence + rest[0][1] >= MIN_CONFIDENCE:  # close neighbours: Malay or Indonesian, Czech or Slovak
        second, second_confidence = rest[0]
        where = (f"in {language_name(code)} or {language_name(second)} "
                 f"(confidence {confidence:.2f} / {second_confidence:.2f})")
    else:
        return None
    return UnsupportedLanguageError(f"the article appears to be {where}; sourcetrace supports only English articles")


def require_english(text: str, options: Options | None = None) -> None:
    """Refuse text that is confidently not English; anything doubtful is let through.

    A false refusal stops the user cold while a false pass only yields a poor report, so the bar is high and
    names and quotations never count (an English report on Jakarta's ministers, or quoting Merkel in German, is
    English). Three cases:

    - narration mostly in a script other than Latin (Cyrillic, Hebrew, Devanagari, kana, Hangul…): not English,
      however short;
    - Latin-script narration with at least :data:`MIN_LETTERS` letters in words without capitals: few English
      function words (a share of at most ``options.max_english_function_words``), and lingua sure it is
      another language (or one of two close neighbours) and English has less than :data:`MAX_ENGLISH_CHANCE`;
    - a short Latin-script paragraph: at least ``options.min_short_words`` words without capitals, not one of
      them a common English function word, and lingua as sure of them.
    """
    options = options or Options()
    narration = _narration(text)
    other_script, letters = _non_latin_letters(narration)
    if other_script >= options.min_script_letters and other_script * 2 > letters:
        raise _not_english(narration) or UnsupportedLanguageError(
            "the article is not in English (most of its letters are not Latin script); "
            "sourcetrace supports only English articles"
        )
    refusal: UnsupportedLanguageError | None
    lowercase = _lowercase_words(narration)
    if len(_LETTER.findall(lowercase)) >= MIN_LETTERS:
        if english_function_word_share(narration) > options.max_english_function_words:
            return
        refusal = _not_english(_evidence(text))
    elif len(_WORD.findall(lowercase)) >= options.min_short_words and english_function_word_share(lowercase) == 0:
        # few words to go by: lingua must be as sure reading them with their names and capitals
        refusal = _not_english(lowercase) and _not_english(narration)
    else:
        return
    if refusal is not None:
        raise refusal
