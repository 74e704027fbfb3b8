"""News outlets: the bundled source registry and what uses it.

:mod:`~sourcetrace.outlets.registry` loads and indexes the registry (bundled ``outlets.json.gz`` plus user
CSV/JSON files), :mod:`~sourcetrace.outlets.links` links an article's outlet mentions and publisher to it
(a stage of the article pipeline), and :mod:`~sourcetrace.outlets.cli` is ``sourcetrace outlets …``.
"""
