"""The resources the article pipeline loads, bundled in one :class:`Resources` made once per process.

:func:`load_resources` (``functools.cache``) is the one caching mechanism for them: it makes the bundle once, and
each component is loaded on first access and kept on that bundle (``cached_property``; the tagger under a lock),
so a process that never asks for the attribution tagger (``Pipeline(learned_attribution=False)``) or the spaCy
pipeline (``sourcetrace outlets``) never loads it. The modules' loader functions (``nlp.build_nlp``,
``Lexicon.load``, ``Registry.load``, ``entities.read_first_names``, ``attribution_model.read_shipped_decoder``,
``language.build_detector`` …) are plain, uncached loaders called from here; the accessors the code and tests
call (``load_nlp()``, ``default_registry()``, ``first_names()``, ``gazetteer_names()``, ``shipped_decoder()``)
read from the bundle.

Out of scope: the renderer's template caches (render/html.py), the web app's caches, and ``fetch.user_agent``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tldextract
    from lingua import LanguageDetector
    from spacy.language import Language

    from sourcetrace.article.attribution_model import TagDecoder, _Model
    from sourcetrace.article.lexicon import Lexicon
    from sourcetrace.outlets.registry import Registry

_TAGGER_LOCK = threading.Lock()


@dataclass(frozen=True, eq=False)
class Resources:
    """What the article pipeline loads; each component is loaded on first access and then kept.

    Make one with :func:`load_resources` (shared) or :meth:`with_overrides` (a copy with some components given).
    """

    @cached_property
    def gazetteer(self) -> list[dict[str, Any]]:
        """The gazetteer entries (resources/gazetteer.json)."""
        from sourcetrace.article.nlp import read_gazetteer

        return read_gazetteer()

    @cached_property
    def gazetteer_names(self) -> dict[str, str]:
        """Gazetteer id → canonical name."""
        return {entry["id"]: entry["name"] for entry in self.gazetteer}

    @cached_property
    def nlp(self) -> Language:
        """The pinned spaCy pipeline with sourcetrace's sentence and gazetteer rules."""
        from sourcetrace.article.nlp import build_nlp

        return build_nlp(self.gazetteer)

    @cached_property
    def lexicon(self) -> Lexicon:
        from sourcetrace.article.lexicon import Lexicon

        return Lexicon.load()

    @cached_property
    def registry(self) -> Registry:
        """The bundled outlet registry."""
        from sourcetrace.outlets.registry import Registry

        return Registry.load()

    @cached_property
    def first_names(self) -> dict[str, str]:
        """First name (lower case) → "female" / "male"."""
        from sourcetrace.article.entities import read_first_names

        return read_first_names()

    @cached_property
    def language_detector(self) -> LanguageDetector:
        from sourcetrace.article.language import build_detector

        return build_detector()

    @cached_property
    def domain_extractor(self) -> tldextract.TLDExtract:
        from sourcetrace.article.ingest import build_domain_extractor

        return build_domain_extractor()

    @cached_property
    def decoder(self) -> TagDecoder:
        """The decoder fitted to the shipped attribution tagger."""
        from sourcetrace.article.attribution_model import read_shipped_decoder

        return read_shipped_decoder()

    @property
    def tagger(self) -> _Model:
        """The learned attribution tagger (onnxruntime), loaded once under a lock: web workers share it."""
        with _TAGGER_LOCK:
            if "_tagger" not in self.__dict__:
                from sourcetrace.article.attribution_model import _Model

                object.__setattr__(self, "_tagger", _Model())
            tagger: _Model = self.__dict__["_tagger"]
            return tagger

    def with_overrides(self, **components: Any) -> Resources:
        """A new bundle with the given components (``nlp=``, ``lexicon=``, ``registry=`` …) and the rest of this
        one's already loaded components; the others load on first access as usual."""
        unknown = set(components) - _COMPONENTS
        if unknown:
            raise TypeError(f"not a resource: {', '.join(sorted(unknown))}")
        copy = Resources()
        for name, value in {**self.__dict__, **components}.items():
            object.__setattr__(copy, name, value)
        return copy


_COMPONENTS = {name for name, value in vars(Resources).items() if isinstance(value, cached_property)}


@cache
def load_resources() -> Resources:
    """The process's shared bundle (components load lazily, on first use)."""
    return Resources()
