"""The article pipeline: ingest → parse → layout → entities → attribution → voice → Report."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language

from sourcetrace import attribution, credibility, entities, outlet_links, voice
from sourcetrace.ingest import article_from_text
from sourcetrace.language import require_english
from sourcetrace.lexicon import Lexicon
from sourcetrace.models import Article, Report
from sourcetrace.nlp import MODEL_NAME, MODEL_VERSION, load_nlp, parse
from sourcetrace.outlets import Registry, default_registry
from sourcetrace.segment import build_layout


@dataclass
class Pipeline:
    """Holds the loaded resources so that many articles can be analysed without reloading them.

    Construct once and call :meth:`analyze` per article; ``sourcetrace.analyze`` does this for you.
    """

    nlp: Language = field(default_factory=load_nlp)
    lexicon: Lexicon = field(default_factory=Lexicon.load)
    registry: Registry = field(default_factory=default_registry)
    check_language: bool = True
    learned_attribution: bool = True  # the trained tagger on top of the rules (docs/benchmarks.md)

    def analyze_article(self, article: Article) -> Report:
        if self.check_language:
            require_english(article.text)
        doc = parse(article.text, self.nlp)
        layout = build_layout(article.text, doc)
        entity_index = entities.extract(article.text, doc, self.lexicon)
        attributions = attribution.extract(article.text, doc, layout, entity_index, self.lexicon,
                                            self.learned_attribution, self._is_outlet)
        sentences = voice.classify(article, layout, attributions, self.lexicon)
        outlets = outlet_links.link(article, entity_index, attributions, self.registry)
        return Report(
            generator=f"sourcetrace {_version()}; spaCy model {MODEL_NAME} {MODEL_VERSION}",
            article=article,
            sentences=sentences,
            entities=entity_index.entities(),
            attributions=attributions,
            voice_breakdown=voice.breakdown(sentences),
            outlets=outlets,
            credibility=credibility.assess(article, doc, sentences, attributions, entity_index, outlets,
                                           self.lexicon),
        )

    def _is_outlet(self, name: str) -> bool:
        return self.registry.lookup_name(name) is not None

    def analyze(
        self, text: str, *, url: str | None = None, title: str | None = None, site: str | None = None
    ) -> Report:
        return self.analyze_article(article_from_text(text, url=url, title=title, site=site))


def _version() -> str:
    from sourcetrace import __version__

    return __version__


def analyze(text: str, url: str | None = None, title: str | None = None, site: str | None = None) -> Report:
    """Analyse one English news article given as plain text.

    Loads the models on first use (about a second) and reuses them afterwards; for many articles,
    build one :class:`Pipeline` and call its ``analyze`` method.
    """
    return _default_pipeline().analyze(text, url=url, title=title, site=site)


_PIPELINES: list[Pipeline] = []


def _default_pipeline() -> Pipeline:
    if not _PIPELINES:
        _PIPELINES.append(Pipeline())
    return _PIPELINES[0]
