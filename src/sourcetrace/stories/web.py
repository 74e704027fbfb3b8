"""Stories and provenance in the web app (``sourcetrace serve --db FILE``), included by the corpus router.

Pages: ``GET /corpus/stories`` (the stories, largest first) and ``GET /corpus/stories/{id}`` (the story report:
timeline, provenance graph, reused passages — the same renderer as ``corpus story --format html``, its articles
linked to their pages). The JSON API: ``GET /api/corpus/stories/{id}`` (the same data as ``corpus story --format
json``) and ``GET /api/corpus/articles/{id}/trace`` (the same as ``corpus trace --format json``, plus the typed
graph and the article's story). Unknown ids are answered 404 with a JSON error. The store is read-only here: the
stories and the reuse index are as the command line last left them (``corpus stories``, ``corpus trace``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jinja2
from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup

from sourcetrace.corpus.api import Corpus
from sourcetrace.errors import SourcetraceError

_LIST = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stories · sourcetrace corpus</title><style>{{ style }}</style></head>
<body><main class="top">
<p><a href="/corpus">All articles</a></p>
<h1>Stories</h1>
<p class="counts">{{ counts.stories }} stories ({{ counts.stories_with_several_articles }} with several articles) over
{{ counts.articles_placed }} articles; the largest first.</p>
<ol>
{% for story in stories %}<li><a href="/corpus/stories/{{ story.id }}">{{ story.label }}</a>
<span class="muted">· {{ story.n_articles }} articles
{%- if story.first_date %} · {{ story.first_date }}{% endif %}</span></li>
{% else %}<li>No stories yet: group the articles with <code>sourcetrace corpus stories --db FILE</code>.</li>
{% endfor %}</ol>
</main></body></html>
""")


@lru_cache(maxsize=1)
def _list_assets() -> tuple[str, str]:
    from sourcetrace.render.html import _sha256, page_css

    style = page_css()
    return style, f"default-src 'none'; style-src '{_sha256(style)}'; form-action 'none'; base-uri 'none'"


def article_link(article_id: int) -> str:
    return f"/corpus/articles/{article_id}"


def story_link(story_id: int) -> str:
    return f"/corpus/stories/{story_id}"


def _story_report(corpus: Corpus, story_id: int) -> Any:
    from sourcetrace.stories.story_report import build_story_report

    try:
        return build_story_report(corpus.store, story_id, link=article_link)
    except SourcetraceError as error:
        raise HTTPException(404, str(error)) from None


def provenance_router(open_corpus: Callable[[], Corpus]) -> APIRouter:
    """The story pages and the story and trace API over the store ``open_corpus`` opens (read-only)."""
    router = APIRouter()

    @router.get("/corpus/stories", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(limit: int = Query(200, ge=1, le=5000)) -> HTMLResponse:
        import sqlite3

        from sourcetrace.stories.storage import StoryStorage

        style, csp = _list_assets()
        with open_corpus() as corpus:
            storage = StoryStorage(corpus.store)
            try:
                stories, counts = storage.stories(limit=limit), storage.counts()
            except sqlite3.OperationalError:  # a store from before the stories tables
                stories, counts = [], {"stories": 0, "stories_with_several_articles": 0, "articles_placed": 0}
        return HTMLResponse(_LIST.render(csp=csp, style=Markup(style), stories=stories, counts=counts))

    @router.get("/corpus/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: int) -> HTMLResponse:
        from sourcetrace.render.story import render_story_html

        with open_corpus() as corpus:
            report = _story_report(corpus, story_id)
        return HTMLResponse(render_story_html(report, home_url="/corpus"))

    @router.get("/api/corpus/stories/{story_id}", summary="One story: timeline, reused passages, provenance graph")
    def story(story_id: int) -> JSONResponse:
        with open_corpus() as corpus:
            report = _story_report(corpus, story_id)
        return JSONResponse(report.as_dict())

    @router.get("/api/corpus/articles/{article_id}/trace",
                summary="One stored article's passages and attributions with their earliest carriers, and its graph")
    def article_trace(article_id: int) -> JSONResponse:
        from sourcetrace.stories.article_view import corpus_trace
        from sourcetrace.stories.graph import graph_from_trace
        from sourcetrace.stories.story_report import story_of

        with open_corpus() as corpus:
            stored = corpus.get(article_id)
            if stored is None:
                raise HTTPException(404, f"no article {article_id} in the store")
            result = corpus_trace(corpus.store, stored.id, stored.report)
            placed = story_of(corpus.store, stored.id)
        if result is None:
            raise HTTPException(409, "this store has no copied-passages index yet: run sourcetrace corpus trace or "
                                "corpus reuse on it")
        outlets = [c.name for a in stored.report.attributions for c in a.conduits if c.type.value == "outlet"]
        data = result.as_dict()
        data["graph"] = graph_from_trace(result, outlets).as_dict()
        data["story"] = None if placed is None else {"story_id": placed.id, "label": placed.label,
                                                     "articles": placed.n_articles}
        return JSONResponse(data)

    return router
