"""Language detection: sourcetrace's rules and models are English-only, so say so instead of guessing."""

from __future__ import annotations

import re
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from sourcetrace.errors import UnsupportedLanguageError

# Common news languages only: all of lingua's languages cost ~1.3 GB of memory and seconds to load.
_LANGUAGES = (
    Language.ENGLISH, Language.GERMAN, Language.FRENCH, Language.SPANISH, Language.PORTUGUESE,
    Language.ITALIAN, Language.DUTCH, Language.RUSSIAN, Language.ARABIC, Language.TURKISH, Language.PERSIAN,
    Language.CHINESE,
)
SAMPLE_CHARS = 3000
MIN_LETTERS = 40
MIN_CONFIDENCE = 0.6


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_LANGUAGES).build()


def detect_language(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, confidence) of a sample from the middle of the text, where the prose is."""
    sample = text[: SAMPLE_CHARS * 2]
    values = _detector().compute_language_confidence_values(sample[:SAMPLE_CHARS])
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), best.value


def require_english(text: str) -> None:
    """Refuse confidently non-English text; short or name-heavy texts get the benefit of the doubt."""
    if len(re.findall(r"[^\W\d_]", text[:SAMPLE_CHARS])) < MIN_LETTERS:
        return
    code, confidence = detect_language(text)
    if code != "en" and confidence >= MIN_CONFIDENCE:
        name = next(lang.name.title() for lang in _LANGUAGES if lang.iso_code_639_1.name.lower() == code)
        raise UnsupportedLanguageError(
            f"the article appears to be in {name} (confidence {confidence:.2f}); "
            "sourcetrace supports only English articles"
        )
