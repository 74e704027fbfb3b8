"""The claims panel of an article's report and the claims sections of a story report: the data, read from the
story's claims (claims/story.py), as :class:`~sourcetrace.render.sections.ReportSection` s laid out by
render/claims.py. Both are imported on use, since the story report's module imports this one and the light
commands must not load the article pipeline's modules. Read-only: a store opened read-only (the web app) is
enough; an article in no story, or a store without stories, gets no panel."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from sourcetrace.claims.models import ArticlePanel, ClaimStance, PanelEntry, StoryClaims
from sourcetrace.corpus.store import Store
from sourcetrace.errors import SourcetraceError
from sourcetrace.render.sections import ReportSection

if TYPE_CHECKING:
    from sourcetrace.claims.story import StanceModel
    from sourcetrace.stories.story_report import StoryReport

ArticleLink = Callable[[int], str | None]
_ADDRESSED = (ClaimStance.SUPPORTS, ClaimStance.CONTRADICTS, ClaimStance.DISCUSSES)


def article_panel(result: StoryClaims, article_id: int) -> ArticlePanel:
    """The story claims this article addresses, each with the other articles' stances."""
    entries = []
    for claim in result.claims:
        own = next((a for a in claim.articles if a.article.id == article_id), None)
        if own is None or own.stance not in _ADDRESSED:
            continue
        others = [a for a in claim.articles if a.article.id != article_id]
        entries.append(PanelEntry(
            claim_id=claim.claim_id, text=claim.text, stance=own.stance, speaker=own.speaker, spans=own.spans,
            first_seen=claim.first_seen,
            supporting=[a for a in others if a.stance == ClaimStance.SUPPORTS],
            contradicting=[a for a in others if a.stance == ClaimStance.CONTRADICTS],
            discussing=[a for a in others if a.stance == ClaimStance.DISCUSSES],
            contradictions=[c for c in result.contradictions
                            if claim.claim_id in (c.first.claim_id, c.second.claim_id)]))
    return ArticlePanel(article_id=article_id, story_id=result.story_id, story_label=result.label, entries=entries)


def _story_id(store: Store, article_id: int) -> int | None:
    try:
        row = store.connection.execute("SELECT story_id FROM story_articles WHERE article_id = ?",
                                       (article_id,)).fetchone()
    except sqlite3.OperationalError:  # no stories tables (an old store opened read-only)
        return None
    return int(row[0]) if row and row[0] is not None else None


def article_claims_section(store: Store, article_id: int, *, link: ArticleLink | None = None,
                           model: StanceModel | None = None) -> ReportSection | None:
    """The claims panel for an article's HTML report, or None when the article is in no story."""
    from sourcetrace.claims.story import story_claims_in_store
    from sourcetrace.render.claims import CLAIMS_CSS, article_panel_html

    story_id = _story_id(store, article_id)
    if story_id is None:
        return None
    panel = article_panel(story_claims_in_store(store, story_id, model=model), article_id)
    return ReportSection("claims", "Claims in the corpus", article_panel_html(panel, link), css=CLAIMS_CSS,
                         data=panel.model_dump(mode="json"))


def _story_result(report: StoryReport, store: Store | None) -> StoryClaims | None:
    """The story's claims, or None where the report is built without a store to read them from."""
    from sourcetrace.claims.story import story_claims_in_store

    if store is None:
        return None
    try:
        return story_claims_in_store(store, report.story.id)
    except SourcetraceError:
        return None


def story_claims_section(report: StoryReport, store: Store | None, link: ArticleLink) -> ReportSection | None:
    """The story report's claims table (a story report section builder)."""
    from sourcetrace.render.claims import CLAIMS_CSS, story_claims_html, story_claims_lines

    result = _story_result(report, store)
    if result is None:
        return None
    return ReportSection("claims", "Claims", story_claims_html(result, link), css=CLAIMS_CSS,
                         data=result.model_dump(mode="json", exclude={"contradictions"}),
                         text=tuple(story_claims_lines(result)))


def story_contradictions_section(report: StoryReport, store: Store | None,
                                 link: ArticleLink) -> ReportSection | None:
    """The story report's contradictions (a story report section builder)."""
    from sourcetrace.render.claims import CLAIMS_CSS, contradictions_html, contradictions_lines

    result = _story_result(report, store)  # cached: computed once with the claims section
    if result is None:
        return None
    return ReportSection("contradictions", "Contradictions", contradictions_html(result, link), css=CLAIMS_CSS,
                         data=[c.model_dump(mode="json") for c in result.contradictions],
                         text=tuple(contradictions_lines(result)))
