"""Across articles: stories, copied passages and where a claim first appeared (built on the corpus store).

Modules, one job each:

* :mod:`~sourcetrace.stories.features` — an article as TF-IDF sub-vectors (words, lemmas, entities; title and
  body) and the similarity and time features of an article against a story;
* :mod:`~sourcetrace.stories.model` — the learned merge decision (a small logistic regression) and its training;
* :mod:`~sourcetrace.stories.clustering` — online story clustering: centroids, the inverted index of rare terms
  and entities over stories active in the time window, one article in, one assignment out;
* :mod:`~sourcetrace.stories.storage` — the stories tables of the store, read lazily and written in batches;
* :mod:`~sourcetrace.stories.labels` — the story-labelled set built from FNC-1 and Emergent (benchmark, training);
* :mod:`~sourcetrace.stories.metrics` — pairwise and B-cubed precision, recall and F1.
"""

from __future__ import annotations
