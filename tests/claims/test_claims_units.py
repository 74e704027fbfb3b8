"""The claims level's small parts on hand-made input: polarity from a word window, grouping that never joins a
claim with its denial, and contradiction told from tension (issue 24)."""

from __future__ import annotations

from sourcetrace.article.resources import load_resources
from sourcetrace.claims.contradictions import find_contradictions
from sourcetrace.claims.matching import Item, group_claims
from sourcetrace.claims.models import (
    Appearance,
    ArticleClaim,
    ArticleRef,
    ClaimKind,
    ContradictionKind,
    FirstSeen,
    StoryClaim,
)
from sourcetrace.claims.text import core_end, polarity
from sourcetrace.models import Span


def test_polarity_reads_negations_denials_and_hypotheticals() -> None:
    lexicon = load_resources().lexicon
    assert polarity("Iraq has given Russia permission to strike", lexicon) == ({"authorisation"}, set())
    # the complement of an action is not asserted by itself: no strike is denied here, a request is
    assert polarity("There is no request for the Russians to conduct strikes", lexicon) == (set(), {"authorisation"})
    assert "authorisation" in polarity("There is no request right now for the Russians", lexicon)[1]
    assert "authorisation" in polarity("Baghdad had not requested similar assistance", lexicon)[1]
    assert "authorisation" in polarity("the Russians haven't asked them to come in", lexicon)[1]
    assert "authorisation" in polarity("Iraq denied that it had authorised the strikes", lexicon)[1]
    # a hypothetical asserts nothing either way
    assert polarity("they would not allow Russian jets", lexicon) == (set(), set())
    # "not" negates the verb after it: an action past another verb is in that verb's scope, neither side
    assert polarity("Baghdad would not seek Russian air strikes", lexicon) == (set(), set())
    assert polarity("It was not known when the new strikes would begin inside Iraq.", lexicon) == (set(), set())
    # …but auxiliaries, adverbs, light verbs and names let it through; "no" negates its whole noun phrase
    assert polarity("Russia did not launch strikes in Iraq", lexicon) == (set(), {"attack"})
    assert polarity("Iraq has not yet formally given Russia permission", lexicon) == (set(), {"authorisation"})
    assert polarity("There were no Russian air strikes in Iraq", lexicon) == (set(), {"attack"})
    # what is asked for is not asserted by the asking
    assert polarity("Iraq has not asked Russia for air strikes", lexicon) == (set(), {"authorisation"})


def test_core_ends_before_a_trailing_comment() -> None:
    lexicon = load_resources().lexicon
    text = "Iraq has given Russia permission to hit targets, adding to the tensions between Washington and Moscow"
    assert text[:core_end(text, lexicon)] == "Iraq has given Russia permission to hit targets"
    assert core_end("Nothing happens here", lexicon) == len("Nothing happens here")


def _claim(text: str, affirmed: list[str], denied: list[str], anchors: list[str], n: int = 1) -> ArticleClaim:
    return ArticleClaim(id=f"c{n}", kind=ClaimKind.ATTRIBUTED, text=text, spans=[Span(start=0, end=len(text),
                        text=text)], speaker="someone", checkworthiness=0.5, anchors=anchors, affirmed=affirmed,
                        denied=denied)


def test_a_claim_and_its_denial_are_never_one_story_claim() -> None:
    items = [
        Item(1, _claim("Iraq has authorised Russian air strikes on Islamic State", ["authorisation", "attack"], [],
                       ["Iraq", "Russia", "Islamic State"])),
        Item(2, _claim("Iraq authorised Russian air strikes against Islamic State", ["authorisation", "attack"], [],
                       ["Iraq", "Russia", "Islamic State"])),
        Item(3, _claim("Iraq has not authorised Russian air strikes on Islamic State", [],
                       ["authorisation", "attack"], ["Iraq", "Russia", "Islamic State"])),
    ]
    groups = group_claims(items)
    together = next(g for g in groups if 0 in g.members)
    assert 1 in together.members and 2 not in together.members


def _story_claim(n: int, text: str, affirmed: list[str], denied: list[str], date: str, speaker: str) -> StoryClaim:
    ref = ArticleRef(id=n, outlet=f"Outlet {n}", published=date)
    span = Span(start=0, end=len(text), text=text)
    return StoryClaim(claim_id=f"1-{n}", story_id=1, text=text, checkworthiness=0.5,
                      appearances=[Appearance(article_id=n, claim_id="c1", text=text, spans=[span], speaker=speaker,
                                              similarity=1.0, anchors=["Iraq", "Russia"])],
                      first_seen=FirstSeen(article=ref, speaker=speaker, span=span), anchors=["Iraq", "Russia"],
                      affirmed=affirmed, denied=denied)


def test_strict_contradiction_and_tension() -> None:
    yes = _story_claim(1, "Iraq has authorised Russian strikes", ["authorisation"], [], "2015-10-23", "a lawmaker")
    no = _story_claim(2, "Iraq has not authorised Russian strikes", [], ["authorisation"], "2015-10-24",
                      "a spokesman")
    not_now = _story_claim(3, "There is no request right now from Iraq for Russian strikes", [], ["authorisation"],
                           "2015-10-24", "a general")
    later = _story_claim(4, "Iraq has not authorised Russian strikes", [], ["authorisation"], "2015-11-20",
                         "a spokesman")
    refs = {c.first_seen.article.id: c.first_seen.article for c in (yes, no, not_now, later)}
    found = {(c.first.claim_id, c.second.claim_id): c for c in find_contradictions([yes, no, not_now, later], refs)}
    strict = found[("1-1", "1-2")]
    assert strict.kind == ContradictionKind.STRICT and strict.actions == ["authorisation"]
    assert any("different speakers" in r for r in strict.reasons)
    assert found[("1-1", "1-3")].kind == ContradictionKind.TENSION
    assert any("right now" in r for r in found[("1-1", "1-3")].reasons)
    assert found[("1-1", "1-4")].kind == ContradictionKind.TENSION
    assert any("days apart" in r for r in found[("1-1", "1-4")].reasons)
    assert ("1-2", "1-4") not in found and ("1-2", "1-3") not in found  # the same side never conflicts
