"""A stored article's HTML report with its place in the corpus: its story, its copied blocks (from whom, earliest
carrier, credited or not) and its provenance graph — for ``corpus show --format html``, the web app's article
page and ``sourcetrace demo --format html``.

Read-only: the reuse index and the stories are used as they are (``corpus trace`` / ``corpus stories`` update
them), so a server can open the store read-only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sourcetrace.corpus.store import Store
from sourcetrace.models import Report
from sourcetrace.render.sections import ReportSection
from sourcetrace.stories.provenance import Trace, annotate, trace
from sourcetrace.stories.story_report import story_of


def corpus_trace(store: Store, article_id: int, report: Report | None) -> Trace | None:
    """The article's trace, or None when the store has no reuse index (an old store opened read-only)."""
    try:
        return trace(store, article_id, report)
    except sqlite3.OperationalError:
        return None


def article_in_corpus(store: Store, article_id: int, report: Report, *,
                      link: Callable[[int], str | None] | None = None,
                      story_link: Callable[[int], str | None] | None = None) -> tuple[Report, list[ReportSection]]:
    """The report with the copied-passages signal, and the provenance section to add to its HTML."""
    from sourcetrace.render.story import article_provenance_section
    from sourcetrace.stories.graph import graph_from_trace

    result = corpus_trace(store, article_id, report)
    if result is None:
        return report, []
    story = story_of(store, article_id)
    outlets = [c.name for a in report.attributions for c in a.conduits if c.type.value == "outlet"]
    section = article_provenance_section(result, graph_from_trace(result, outlets), story=story,
                                         story_href=story_link(story.id) if story and story_link else None,
                                         link=link)
    # issue 24: the claims panel — who else in the corpus supports or contradicts this article's claims
    from sourcetrace.claims.panel import article_claims_section

    claims = article_claims_section(store, article_id, link=link)
    return annotate(report, result), [section] + ([claims] if claims is not None else [])


def article_html(store: Store, article_id: int, report: Report, *, home_url: str | None = None,
                 link: Callable[[int], str | None] | None = None,
                 story_link: Callable[[int], str | None] | None = None) -> str:
    """The article's self-contained HTML report with the provenance section."""
    from sourcetrace.render.html import render_html

    annotated, sections = article_in_corpus(store, article_id, report, link=link, story_link=story_link)
    return render_html(annotated, home_url=home_url, sections=sections)
