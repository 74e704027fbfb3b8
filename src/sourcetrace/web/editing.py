"""The editor's routes of ``sourcetrace serve --db FILE``: add an article to the store, delete one.

``POST /api/corpus/articles`` (``{"text": …}`` or ``{"url": …}``) analyses the article in the app's worker pool
and stores it (201, or 200 with the existing id for a duplicate); ``DELETE /api/corpus/articles/{id}`` removes
an article with everything derived from it. They change the store, so the access guard (web/security.py) lets
only the editor role reach them when the server is shared; on loopback without tokens they are open, like the
``sourcetrace corpus`` command line is to the same user.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from sourcetrace.errors import FetchError
from sourcetrace.models import Article


class AddRequest(BaseModel):
    """The article to add: ``text`` as given, or else ``url`` fetched (public addresses only)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="The article as plain text (first line: title)")
    url: str | None = Field(None, description="The article's URL: fetched when no text is given")
    title: str | None = Field(None, description="Override the detected title")
    date: str | None = Field(None, description="The publication date (ISO 8601)")


def _article(body: AddRequest, allow_private: bool) -> Article:
    from sourcetrace.article.ingest import MAX_TEXT_CHARS, article_from_bytes, article_from_text
    from sourcetrace.errors import InputError

    if body.text is not None and body.text.strip():
        if len(body.text) > MAX_TEXT_CHARS:
            raise InputError(f"the text is {len(body.text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
        return article_from_text(body.text, url=body.url or None, title=body.title or None)
    if body.text is None and body.url:
        from sourcetrace.article.fetch import fetch_url

        try:
            page = fetch_url(body.url, allow_private=allow_private)
        except FetchError as error:
            if str(error).startswith("refusing"):  # the URL's fault (private address, redirect to one): 400
                raise HTTPException(400, str(error).replace("use --allow-private",
                                                            "start the server with --allow-private")) from None
            raise
        return article_from_bytes(page.data, url=page.url, content_type=page.content_type, title=body.title)
    raise InputError("give the article as \"text\", or a \"url\" to fetch")


def _store(db: Path, report: object, body: AddRequest) -> tuple[int, bool]:
    from sourcetrace import __version__
    from sourcetrace.corpus.dates import parse_date
    from sourcetrace.corpus.records import Metadata, article_row, content_hash
    from sourcetrace.corpus.store import Store
    from sourcetrace.models import Report

    assert isinstance(report, Report)
    published = parse_date(body.date) if body.date else None
    metadata = Metadata(url=report.article.url, title=report.article.title, published=published,
                        date_source="field" if published else None)
    row = article_row(report, metadata, origin=f"web:{content_hash(report.article.text)}", version=__version__)
    with Store(db) as store:
        return store.add_article(row)


def delete_article(db: Path, article_id: int) -> bool:
    """Remove one article and what was derived from it, in one transaction; False when there was none.

    The foreign keys cascade to its attributions, outlet links, reuse passages and story assignment; the
    reuse postings (no foreign key, for speed) and its input records go here, and its story's count is
    recounted, so the next ``corpus add`` of the same input stores it again."""
    from sourcetrace.corpus.store import Store

    with Store(db) as store, store.transaction() as connection:
        story = connection.execute("SELECT story_id FROM story_articles WHERE article_id = ?",
                                   (article_id,)).fetchone()
        if connection.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount == 0:
            return False
        connection.execute("DELETE FROM reuse_postings WHERE article_id = ?", (article_id,))
        connection.execute("DELETE FROM inputs WHERE article_id = ?", (article_id,))
        if story is not None and story[0] is not None:
            connection.execute("UPDATE stories SET n_articles = (SELECT count(*) FROM story_articles WHERE "
                               "story_id = ?) WHERE id = ?", (story[0], story[0]))
        return True


def editing_router(db: Path, *, allow_private: bool = False) -> APIRouter:
    router = APIRouter()

    @router.post("/api/corpus/articles", summary="Analyse one article and add it to the store (editor)",
                 status_code=201, response_model=None)
    async def add(body: AddRequest, request: Request) -> JSONResponse:
        article = await run_in_threadpool(_article, body, allow_private)
        report = await request.app.state.analyze_article(article)
        article_id, created = await run_in_threadpool(_store, db, report, body)
        return JSONResponse({"id": article_id, "created": created}, status_code=201 if created else 200)

    @router.delete("/api/corpus/articles/{article_id}", summary="Delete one stored article (editor)")
    async def delete(article_id: int) -> JSONResponse:
        if not await run_in_threadpool(delete_article, db, article_id):
            raise HTTPException(404, f"no article {article_id} in the store")
        return JSONResponse({"deleted": article_id})

    return router
