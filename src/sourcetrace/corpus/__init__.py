"""The corpus level: many articles analysed in parallel into one embedded store, searchable and exportable.

Modules, one job each:

* :mod:`~sourcetrace.corpus.store` — the SQLite file: schema, migrations, refusal of foreign files, writes;
* :mod:`~sourcetrace.corpus.sources` — reading files, directories, JSONL, CSV, WARC and URL lists into tasks;
* :mod:`~sourcetrace.corpus.fetching` — fetching URL lists safely and politely;
* :mod:`~sourcetrace.corpus.dates` — the publication date and where it came from;
* :mod:`~sourcetrace.corpus.records` — content hash, URL key, and the store row of an analysed article;
* :mod:`~sourcetrace.corpus.worker` — one task in, one outcome out, in a worker process;
* :mod:`~sourcetrace.corpus.runner` — the process pool, resume, Ctrl-C;
* :mod:`~sourcetrace.corpus.export` — JSONL, CSV and Parquet tables;
* :mod:`~sourcetrace.corpus.api` — :class:`Corpus`, the Python API;
* :mod:`~sourcetrace.corpus.cli` and :mod:`~sourcetrace.corpus.web` — the command line and web front ends.
"""

from __future__ import annotations

from sourcetrace.corpus.api import Corpus, InputRecord, SearchHit, StoredArticle
from sourcetrace.corpus.runner import RunSummary
from sourcetrace.corpus.store import StoreError

__all__ = ["Corpus", "InputRecord", "RunSummary", "SearchHit", "StoreError", "StoredArticle"]
