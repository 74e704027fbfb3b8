"""The store file: refusal of foreign and newer files (left byte-identical), migrations recorded, and the pieces
that need no pipeline (URL keys, content hashes, dates, search syntax)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.cli import app
from sourcetrace.corpus import Corpus, StoreError, dates
from sourcetrace.corpus.api import fts_query
from sourcetrace.corpus.records import content_hash, url_key
from sourcetrace.corpus.store import SCHEMA_VERSION, Store


def _refused(path: Path, fragment: str) -> None:
    before = path.read_bytes()
    with pytest.raises(StoreError, match=fragment):
        Corpus(path)
    assert path.read_bytes() == before
    result = CliRunner().invoke(app, ["corpus", "stats", "--db", str(path)])
    assert result.exit_code != 0 and fragment in " ".join(result.stderr.split()) and "Traceback" not in result.stderr
    assert path.read_bytes() == before
    assert not Path(str(path) + "-wal").exists()


def test_refuses_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("my notes, not a database\n", "utf-8")
    _refused(path, "not a sourcetrace store")


def test_refuses_another_programs_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    connection.close()
    _refused(path, "not a sourcetrace store")


def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Store(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.commit()
    connection.close()
    _refused(path, "newer sourcetrace")


def test_new_store_records_its_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert [row[0] for row in store.connection.execute("SELECT version FROM schema_migrations")] == list(
            range(1, SCHEMA_VERSION + 1))
        assert store.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.integrity_check() == "ok"
    with Store(tmp_path / "s.db") as store:  # reopening migrates nothing
        assert store.count("schema_migrations") == SCHEMA_VERSION
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    Store(empty).close()  # an empty file becomes a store


def test_read_only_needs_an_existing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        Corpus(tmp_path / "absent.db", read_only=True)
    assert not (tmp_path / "absent.db").exists()


def test_url_key() -> None:
    assert url_key("https://www.Example.com/a/b/?utm_source=x&id=3#top") == url_key("http://example.com/a/b?id=3")
    assert url_key("https://example.com/a?id=3") != url_key("https://example.com/a?id=4")
    assert url_key("https://example.com:8080/a") == "example.com:8080/a"
    assert url_key(None) is None and url_key("not a url") is None


def test_content_hash_ignores_spacing_and_case() -> None:
    assert content_hash("Title\n\nSome  text.\r\n") == content_hash("title some text.")
    assert content_hash("Some text.") != content_hash("Some other text.")


def test_dates() -> None:
    assert dates.parse_date("2016-10-02T14:00:00Z") == "2016-10-02"
    assert dates.parse_date("Sun, 02 Oct 2016 14:00:00 GMT") == "2016-10-02"
    assert dates.parse_date("October 2, 2016") == "2016-10-02"
    assert dates.parse_date("not a date") is None and dates.parse_date("3016-01-01") is None
    assert dates.from_url("https://x.com/2015/10/14/story") == "2015-10-14"
    assert dates.from_url("https://x.com/2015/10/story") == "2015-10"
    assert dates.from_url("https://x.com/story-2015") is None
    assert dates.from_file_name("nyt_2016-10-02_slug.txt") == "2016-10-02"
    assert dates.resolve(field="2016-01-05", url="https://x.com/2015/10/14/s") == ("2016-01-05", "input")
    assert dates.resolve(url="https://x.com/s", crawl_date="2018-01-25") == ("2018-01-25", "crawl_date")
    html = '<html><head><meta property="article:published_time" content="2019-03-04T10:00:00Z"></head></html>'
    assert dates.resolve(html=html, url="https://x.com/2015/10/14/s") == ("2019-03-04", "html_metadata")


def test_fts_query_never_passes_syntax() -> None:
    assert fts_query('Putin "air strikes" OR NEAR(x') == '"Putin" "air strikes" "OR" "NEAR x"'
    assert fts_query('"') == "" and fts_query("  ") == ""


def test_a_stalled_analysis_is_stopped_and_recorded() -> None:
    from sourcetrace.corpus.sources import Task
    from sourcetrace.corpus.worker import Analyzer

    class Stalls:
        def analyze_article(self, article: object) -> None:
            while True:
                pass

    analyzer = Analyzer(None, time_limit=0.3)
    analyzer._pipeline = Stalls()  # type: ignore[assignment]
    outcome = analyzer.process(Task(origin="x.jsonl:1", kind="text", text="The mayor said the budget was fine."))
    assert (outcome.status, outcome.kind) == ("error", "timeout")
    assert outcome.reason and "longer than 0.3 s" in outcome.reason


def test_a_stalled_analysis_is_stopped_off_the_main_thread_too() -> None:
    """A Dask worker runs its tasks in a thread, where SIGALRM cannot reach: the limit holds there as well, and
    nothing is raised into the thread once the analysis has finished."""
    import threading
    import time

    from sourcetrace.corpus.sources import Task
    from sourcetrace.corpus.worker import Analyzer

    class Stalls:
        def analyze_article(self, article: object) -> None:
            while True:
                pass

    outcomes: list[object] = []
    after: list[str] = []

    def run() -> None:
        analyzer = Analyzer(None, time_limit=0.3)
        analyzer._pipeline = Stalls()  # type: ignore[assignment]
        outcomes.append(analyzer.process(Task(origin="x.jsonl:1", kind="text",
                                              text="The mayor said the budget was fine.")))
        deadline = time.monotonic() + 0.6  # past the limit again: a late timer must not strike here
        while time.monotonic() < deadline:
            pass
        after.append("finished")

    thread = threading.Thread(target=run)
    started = time.monotonic()
    thread.start()
    thread.join(10)
    assert not thread.is_alive() and after == ["finished"]
    outcome = outcomes[0]
    assert (outcome.status, outcome.kind) == ("error", "timeout")  # type: ignore[attr-defined]
    assert "longer than 0.3 s" in (outcome.reason or "")  # type: ignore[attr-defined]
    assert time.monotonic() - started < 5
