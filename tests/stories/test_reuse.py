"""Copied passages on real text: planted copies with realistic edits, a shared quotation that is no copy,
boilerplate, credited and uncredited copies, undated and odd articles, the incremental index.

The texts are the reference article and the bundled demo corpus (wire-style items written for the purpose);
the articles are stored bare (text and metadata, no analysis), as reuse detection reads nothing else.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from sourcetrace.corpus.store import Store
from sourcetrace.stories.align import align, fingerprint, tokenize
from sourcetrace.stories.demo import demo_corpus_records
from sourcetrace.stories.provenance import trace
from sourcetrace.stories.reuse import ArticleMeta, ReuseIndex, passages, store_bare_texts


def _record(key: str) -> dict[str, str]:
    return next(r for r in demo_corpus_records() if r["id"] == key)


REUTERS = _record("demo-reuters")["text"]
FARS = _record("demo-fars")["text"]
ANADOLU = _record("demo-anadolu")["text"]


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if len(p.split()) > 15]


def _store(tmp_path: Path, *articles: ArticleMeta) -> tuple[Store, list[int]]:
    store = Store(tmp_path / "reuse.db")
    ids = store_bare_texts(store, list(articles))
    ReuseIndex(store).update()
    return store, ids


def _edit(text: str, rng: random.Random, rate: float = 0.08) -> str:
    """Substitute, drop and insert words at ``rate`` each: an editor's light touch."""
    words = text.split(" ")
    out: list[str] = []
    for word in words:
        roll = rng.random()
        if roll < rate:
            out.append(rng.choice(["reportedly", "also", "then", "the", "new"]))
        elif roll < 2 * rate:
            continue
        else:
            out.append(word)
        if rng.random() < rate / 2:
            out.append("now")
    return " ".join(out)


def test_alignment_maps_back_to_character_spans(seed_text: str) -> None:
    paragraph = _paragraphs(seed_text)[4]
    other = "An unrelated opening line about something else entirely.\n\n" + paragraph + "\n\nThe end."
    a, b = tokenize(seed_text), tokenize(other)
    matches = align(a, b)
    assert len(matches) == 1
    match = matches[0]
    assert seed_text[a.starts[match.a_start]:a.ends[match.a_end - 1]] == paragraph.rstrip(".")[:len(
        seed_text[a.starts[match.a_start]:a.ends[match.a_end - 1]])]
    assert other[b.starts[match.b_start]:b.ends[match.b_end - 1]] in paragraph
    hashes, _positions = fingerprint(a.words)
    assert 0.25 < len(hashes) / len(a) < 0.45  # winnowing keeps about a third


def test_planted_edited_copy_is_found_with_its_spans(tmp_path: Path, seed_text: str) -> None:
    rng = random.Random(3)
    copied = _paragraphs(seed_text)[8]  # the Antonov paragraph
    edited = _edit(copied, rng)
    assert edited != copied
    later = ANADOLU + "\n\n" + edited + "\n\nMore on this story as it develops."
    store, (first, second) = _store(
        tmp_path, ArticleMeta(0, seed_text, outlet="US Defense Watch", published="2015-10-24"),
        ArticleMeta(0, later, outlet="Daily Echo", published="2015-10-25"))
    found = passages(store)
    assert len(found) == 1
    passage = found[0]
    assert (passage.source_id, passage.target_id, passage.kind, passage.credited) == (first, second, "copy", False)
    start = seed_text.index(copied)
    assert abs(passage.source_start - start) < 30 and abs(passage.source_end - (start + len(copied))) < 30
    assert later[passage.target_start:passage.target_end] in edited


def test_reordered_sentences_and_a_partial_copy(tmp_path: Path) -> None:
    sentences = re.split(r"(?<=\.) ", _paragraphs(REUTERS)[0] + " " + _paragraphs(REUTERS)[1])
    reordered = "Breaking overnight.\n\n" + " ".join(reversed(sentences)) + "\n\nNothing else was said."
    partial = "Our correspondent adds context.\n\n" + _paragraphs(REUTERS)[3] + "\n\nNo other details."
    store, ids = _store(tmp_path, ArticleMeta(0, REUTERS, outlet="Reuters", published="2015-10-20"),
                        ArticleMeta(0, reordered, outlet="Blog A", published="2015-10-21"),
                        ArticleMeta(0, partial, outlet="Blog B", published="2015-10-22"))
    found = passages(store)
    by_target: dict[int, int] = {}
    for passage in found:
        by_target[passage.target_id] = by_target.get(passage.target_id, 0) + 1
    assert by_target[ids[1]] >= 2  # each moved sentence aligned on its own
    assert any(p.target_id == ids[2] and p.source_id == ids[0] for p in found)


def test_a_shared_quotation_of_a_third_party_is_not_a_copy(tmp_path: Path) -> None:
    quote = re.search(r"“Iraq agreed with.*?”|\"Iraq agreed with.*?\"", FARS)
    assert quote is not None
    other = ("Iraqi lawmaker backs Russian strikes\n\nA senior member of parliament in Baghdad welcomed Moscow's "
             f"offer on Friday, in remarks broadcast by local television. {quote.group()} Hakem al-Zameli said. "
             "He gave no timetable and the government declined to comment.")
    store, _ids = _store(tmp_path, ArticleMeta(0, FARS, outlet="Fars News Agency", published="2015-10-22"),
                        ArticleMeta(0, other, outlet="Baghdad Post", published="2015-10-23"))
    found = passages(store)
    assert [p.kind for p in found] == ["shared_quote"]


def test_site_boilerplate_is_told_apart(tmp_path: Path, seed_text: str) -> None:
    footer = ("Enjoy this blog? Please spread the word and follow US Defense Watch on Facebook and Twitter for daily "
              "updates on national security, the armed forces and veterans' affairs.")
    bodies = [_paragraphs(seed_text)[i] for i in (1, 2, 3)]
    articles = [ArticleMeta(0, f"Post {i}\n\n{body}\n\n{footer}", site="usdefensewatch.com",
                            published=f"2015-10-2{i}") for i, body in enumerate(bodies)]
    store, _ = _store(tmp_path, *articles)
    kinds = {p.kind for p in passages(store)}
    assert kinds == {"boilerplate"}


def test_credited_uncredited_and_inherited_credit(tmp_path: Path, seed_text: str) -> None:
    dunford = next(p for p in _paragraphs(REUTERS) if "Dunford told reporters" in p)
    credited = ("Dunford in Baghdad\n\nThe Pentagon's top officer flew to Baghdad this week. Reuters reports:\n\n"
                + dunford + "\n\nWhat happens next is anyone's guess.")
    uncredited = "Dunford in Baghdad\n\nFurther reports:\n\n" + dunford + "\n\nWhat happens next is unclear."
    sputnik_like = _paragraphs(seed_text)[4]  # "…, according to Fars News Agency." copied along
    inherited = "Iraq and Russia\n\nFurther reports:\n\n" + sputnik_like + "\n\nThat is all for now."
    store, ids = _store(
        tmp_path, ArticleMeta(0, REUTERS, outlet="Reuters", url="https://www.reuters.com/a", published="2015-10-20"),
        ArticleMeta(0, credited, outlet="Antiwar Digest", published="2015-10-21"),
        ArticleMeta(0, uncredited, outlet="Some Blog", published="2015-10-21"),
        ArticleMeta(0, "Sputnik item\n\n" + sputnik_like + "\n\nSputnik asked for comment.", outlet="Sputnik",
                    url="https://sputniknews.com/x", published="2015-10-23"),
        ArticleMeta(0, inherited, outlet="Another Blog", published="2015-10-24"))
    found = {(p.source_id, p.target_id): p for p in passages(store)}
    assert found[(ids[0], ids[1])].credited and found[(ids[0], ids[1])].credit_name == "Reuters"
    assert not found[(ids[0], ids[2])].credited
    inherited_copy = found[(ids[3], ids[4])]
    assert inherited_copy.kind == "copy" and not inherited_copy.credited  # "Fars" came with Sputnik's text


def test_undated_articles_and_the_earliest_carrier(tmp_path: Path) -> None:
    dunford = next(p for p in _paragraphs(REUTERS) if "Dunford told reporters" in p)
    store, ids = _store(
        tmp_path, ArticleMeta(0, REUTERS, outlet="Reuters", published="2015-10-20"),
        ArticleMeta(0, "Repost\n\n" + dunford + "\n\nEnd of repost.", outlet="Repost Site", published="2015-10-21"),
        ArticleMeta(0, "Forum\n\n" + dunford + "\n\nThoughts, anyone?", outlet="Forum"))
    result = trace(store, ids[2])
    [passage] = [p for p in result.passages if p.role == "copied_from"]
    assert passage.origin is not None
    assert passage.origin.earliest.id == ids[0]
    assert "earliest seen in this corpus" in passage.origin.phrase()
    assert "original" not in passage.origin.phrase()
    assert result.article.dated() == "undated"
    # the undated forum post is the later one of each pair
    assert all(p.target_id == ids[2] and not p.dated for p in passages(store) if ids[2] in (p.source_id, p.target_id))
    only_undated = trace(store, ids[0])
    assert {p.other.dated() for p in only_undated.passages if p.other.id == ids[2]} == {"undated"}


def test_short_duplicate_and_huge_articles(tmp_path: Path, seed_text: str) -> None:
    rng = random.Random(5)
    vocabulary = sorted(set(re.findall(r"[a-z]+", (REUTERS + FARS + ANADOLU).lower())))
    filler = " ".join(rng.choice(vocabulary) for _ in range(70_000))  # ~450k characters
    huge = "A very long page\n\n" + filler + "\n\n" + _paragraphs(seed_text)[8] + "\n\n" + filler
    store, ids = _store(tmp_path, ArticleMeta(0, "Too short to matter.", published="2015-10-20"),
                        ArticleMeta(0, seed_text, published="2015-10-21"),
                        ArticleMeta(0, seed_text, published="2015-10-22"))
    reason = store.connection.execute("SELECT status, reason FROM reuse_articles WHERE article_id = ?",
                                      (ids[0],)).fetchone()
    assert reason[0] == "excluded" and "too short" in reason[1]
    whole = [p for p in passages(store) if (p.source_id, p.target_id) == (ids[1], ids[2])]
    assert whole and max(p.words for p in whole) > 700  # a duplicate is one passage of (nearly) all of it
    started = time.perf_counter()
    store_bare_texts(store, [ArticleMeta(0, huge, published="2015-10-23")], origin_prefix="huge")
    summary = ReuseIndex(store).update()
    assert summary.indexed == 1 and time.perf_counter() - started < 20
    assert summary.passages >= 1


def test_the_index_is_updated_not_rebuilt(tmp_path: Path, seed_text: str) -> None:
    store, ids = _store(tmp_path, ArticleMeta(0, REUTERS, outlet="Reuters", published="2015-10-20"),
                        ArticleMeta(0, FARS, outlet="Fars News Agency", published="2015-10-22"))
    postings = store.count("reuse_postings")
    assert ReuseIndex(store).update().indexed == 0  # nothing to do
    dunford = next(p for p in _paragraphs(REUTERS) if "Dunford told reporters" in p)
    store_bare_texts(store, [ArticleMeta(0, "New\n\n" + dunford + "\n\nEnd.", published="2015-10-21")],
                     origin_prefix="new")
    summary = ReuseIndex(store).update()
    assert summary.indexed == 1 and summary.passages == 1
    assert store.count("reuse_postings") > postings
    assert [r[0] for r in store.connection.execute("SELECT article_id FROM reuse_articles ORDER BY 1")] == [
        *ids, ids[-1] + 1]


@pytest.mark.parametrize("published", ["2015-10", "2015"])
def test_a_month_date_is_never_claimed_earlier_than_a_day_in_it(tmp_path: Path, published: str) -> None:
    dunford = next(p for p in _paragraphs(REUTERS) if "Dunford told reporters" in p)
    store, ids = _store(tmp_path, ArticleMeta(0, "Blog\n\n" + dunford + "\n\nEnd.", published=published),
                        ArticleMeta(0, REUTERS, outlet="Reuters", published="2015-10-20"))
    [passage] = passages(store)
    assert (passage.source_id, passage.target_id) == (ids[1], ids[0])


def test_commands_on_an_empty_store_and_an_article_without_copies(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sourcetrace.cli import app

    runner = CliRunner()
    db = tmp_path / "empty.db"
    Store(db).close()
    result = runner.invoke(app, ["corpus", "reuse", "--db", str(db)])
    assert result.exit_code == 0 and "no shared passages" in result.stdout
    store = Store(db)
    [alone] = store_bare_texts(store, [ArticleMeta(0, ANADOLU, outlet="Anadolu Agency")])
    store.close()
    result = runner.invoke(app, ["corpus", "trace", str(alone), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "none in this corpus" in result.stdout and "undated" in result.stdout
    result = runner.invoke(app, ["corpus", "trace", str(alone), "--db", str(db), "--format", "graphml"])
    assert result.exit_code == 0 and "<graphml" in result.stdout
