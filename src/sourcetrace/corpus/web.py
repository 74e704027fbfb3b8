"""The corpus in the web app (``sourcetrace serve --db FILE``): list and search the store, open any stored report.

``GET /corpus`` lists the articles, newest first, or with ``?q=`` the search hits with their snippets;
``GET /corpus/articles/{id}`` is the article's full HTML report (the same renderer as ``--format html``), with its
story, copied blocks and provenance graph; the story pages and the story and trace API are
:mod:`sourcetrace.stories.web`'s, included here.
The JSON API: ``GET /api/corpus/search?q=…``, ``GET /api/corpus/articles/{id}`` (the report JSON) and
``GET /api/corpus/stats``. The store is opened read-only per request, so the server never writes to it and a
``corpus add`` can run beside it. Pages follow the app's rules: everything escaped, nothing loaded from
elsewhere, a hash-locked Content-Security-Policy.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup, escape

from sourcetrace.corpus.api import HIGHLIGHT_END, HIGHLIGHT_START, Corpus

PAGE_SIZE = 50

_PAGE = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ heading }} · sourcetrace corpus</title><style>{{ style }}</style></head>
<body><main class="corpus">
<p><a href="/">Analyse an article</a> · <a href="/corpus">All articles</a> · <a href="/corpus/stories">Stories</a></p>
<h1>{{ heading }}</h1>
<p class="summary">{{ summary }}</p>
<form method="get" action="/corpus" role="search">
<input type="search" name="q" value="{{ query }}" aria-label="Search the corpus"
 placeholder="words or &quot;a phrase&quot;: texts, titles, speakers, attributed contents">
<button type="submit">Search</button></form>
<ol class="hits">
{% for row in rows %}<li><a href="/corpus/articles/{{ row.id }}">{{ row.title or row.url or "(untitled)" }}</a>
<span class="meta">#{{ row.id }}{% if row.published %} · {{ row.published }}{% endif %}
{%- if row.site %} · {{ row.site }}{% endif %}
{%- if row.n_attributions is not none %} · {{ row.n_attributions }} attributions{% endif %}</span>
{% if row.snippet %}<p class="snippet">{{ row.snippet }}</p>{% endif %}</li>
{% else %}<li>{{ "No matches." if query else "The store is empty: add articles with sourcetrace corpus add." }}</li>
{% endfor %}</ol>
{% if next_page %}<p><a href="/corpus?{{ next_page }}">Next {{ page_size }} →</a></p>{% endif %}
</main></body></html>
""")

_EXTRA_CSS = """
main.corpus { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
main.corpus form { display: flex; gap: .5rem; margin: 1rem 0; }
main.corpus input[type=search] { flex: 1; padding: .4rem; font: inherit; }
main.corpus .hits li { margin: .8rem 0; }
main.corpus .meta { display: block; color: #555; font-size: .9em; }
main.corpus .snippet { margin: .2rem 0 0; }
main.corpus mark { background: #fde68a; }
"""


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    from sourcetrace.render.html import _sha256, page_css

    style = page_css() + _EXTRA_CSS
    return style, f"default-src 'none'; style-src '{_sha256(style)}'; form-action 'self'; base-uri 'none'"


def _snippet(text: str) -> Markup:
    marked = str(escape(text)).replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_END, "</mark>")
    return Markup(marked)


def corpus_router(db: Path) -> APIRouter:
    """The corpus pages and API over the store at ``db`` (opened read-only per request); a missing or foreign
    store file is refused here, before the server starts."""
    Corpus(db, read_only=True).close()
    router = APIRouter()

    def open_corpus() -> Corpus:
        return Corpus(db, read_only=True)

    @router.get("/corpus", response_class=HTMLResponse, include_in_schema=False)
    def corpus_page(q: str = "", page: int = Query(1, ge=1, le=10_000)) -> HTMLResponse:
        style, csp = _assets()
        offset = (page - 1) * PAGE_SIZE
        with open_corpus() as corpus:
            total = len(corpus)
            if q.strip():
                hits = corpus.search(q, limit=PAGE_SIZE + 1, offset=offset)
                rows: list[dict[str, Any]] = [{"id": h.id, "title": h.title, "url": h.url, "published": h.published,
                                               "site": h.site, "n_attributions": None, "snippet": _snippet(h.snippet)}
                                              for h in hits]
                heading, summary = f"Search: {q}", f"Best matches first, among {total:,} articles."
            else:
                rows = [dict(row) for row in corpus.store.query(
                    "SELECT id, title, url, published, coalesce(site, outlet) AS site, n_attributions FROM articles "
                    "ORDER BY coalesce(published, '') DESC, id DESC LIMIT ? OFFSET ?", (PAGE_SIZE + 1, offset))]
                heading, summary = "Corpus", f"{total:,} articles, newest first."
        from urllib.parse import urlencode

        next_page = urlencode({"q": q, "page": page + 1}) if len(rows) > PAGE_SIZE else None
        return HTMLResponse(_PAGE.render(csp=csp, style=Markup(style), heading=heading, summary=summary, query=q,
                                         rows=rows[:PAGE_SIZE], next_page=next_page, page_size=PAGE_SIZE))

    @router.get("/corpus/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: int) -> HTMLResponse:
        # issue 23: with its story, copied blocks and provenance graph (sourcetrace.stories.article_view)
        from sourcetrace.stories.article_view import article_html
        from sourcetrace.stories.web import article_link, story_link

        with open_corpus() as corpus:
            stored = corpus.get(article_id)
            if stored is None:
                raise HTTPException(404, f"no article {article_id} in the store")
            html = article_html(corpus.store, stored.id, stored.report, home_url="/corpus", link=article_link,
                                story_link=story_link)
        return HTMLResponse(html)

    @router.get("/api/corpus/search")
    def search(q: str = Query(..., min_length=1), limit: int = Query(20, ge=1, le=200),
               offset: int = Query(0, ge=0, le=1_000_000)) -> JSONResponse:  # SQLite's integers end (fuzzing)
        """Ranked full-text search over the stored articles (bm25), with snippets."""
        with open_corpus() as corpus:
            hits = corpus.search(q, limit=limit, offset=offset)
        return JSONResponse([{**hit.__dict__, "snippet": hit.snippet.replace(HIGHLIGHT_START, "").replace(
            HIGHLIGHT_END, "")} for hit in hits])

    @router.get("/api/corpus/articles/{article_id}")
    def article(article_id: int) -> JSONResponse:
        """One stored article's report (the same JSON as ``POST /api/analyze``)."""
        with open_corpus() as corpus:
            stored = corpus.get(article_id)
        if stored is None:
            raise HTTPException(404, f"no article {article_id} in the store")
        return JSONResponse(stored.report.model_dump(mode="json"))

    @router.get("/api/corpus/stats")
    def stats() -> JSONResponse:
        with open_corpus() as corpus:
            data = corpus.stats()
        data.pop("store", None)  # the server's file path is none of the client's business
        return JSONResponse(data)

    # issue 23: the story pages and the story and trace API (sourcetrace.stories.web)
    from sourcetrace.stories.web import provenance_router

    router.include_router(provenance_router(open_corpus))
    # issue 24: the claims API (sourcetrace.claims.web)
    from sourcetrace.claims.web import claims_router

    router.include_router(claims_router(open_corpus))
    return router
