"""ClaimReview drafts: a story's claims as schema.org ``ClaimReview`` JSON-LD, the format fact-checkers publish in
(Google's fact-check markup), for a fact-checker to complete.

Each draft names the claim (``claimReviewed``, the canonical text), the ``itemReviewed`` Claim with its author
(the speaker of its first appearance), its ``firstAppearance`` (the earliest article of the corpus carrying it:
URL, outlet, date) and every ``appearance`` (the articles that carry or support it). The verdict is the human's:
``reviewRating`` is left out, and the draft says so (``sourcetrace:draft``). Articles that contradict the claim are
listed as a comment for the reviewer, not as appearances.
"""

from __future__ import annotations

from typing import Any

from sourcetrace.claims.models import ArticleRef, ClaimStance, StoryClaim, StoryClaims

CONTEXT = "https://schema.org"


def _work(ref: ArticleRef) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if ref.url:
        work["url"] = ref.url
    if ref.title:
        work["headline"] = ref.title
    if ref.outlet:
        work["publisher"] = {"@type": "Organization", "name": ref.outlet}
    if ref.published:
        work["datePublished"] = ref.published
    return work


def _author(speaker: str, outlet: str | None) -> dict[str, Any]:
    if speaker == "the author":
        return {"@type": "Organization", "name": outlet} if outlet else {"@type": "Thing", "name": "the author"}
    return {"@type": "Thing", "name": speaker}  # a person or an organisation: the text does not always say


def claim_review(result: StoryClaims, claim: StoryClaim) -> dict[str, Any]:
    """One ClaimReview draft."""
    first = claim.first_seen
    supporting = [a.article for a in claim.articles if a.stance == ClaimStance.SUPPORTS]
    contradicting = [a.article for a in claim.articles if a.stance == ClaimStance.CONTRADICTS]
    item: dict[str, Any] = {
        "@type": "Claim",
        "author": _author(first.speaker, first.article.outlet),
        "firstAppearance": _work(first.article),
        "appearance": [_work(ref) for ref in supporting],
    }
    if first.article.published:
        item["datePublished"] = first.article.published
    draft: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "claimReviewed": claim.text,
        "itemReviewed": item,
        "sourcetrace:draft": "reviewRating, author and url are left for the fact-checker",
        "sourcetrace:claim_id": claim.claim_id,
        "sourcetrace:story_id": claim.story_id,
    }
    if contradicting:
        draft["comment"] = [{"@type": "Comment", "text": f"contradicted by {ref.outlet or ref.id}",
                             **({"url": ref.url} if ref.url else {})} for ref in contradicting]
    return draft


def claim_reviews(result: StoryClaims) -> list[dict[str, Any]]:
    return [claim_review(result, claim) for claim in result.claims]
