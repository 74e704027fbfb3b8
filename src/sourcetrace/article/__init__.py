"""The one-article pipeline: one text in, one :class:`~sourcetrace.models.Report` out.

The stages, in the order :class:`~sourcetrace.article.pipeline.Pipeline` runs them:

1. :mod:`~sourcetrace.article.ingest` — file, URL, stdin or HTML → ``Article`` (URLs fetched safely by
   :mod:`~sourcetrace.article.fetch`);
2. :mod:`~sourcetrace.article.language` — refuse what is not English;
3. :mod:`~sourcetrace.article.nlp` — the pinned spaCy pipeline and its rule components → ``Doc``;
4. :mod:`~sourcetrace.article.segment` — paragraphs, sentences and quotations (``Layout``);
5. :mod:`~sourcetrace.article.entities` — mentions merged into canonical entities (``EntityIndex``);
6. :mod:`~sourcetrace.article.attribution` — who claims what, through whom: rule passes plus the learned
   tagger (:mod:`~sourcetrace.article.attribution_model`);
7. :mod:`~sourcetrace.article.voice` — each sentence's voice, with evidence;
8. :mod:`sourcetrace.outlets.links` — outlets linked to the registry (the outlets subpackage);
9. :mod:`~sourcetrace.article.credibility` — named signals with evidence spans;

and :mod:`~sourcetrace.article.pipeline` (``Pipeline``, ``analyze``) ties them together. Shared by the stages:
:mod:`~sourcetrace.article.lexicon` (the rule vocabulary) and :mod:`~sourcetrace.article.offset_index`
(range lookups by character offset).
"""
