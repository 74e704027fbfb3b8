"""Claims in the reports (issue 24): the claims table and contradictions of a story report, and the claims panel
of an article's report, as HTML (macros in templates/claims.html, autoescaped: every claim, speaker and outlet
is untrusted text) and as plain lines for the terminal. They lay out what sourcetrace.claims computed; nothing
is analysed here."""

from __future__ import annotations

import functools
from collections.abc import Callable

import jinja2
from markupsafe import Markup

from sourcetrace.claims.models import ArticlePanel, ClaimStance, StoryClaims

CLAIMS_CSS = """
.cl-table td{vertical-align:top}.cl-who{margin:.15rem 0}.cl-item{display:block}
q.ev{display:block;font-size:.9em;color:#333;border-left:3px solid #d8d4c8;padding-left:.4rem;margin:.15rem 0}
.cl-contradiction{color:#9b1c1c}.cl-tension{color:#8a5a00}.cl-con b{color:#9b1c1c}.cl-sup b{color:#1f6b3a}
.cl-panel li{margin-bottom:.7rem}.cl-contra li{margin-bottom:.6rem}
"""
ArticleLink = Callable[[int], str | None]
QUOTES = "\"'“”‘’ ,"  # stripped from an evidence span's ends when shown (the span itself is exact)
PANEL_ENTRIES = 6  # claims shown in an article's panel; the story report has them all


@functools.cache
def _macros() -> object:
    environment = jinja2.Environment(loader=jinja2.PackageLoader("sourcetrace.render", "templates"),
                                     autoescape=True, undefined=jinja2.StrictUndefined)
    environment.globals.update(QUOTES=QUOTES, PANEL_ENTRIES=PANEL_ENTRIES)
    return environment.get_template("claims.html").module


def story_claims_html(result: StoryClaims, link: ArticleLink | None) -> Markup:
    return Markup(_macros().story_claims(result, link))  # type: ignore[attr-defined]


def contradictions_html(result: StoryClaims, link: ArticleLink | None) -> Markup:
    return Markup(_macros().contradictions(result, link))  # type: ignore[attr-defined]


def article_panel_html(panel: ArticlePanel, link: ArticleLink | None) -> Markup:
    return Markup(_macros().article_panel(panel, link))  # type: ignore[attr-defined]


def story_claims_lines(result: StoryClaims) -> list[str]:
    lines = []
    for claim in result.claims:
        first = claim.first_seen
        lines.append(f"{claim.claim_id} {claim.text[:160]}")
        lines.append(f"   first seen: {first.speaker} · {first.article.outlet or first.article.id} · "
                     f"{first.article.published or 'undated'}")
        for label, stance in (("supports", ClaimStance.SUPPORTS), ("contradicts", ClaimStance.CONTRADICTS),
                              ("discusses", ClaimStance.DISCUSSES)):
            outlets = claim.outlets(stance)
            if outlets:
                lines.append(f"   {label}: {', '.join(outlets)}")
    return lines or ["no check-worthy claim found"]


def contradictions_lines(result: StoryClaims) -> list[str]:
    return [f"{c.kind.value}: {c.first.claim_id} [{c.first.claim_text[:60]}] “{c.first.text[:80]}” "
            f"({c.first.speaker}, "
            f"{c.first.article.outlet or c.first.article.id}) vs {c.second.claim_id} [{c.second.claim_text[:60]}] "
            f"“{c.second.text[:80]}” "
            f"({c.second.speaker}, {c.second.article.outlet or c.second.article.id}) — {'; '.join(c.reasons)}"
            for c in result.contradictions] or ["no conflicting claims"]
