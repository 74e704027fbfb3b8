"""Claims in the web app (``sourcetrace serve --db FILE``), included by the corpus router.

``GET /api/corpus/stories/{id}/claims`` — the story's claims, one object per claim as ``corpus claims --format
json`` prints them (``claim_id``, ``story_id``, ``text``, ``first_seen``, ``articles: [{id, url, stance, spans}]``,
``contradictions``), under ``claims``, with the story's ``contradictions`` list; ``GET
/api/corpus/articles/{id}/claims`` — the article's claims panel (the story claims it addresses, who else supports
or contradicts each). Unknown ids are answered 404 with a JSON error. The store is read-only here: stories are as
``corpus stories`` last left them.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse

from sourcetrace.corpus.api import Corpus
from sourcetrace.errors import SourcetraceError


def claims_router(open_corpus: Callable[[], Corpus]) -> APIRouter:
    router = APIRouter()

    @router.get("/api/corpus/stories/{story_id}/claims")
    def story_claims(story_id: int) -> JSONResponse:
        """A story's claims, each article's stance with evidence spans, and the contradictions."""
        from sourcetrace.claims.cli import claim_json
        from sourcetrace.claims.story import story_claims_in_store

        with open_corpus() as corpus:
            try:
                result = story_claims_in_store(corpus.store, story_id)
            except SourcetraceError as error:
                raise HTTPException(404, str(error)) from None
        return JSONResponse({"story_id": result.story_id, "label": result.label,
                             "claims": [claim_json(result, c) for c in result.claims],
                             "contradictions": [c.model_dump(mode="json") for c in result.contradictions],
                             "method": result.method})

    @router.get("/api/corpus/articles/{article_id}/claims")
    def article_claims(article_id: int) -> JSONResponse:
        """The article's claims panel: the story claims it addresses, who else supports or contradicts each."""
        from sourcetrace.claims.panel import article_claims_section

        with open_corpus() as corpus:
            if corpus.get(article_id) is None:
                raise HTTPException(404, f"no article {article_id} in the store")
            section = article_claims_section(corpus.store, article_id)
        if section is None:
            raise HTTPException(404, f"article {article_id} is in no story (group them: sourcetrace corpus stories)")
        return JSONResponse(section.data)

    return router
