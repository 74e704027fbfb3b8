"""Claims across a small story (issue 24, "must show" 3): the reference article plus four wire-style texts written
for the purpose (tests/claims/data/README.md). ``corpus claims`` must list "Iraq authorised Russian strikes" with
the outlets that carry it, and "There is no request right now" as contradicting it, each with spans that point
at the words in the stored articles."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sourcetrace.claims.extract import extract_claims
from sourcetrace.claims.models import ClaimKind
from sourcetrace.cli import app
from sourcetrace.corpus.api import Corpus

DATA = Path(__file__).parent / "data" / "claims-corpus.jsonl"
SEED_OUTLET = "usdefensewatch.com"
AUTHORISED = re.compile(r"given (?:Russia|Moscow) permission|authori[sz]ed Russia|agreed with Russia", re.I)
NO_REQUEST = re.compile(r"no request right now", re.I)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("claims")
    seed = (resources.files("sourcetrace.resources") / "demo-article.txt").read_text(encoding="utf-8")
    lines = [json.dumps({"id": "seed", "outlet": SEED_OUTLET, "date": "2015-10-23", "text": seed,
                         "url": "https://usdefensewatch.com/2015/10/russia-given-the-green-light-by-baghdad/"})]
    lines += DATA.read_text(encoding="utf-8").splitlines()
    source = folder / "story.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = folder / "claims.db"
    with Corpus(db) as corpus:
        summary = corpus.add(source, workers=1)
        assert summary.stored == 5
    return db


@pytest.fixture(scope="module")
def claims(store: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["corpus", "claims", "--db", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _texts(store: Path) -> dict[int, str]:
    with Corpus(store, read_only=True) as corpus:
        return {a.id: a.report.article.text for a in corpus}


def _wordings(claim: dict[str, Any]) -> list[str]:
    return [claim["text"]] + [a["text"] for a in claim["appearances"]]


def test_one_story_holds_the_five_articles(claims: list[dict[str, Any]]) -> None:
    assert len({c["story_id"] for c in claims}) == 1
    assert all(len(c["articles"]) == 5 for c in claims)


def test_the_authorisation_claim_and_its_supporters(store: Path, claims: list[dict[str, Any]]) -> None:
    texts = _texts(store)
    authorised = [c for c in claims if AUTHORISED.search(c["text"]) and "not" not in c["text"].split()]
    assert authorised, [c["text"] for c in claims]
    claim = max(authorised, key=lambda c: len(c["supporting"]))
    # the reference article and the two wires that relay it; the one that disputes it is not a supporter
    assert {SEED_OUTLET, "Meridian Wire", "Gulf Courier"} <= set(claim["supporting"])
    assert "Capital Ledger" not in claim["supporting"]
    assert claim["first_seen"]["date"] == "2015-10-23"
    for article in claim["articles"]:
        if article["stance"] == "supports":
            assert article["spans"], article
            for span in article["spans"]:
                assert texts[article["id"]][span["start"]:span["end"]] == span["text"]
    # the article written to dispute it says so in its lead
    ledger = next(a for a in claim["articles"] if a["outlet"] == "Capital Ledger")
    assert ledger["stance"] == "contradicts"
    assert any(re.search(r"not (?:authorised|asked)|no request", s["text"]) for s in ledger["spans"])
    # the one that gives both sides in one sentence takes none
    dispatch = next(a for a in claim["articles"] if a["outlet"] == "Northern Dispatch")
    assert dispatch["stance"] == "discusses"


def test_no_request_right_now_contradicts_it(store: Path, claims: list[dict[str, Any]]) -> None:
    texts = _texts(store)
    no_request = [c for c in claims if any(NO_REQUEST.search(w) for w in _wordings(c))]
    assert no_request, [c["text"] for c in claims]
    against = [(c, x) for c in no_request for x in c["contradictions"] if AUTHORISED.search(x["text"])]
    assert against, [c["contradictions"] for c in no_request]
    claim, contradiction = against[0]
    assert contradiction["kind"] in ("contradiction", "tension")
    assert "authorisation" in contradiction["actions"]
    assert "Russia" in contradiction["shared_anchors"]
    # both sides point at their words, with speaker and outlet
    assert NO_REQUEST.search(contradiction["this_span"]["text"]) or AUTHORISED.search(
        contradiction["this_span"]["text"]) or claim["text"]
    for side, article_id in ((contradiction["span"], contradiction["article"]["id"]),
                             (contradiction["this_span"], contradiction["this_article"])):
        assert texts[article_id][side["start"]:side["end"]] == side["text"]
    assert contradiction["article"]["outlet"] and contradiction["speaker"]
    # "right now" limits a denial in time: where a side shown is worded so, it is a tension and the reason says
    # so; a side worded plainly ("has not authorised") makes a strict contradiction
    for x in (c for c in no_request for c in c["contradictions"]):
        if NO_REQUEST.search(x["span"]["text"]) or NO_REQUEST.search(x["this_span"]["text"]):
            assert x["kind"] == "tension" and any("right now" in r for r in x["reasons"])
    # the wires that relay the authorisation contradict the denial
    assert {"Meridian Wire", "Gulf Courier"} <= set(claim["contradicting"])


def test_table_and_csv_formats(store: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(app, ["corpus", "claims", "--db", str(store)])
    assert table.exit_code == 0, table.output
    assert "contradictions" in table.stdout and "Meridian Wire" in table.stdout
    rows = runner.invoke(app, ["corpus", "claims", "--db", str(store), "--format", "csv"])
    assert rows.exit_code == 0
    header, *body = rows.stdout.splitlines()
    assert header.startswith("story_id,claim_id,claim")
    assert any(",contradicts," in line for line in body)


def test_bad_input_is_one_line(store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["corpus", "claims", "--db", str(store), "--story", "999"])
    assert missing.exit_code != 0 and "no story 999" in missing.output and "Traceback" not in missing.output
    bad = runner.invoke(app, ["corpus", "claims", "--db", str(store), "--format", "xml"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    nothing = runner.invoke(app, ["corpus", "claims", "--db", str(tmp_path / "none.db")])
    assert nothing.exit_code != 0 and "no store" in nothing.output


def test_article_claims_carry_spans_speakers_and_rank() -> None:
    import sourcetrace

    seed = (resources.files("sourcetrace.resources") / "demo-article.txt").read_text(encoding="utf-8")
    report = sourcetrace.analyze(seed)
    claims = extract_claims(report)
    scores = [c.checkworthiness for c in claims]
    assert scores == sorted(scores, reverse=True)
    for claim in claims:
        for span in claim.spans:
            assert seed[span.start:span.end] == span.text
    dunford = [c for c in claims if NO_REQUEST.search(c.text)]
    assert dunford and dunford[0].speaker == "Joseph Dunford" and dunford[0].conduits == ["Reuters"]
    assert "authorisation" in dunford[0].denied
    author = [c for c in claims if c.kind == ClaimKind.AUTHOR and "given Russia permission" in c.text]
    assert author and "authorisation" in author[0].affirmed


def test_story_report_has_claims_and_contradictions(store: Path) -> None:
    out = store.parent / "story.html"
    result = CliRunner().invoke(app, ["corpus", "story", "1", "--db", str(store), "--format", "html", "-o",
                                      str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    claims_part = page[page.index('id="claims"'):page.index('id="contradictions"')]
    contra_part = page[page.index('id="contradictions"'):]
    assert "Capital Ledger" in claims_part and "Meridian Wire" in claims_part
    assert "no request right now" in contra_part and ("tension" in contra_part or "contradiction" in contra_part)
    data = json.loads(CliRunner().invoke(app, ["corpus", "story", "1", "--db", str(store), "--format",
                                               "json"]).stdout)
    assert data["claims"]["claims"] and isinstance(data["contradictions"], list)


def test_web_api_and_article_panel(store: Path, pipeline: Any) -> None:
    from fastapi.testclient import TestClient

    from sourcetrace.corpus.web import corpus_router
    from sourcetrace.web.app import create_app

    web = create_app(pipeline=pipeline, workers=0)
    web.include_router(corpus_router(store))
    client = TestClient(web)
    data = client.get("/api/corpus/stories/1/claims").json()
    assert data["story_id"] == 1 and data["claims"] and data["contradictions"]
    first = data["claims"][0]
    assert {"claim_id", "story_id", "text", "first_seen", "articles", "contradictions"} <= set(first)
    assert {"id", "url", "stance", "spans"} <= set(first["articles"][0])
    assert client.get("/api/corpus/stories/999/claims").status_code == 404
    assert client.get("/api/corpus/articles/99999/claims").status_code == 404
    with Corpus(store, read_only=True) as corpus:
        wire = next(a.id for a in corpus if a.outlet == "Meridian Wire")
    panel = client.get(f"/api/corpus/articles/{wire}/claims").json()
    entry = next(e for e in panel["entries"] if AUTHORISED.search(e["text"]))
    assert entry["stance"] == "supports"
    assert "Capital Ledger" in [a["article"]["outlet"] for a in entry["contradicting"]]
    page = client.get(f"/corpus/articles/{wire}")
    assert page.status_code == 200 and 'id="claims"' in page.text and "Contradicted by" in page.text


def test_claims_html_escapes_untrusted_text() -> None:
    from sourcetrace.claims.models import (
        ArticleRef,
        ArticleStance,
        ClaimStance,
        FirstSeen,
        StoryClaim,
        StoryClaims,
    )
    from sourcetrace.models import Span
    from sourcetrace.render.claims import story_claims_html

    evil = "<script>alert(1)</script>"
    ref = ArticleRef(id=1, outlet=evil, url="javascript:alert(1)")
    span = Span(start=0, end=len(evil), text=evil)
    claim = StoryClaim(claim_id="1-1", story_id=1, text=evil, checkworthiness=0.5, appearances=[],
                       first_seen=FirstSeen(article=ref, speaker=evil, span=span),
                       articles=[ArticleStance(article=ref, stance=ClaimStance.SUPPORTS, how="states", spans=[span])])
    html = str(story_claims_html(StoryClaims(story_id=1, articles=[ref], claims=[claim], contradictions=[],
                                             method=evil), None))
    assert "<script>" not in html and "&lt;script&gt;" in html and "javascript:" not in html


def test_claimreview_drafts(store: Path) -> None:
    result = CliRunner().invoke(app, ["corpus", "claims", "--db", str(store), "--format", "claimreview"])
    assert result.exit_code == 0, result.output
    drafts = json.loads(result.stdout)
    assert drafts and all(d["@type"] == "ClaimReview" and d["@context"] == "https://schema.org" for d in drafts)
    assert all("reviewRating" not in d for d in drafts)  # the verdict is the fact-checker's
    authorised = next(d for d in drafts if AUTHORISED.search(d["claimReviewed"]) and " not " not in
                      d["claimReviewed"])
    item = authorised["itemReviewed"]
    assert item["@type"] == "Claim" and item["firstAppearance"]["datePublished"] == "2015-10-23"
    publishers = {a["publisher"]["name"] for a in item["appearance"]}
    assert {"Meridian Wire", "Gulf Courier"} <= publishers and "Capital Ledger" not in publishers
    assert any("Capital Ledger" in c["text"] for c in authorised.get("comment", []))
