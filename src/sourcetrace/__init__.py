"""sourcetrace: who claims what, through whom, in whose voice — with evidence spans for every answer."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sourcetrace.errors import FetchError, InputError, SourcetraceError, UnsupportedLanguageError

if TYPE_CHECKING:
    from sourcetrace.article.pipeline import Pipeline, analyze
    from sourcetrace.claims.stance import Stance, stance
    from sourcetrace.corpus import Corpus
    from sourcetrace.models import Article, Attribution, Entity, Report, Sentence, Span, Voice

# The heavy names load on first use (PEP 562): the pipeline imports spaCy (about a second), and the light
# commands (`sourcetrace --help`, `corpus stories`, `corpus reuse`) and `import sourcetrace.cli` never need it.
_LAZY = {
    "Pipeline": "sourcetrace.article.pipeline",
    "analyze": "sourcetrace.article.pipeline",
    "Corpus": "sourcetrace.corpus",
    "Article": "sourcetrace.models",
    "Attribution": "sourcetrace.models",
    "Entity": "sourcetrace.models",
    "Report": "sourcetrace.models",
    "Sentence": "sourcetrace.models",
    "Span": "sourcetrace.models",
    "Voice": "sourcetrace.models",
    "Stance": "sourcetrace.claims.stance",
    "stance": "sourcetrace.claims.stance",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()[name] = _version()
        return globals()[name]
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sourcetrace' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, "__version__"})


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # 60 ms of imports: only when asked

    try:
        return version("sourcetrace")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0.0.0+unknown"

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
    "Stance",
    "UnsupportedLanguageError",
    "Voice",
    "__version__",
    "analyze",
    "stance",
]
