"""Stories: features, metrics, the online clusterer on real FNC-1 bodies of three stories, and the store path
(corpus stories, rerun, one new article, export, robustness). FNC-1 is read from ../shared/data at run time
(research data: not copied into the repository)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.corpus import Corpus
from sourcetrace.stories.assign import assign_stories, date_days, prepare_row
from sourcetrace.stories.clustering import StoryClusterer
from sourcetrace.stories.features import MAX_WORDS, article_terms, entity_key, heuristic_entities, lemma
from sourcetrace.stories.labels import LabelledArticle, article_items, build, day_string
from sourcetrace.stories.metrics import bcubed, pairwise
from sourcetrace.stories.model import default_model
from sourcetrace.stories.storage import StoryStorage

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
needs_fnc1 = pytest.mark.skipif(not (SHARED_DATA / "fnc1" / "train_bodies.csv").exists(),
                                reason="needs ../shared/data/fnc1 and ../shared/data/emergent")


@pytest.fixture(scope="module")
def three_stories() -> list[LabelledArticle]:
    """Four bodies each of the first three test-split stories with at least four bodies, in date order."""
    test = build(SHARED_DATA).split("test")
    by_story: dict[str, list[LabelledArticle]] = {}
    for article in test:
        by_story.setdefault(article.story, []).append(article)
    chosen = [articles[:4] for _, articles in sorted(by_story.items()) if len(articles) >= 4][:3]
    return sorted((a for group in chosen for a in group), key=lambda a: (a.date, a.body_id))


def test_lemmas_and_entity_keys() -> None:
    assert [lemma(w) for w in ("airstrikes", "claimed", "fighting", "studies", "boxes", "news")] == [
        "airstrike", "claim", "fight", "study", "box", "news"]
    assert entity_key("The  Islamic State") == "islamic state"
    names = [name for name, _ in heuristic_entities("Officials in Baghdad said the Islamic State of Iraq fled.")]
    assert "Baghdad" in names and "Islamic State of Iraq" in names


def test_report_entities_are_canonical_terms() -> None:
    """Two articles naming ISIS and ISIL share the entity term when the report canonicalised both."""
    first = article_terms(1, "ISIS fighters advanced. " * 10, title="ISIS advance", date=0.0,
                          entities=[("Islamic State", 0)])
    second = article_terms(2, "ISIL fighters advanced. " * 10, title="ISIL advance", date=0.0,
                           entities=[("Islamic State", 0)])
    assert first.counts[5] == second.counts[5] == {"e:islamic state": 1}


def test_metrics() -> None:
    gold = {1: "a", 2: "a", 3: "b", 4: "b"}
    assert pairwise(gold, gold).f1 == bcubed(gold, gold).f1 == 1.0
    merged = {1: 0, 2: 0, 3: 0, 4: 0}
    assert pairwise(merged, gold).precision == pytest.approx(2 / 6)
    assert bcubed(merged, gold).precision == pytest.approx(0.5) and bcubed(merged, gold).recall == 1.0
    split = {1: 1, 2: 2, 3: 3, 4: 4}
    assert pairwise(split, gold).recall == 0.0 and bcubed(split, gold).recall == pytest.approx(0.5)


@needs_fnc1
def test_clusterer_groups_three_real_stories(three_stories: list[LabelledArticle]) -> None:
    assignments = StoryClusterer(default_model()).run(article_items(three_stories, None))
    predicted = {a.article_id: a.story_id for a in assignments}
    gold = {a.body_id: a.story for a in three_stories}
    assert bcubed(predicted, gold).f1 >= 0.8
    assert assignments[0].status == "opened"


@needs_fnc1
def test_time_window_separates_a_story_told_again_months_later(three_stories: list[LabelledArticle]) -> None:
    story = [a for a in three_stories if a.story == three_stories[0].story]
    later = [LabelledArticle(a.body_id + 100_000, a.text, a.story, a.claim, a.date + 120, a.split) for a in story]
    assignments = StoryClusterer(default_model(), window_days=10).run(article_items(story + later, None))
    first = {a.story_id for a in assignments[: len(story)]}
    second = {a.story_id for a in assignments[len(story):]}
    assert not first & second


def _jsonl(path: Path, articles: list[LabelledArticle], extra: list[dict[str, object]] = ()) -> Path:  # type: ignore[assignment]
    with path.open("w", encoding="utf-8") as handle:
        for a in articles:
            handle.write(json.dumps({"id": f"fnc-{a.body_id}", "url": f"https://example.org/{a.body_id}",
                                     "date": day_string(a.date), "text": a.text}) + "\n")
        for row in extra:
            handle.write(json.dumps(row) + "\n")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, three_stories: list[LabelledArticle]) -> Path:
    if not (SHARED_DATA / "fnc1" / "train_bodies.csv").exists():
        pytest.skip("needs ../shared/data/fnc1")
    root = tmp_path_factory.mktemp("stories")
    held_back = three_stories[-1]
    undated = three_stories[0]
    extra = [
        {"id": "short", "url": "https://example.org/short", "date": "2015-01-01",
         "text": "Officials said the bridge reopened on Monday after repairs were finished."},
        {"id": "undated", "url": "https://example.org/undated", "text": undated.text + "\n\nMore to follow."},
    ]
    batch = _jsonl(root / "batch.jsonl", three_stories[:-1], extra)
    with Corpus(root / "store.db") as corpus:
        corpus.add(batch, workers=1, learned=False)
    _jsonl(root / "new.jsonl", [held_back])
    return root


@needs_fnc1
def test_store_groups_reruns_and_adds_one(store: Path, three_stories: list[LabelledArticle]) -> None:
    with Corpus(store / "store.db") as corpus:
        run = assign_stories(corpus.store)
        storage = StoryStorage(corpus.store)
        assert run.placed == len(three_stories) - 1 + 1  # eleven bodies and the undated copy
        assert run.undated == 1
        assert sum(run.excluded.values()) == 1
        short = corpus.get("https://example.org/short")
        assert short is not None
        placed = storage.story_of(short.id)
        assert placed is not None and placed[0] is None and "too short" in (placed[2] or "")
        # the undated copy joins its story
        copy = corpus.get("https://example.org/undated")
        original = corpus.get(f"https://example.org/{three_stories[0].body_id}")
        assert copy is not None and original is not None
        assert storage.story_of(copy.id)[0] == storage.story_of(original.id)[0]  # type: ignore[index]
        # a rerun has nothing to do
        again = assign_stories(corpus.store)
        assert again.placed == 0 and not again.excluded
        # one new article: only it is placed, into its story's story
        corpus.add(store / "new.jsonl", workers=1, learned=False)
        started = time.perf_counter()
        one = assign_stories(corpus.store)
        assert time.perf_counter() - started < 1.0
        assert one.placed == 1 and len(one.assignments) == 1
        held_back = three_stories[-1]
        sibling = next(a for a in three_stories if a.story == held_back.story and a is not held_back)
        new = corpus.get(f"https://example.org/{held_back.body_id}")
        old = corpus.get(f"https://example.org/{sibling.body_id}")
        assert new is not None and old is not None
        assert storage.story_of(new.id)[0] == storage.story_of(old.id)[0]  # type: ignore[index]
        assert storage.stories(min_articles=2)[0].label


@needs_fnc1
def test_cli_lists_stories_timeline_and_exports(store: Path) -> None:
    from sourcetrace.cli import app

    db = str(store / "store.db")
    runner = CliRunner()
    listed = runner.invoke(app, ["corpus", "stories", "--db", db])
    assert listed.exit_code == 0, listed.output
    assert "stories" in listed.output and "·" in listed.output
    data = json.loads(runner.invoke(app, ["corpus", "stories", "--db", db, "--format", "json"]).output)
    story_id = data["stories"][0]["story_id"]
    timeline = runner.invoke(app, ["corpus", "stories", "--db", db, "--story", str(story_id)])
    assert timeline.exit_code == 0 and f"story {story_id}:" in timeline.output
    short = runner.invoke(app, ["corpus", "stories", "--db", db, "--article", "https://example.org/short"])
    assert "in no story: too short" in short.output
    out = store / "stories.jsonl"
    exported = runner.invoke(app, ["corpus", "export", "--db", db, "--what", "stories", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert all({"story_id", "id", "url"} <= set(row) for row in rows)
    assert any(row["story_id"] is None and row["status"] == "excluded" for row in rows)


@needs_fnc1
def test_non_english_stored_article_is_left_out_with_its_reason(store: Path) -> None:
    """The corpus refuses non-English inputs at `corpus add`; one stored anyway (an older store, another tool)
    is left out of stories with the reason."""
    import zlib

    with Corpus(store / "store.db") as corpus:
        article_id, blob = corpus.store.connection.execute("SELECT id, report FROM articles LIMIT 1").fetchone()
        report = json.loads(zlib.decompress(blob))
        report["article"]["language"] = "de"
        corpus.store.connection.execute("UPDATE articles SET report = ? WHERE id = ?",
                                        (zlib.compress(json.dumps(report).encode()), article_id))
        assign_stories(corpus.store, rebuild=True)
        placed = StoryStorage(corpus.store).story_of(article_id)
        assert placed is not None and placed[1] == "excluded" and "not English (de)" in (placed[2] or "")


def test_huge_article_is_read_up_to_its_limit() -> None:
    text = "Flooding closed the Harbour Road in Lisbon as rescue teams evacuated residents. " * 20_000
    started = time.perf_counter()
    prepared = prepare_row(1, None, "2015-02-01", text, None)
    assert time.perf_counter() - started < 3.0
    assert not isinstance(prepared, str) and prepared[0].n_words <= MAX_WORDS


def test_dates() -> None:
    assert date_days("1970-01-02") == 1.0 and date_days("2015-03") == date_days("2015-03-15")
    assert date_days(None) is None and date_days("someday") is None and date_days("2015-02-30") is None


@needs_fnc1
def test_window_is_kept_with_the_store(store: Path) -> None:
    from sourcetrace.errors import InputError

    with Corpus(store / "store.db") as corpus:
        assign_stories(corpus.store)
        with pytest.raises(InputError, match="--rebuild"):
            assign_stories(corpus.store, window_days=3)


def test_cli_on_a_missing_or_empty_store(tmp_path: Path) -> None:
    from sourcetrace.cli import app

    runner = CliRunner()
    missing = runner.invoke(app, ["corpus", "stories", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code != 0 and "no store at" in missing.output
    Corpus(tmp_path / "empty.db").close()
    empty = runner.invoke(app, ["corpus", "stories", "--db", str(tmp_path / "empty.db")])
    assert empty.exit_code != 0 and "no articles yet" in empty.output
