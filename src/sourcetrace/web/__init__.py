"""The web app (``sourcetrace serve``).

:mod:`~sourcetrace.web.app` is the FastAPI app (form page, JSON API, outlet lookups) and
:mod:`~sourcetrace.web.workers` the pool of worker processes that run its analyses; the corpus pages it
includes with ``--db`` live with the corpus, in :mod:`sourcetrace.corpus.web`.
"""
