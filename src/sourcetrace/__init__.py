"""sourcetrace: who claims what, through whom, in whose voice — with evidence spans for every answer."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from sourcetrace.article.pipeline import Pipeline, analyze
from sourcetrace.corpus import Corpus
from sourcetrace.errors import FetchError, InputError, SourcetraceError, UnsupportedLanguageError
from sourcetrace.models import Article, Attribution, Entity, Report, Sentence, Span, Voice

try:
    __version__ = version("sourcetrace")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = [
    "Article",
    "Attribution",
    "Corpus",
    "Entity",
    "FetchError",
    "InputError",
    "Pipeline",
    "Report",
    "Sentence",
    "SourcetraceError",
    "Span",
    "UnsupportedLanguageError",
    "Voice",
    "__version__",
    "analyze",
]
