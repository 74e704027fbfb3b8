"""The article pipeline: ingest → parse → layout → entities → attribution → voice → Report."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from sourcetrace.article import attribution, credibility, entities, voice
from sourcetrace.article.ingest import article_from_text
from sourcetrace.article.language import require_english
from sourcetrace.article.lexicon import Lexicon
from sourcetrace.article.nlp import MODEL_NAME, MODEL_VERSION, normalise_for_parsing, parse
from sourcetrace.article.options import Options
from sourcetrace.article.resources import Resources, load_resources
from sourcetrace.article.segment import build_layout
from sourcetrace.models import Article, Report
from sourcetrace.outlets import links as outlet_links
from sourcetrace.outlets.registry import Registry


@dataclass
class Pipeline:
    """Holds the loaded resources so that many articles can be analysed without reloading them.

    Construct once and call :meth:`analyze` per article; ``sourcetrace.analyze`` does this for you. The
    resources are the process's shared bundle unless given (``Resources.with_overrides`` for a different spaCy
    pipeline, lexicon or registry); ``options`` holds the analysis thresholds.
    """

    resources: Resources = field(default_factory=load_resources)
    check_language: bool = True
    learned_attribution: bool = True  # the trained tagger on top of the rules (docs/benchmarks.md)
    options: Options = field(default_factory=Options)

    def __post_init__(self) -> None:
        # load what every analysis needs now, as constructing a Pipeline always has (corpus and web workers
        # construct theirs before they report ready); the tagger and the language detector load on first use
        self.resources.nlp, self.resources.lexicon, self.resources.registry  # noqa: B018

    @property
    def nlp(self) -> Language:
        return self.resources.nlp

    @property
    def lexicon(self) -> Lexicon:
        return self.resources.lexicon

    @property
    def registry(self) -> Registry:
        return self.resources.registry

    def analyze_article(self, article: Article) -> Report:
        if self.check_language:
            require_english(article.text, self.options)
        return self.report_from_doc(article, parse(article.text, self.nlp))

    def report_from_doc(self, article: Article, doc: Doc) -> Report:
        """The report of an article already parsed (``doc`` from ``parse`` or ``nlp.pipe`` over its text)."""
        layout = build_layout(article.text, doc)
        entity_index = entities.extract(article.text, doc, self.lexicon)
        attributions = attribution.extract(article.text, doc, layout, entity_index, self.lexicon,
                                            self.learned_attribution, self._is_outlet)
        sentences = voice.classify(article, layout, attributions, self.lexicon, self.options)
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

    def pipe(self, texts: Iterable[str], *, batch_size: int = 16) -> Iterator[Report]:
        """Reports for many plain texts, in order, parsed in batches by spaCy's ``nlp.pipe``.

        Each text is read as :meth:`analyze` reads it; one that cannot be analysed raises its ``InputError``
        there, as ``analyze`` would. On this pipeline batching saves little (docs/benchmarks.md, speed); for
        many articles on many cores, and to survive bad ones, use ``sourcetrace.Corpus``.
        """
        batch: list[Article] = []
        for text in texts:
            article = article_from_text(text)
            if self.check_language:
                require_english(article.text, self.options)
            batch.append(article)
            if len(batch) >= batch_size:
                yield from self._report_batch(batch)
                batch = []
        yield from self._report_batch(batch)

    def _report_batch(self, articles: list[Article]) -> Iterator[Report]:
        docs = self.nlp.pipe(normalise_for_parsing(article.text) for article in articles)
        for article, doc in zip(articles, docs, strict=True):
            yield self.report_from_doc(article, doc)


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
