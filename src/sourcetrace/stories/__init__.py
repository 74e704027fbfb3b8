"""Across articles: stories, copied passages and where a claim first appeared (built on the corpus store).

Modules, one job each:

* :mod:`~sourcetrace.stories.features` — an article as TF-IDF sub-vectors (words, lemmas, entities; title and
  body) and the similarity and time features of an article against a story;
* :mod:`~sourcetrace.stories.model` — the learned merge decision (a small logistic regression) and its training;
* :mod:`~sourcetrace.stories.clustering` — online story clustering: centroids, the inverted index of rare terms
  and entities over stories active in the time window, one article in, one assignment out;
* :mod:`~sourcetrace.stories.storage` — the stories tables of the store, read lazily and written in batches;
* :mod:`~sourcetrace.stories.assign` — the store's articles without a story placed in date order (exclusions
  with their reasons); :mod:`~sourcetrace.stories.stories_cli` — ``corpus stories``;
* :mod:`~sourcetrace.stories.labels` — the story-labelled set built from FNC-1 and Emergent (benchmark, training);
* :mod:`~sourcetrace.stories.metrics` — pairwise and B-cubed precision, recall and F1.
* :mod:`~sourcetrace.stories.align` — words, winnowed n-gram fingerprints, local alignment of two texts;
* :mod:`~sourcetrace.stories.reuse` — the copied-passages index in the store, candidate pairs, kind and credit;
* :mod:`~sourcetrace.stories.provenance` — an article's passages and attributions traced to their earliest
  carrier in the corpus, the provenance graph (JSON, GraphML), the copied-passages signal;
* :mod:`~sourcetrace.stories.reuse_cli` and :mod:`~sourcetrace.stories.demo` — ``corpus reuse``, ``corpus
  trace``, and the demo article traced in the bundled demo corpus.
"""

from __future__ import annotations
