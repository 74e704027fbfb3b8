"""A running ``corpus add`` killed with SIGKILL at random moments, several times, then run again: every article
stored exactly once, nothing half-written, the store's integrity checks clean."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from .corpus_batch import DATA

ARTICLES = 100
KILLS = 3


def _feed(path: Path, articles: int = ARTICLES) -> None:
    texts = [(DATA / name).read_text("utf-8") for name in sorted(os.listdir(DATA))]
    with path.open("w", encoding="utf-8") as handle:
        for number in range(articles):
            text = texts[number % len(texts)].rstrip() + (
                f"\n\nThis is dispatch number {number} from the {['north', 'south', 'east', 'west'][number % 4]} "
                "desk, the editors said.\n")
            handle.write(json.dumps({"id": f"a{number}", "text": text,
                                     "url": f"https://example.org/dispatch/{number}"}) + "\n")


def _interruptible() -> None:
    # a job started in the background by a shell without job control (`cmd &` in a script, as CI runners may do)
    # inherits SIGINT ignored, and Python then keeps it ignored: the run is given the terminal's default back
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _add(feed: Path, db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sourcetrace.cli", "corpus", "add", str(feed), "--db", str(db), "--workers", "2",
         "--rules-only", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, preexec_fn=_interruptible)


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    connection = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(connection.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.DatabaseError:
        return 0
    finally:
        connection.close()


def test_sigkill_at_random_moments_then_resume(tmp_path: Path) -> None:
    feed, db = tmp_path / "feed.jsonl", tmp_path / "store.db"
    _feed(feed)
    seed = random.randrange(1 << 30)
    chooser = random.Random(seed)
    progress = []
    landed = 0  # kills that hit a running job
    for _ in range(KILLS):
        before = _stored(db)
        process = _add(feed, db)
        # wait until this run has stored something (so the kill lands mid-run), then a random moment more
        deadline = time.monotonic() + 60
        while _stored(db) == before and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        # a short random moment more: long enough to land anywhere in a write, short enough that a run of the
        # whole feed rarely finishes first (a wait of up to a second let the third run finish on a fast machine)
        time.sleep(chooser.uniform(0.0, 0.3))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # the whole run, workers included, as a crash would
            landed += 1
        process.wait(timeout=30)
        progress.append(_stored(db))
    print("stored after each kill:", progress, "seed", seed)
    final = _add(feed, db)
    _, stderr = final.communicate(timeout=180)
    assert final.returncode == 0, stderr.decode()

    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        connection.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")  # raises if bad
        ids = [row[0] for row in connection.execute("SELECT external_id FROM articles")]
        assert sorted(ids) == sorted(f"a{n}" for n in range(ARTICLES)), f"seed {seed}, stored after kills {progress}"
        statuses = connection.execute("SELECT status, count(*) FROM inputs GROUP BY status").fetchall()
        assert statuses == [("stored", ARTICLES)], statuses
        # every article whole: its attributions and search entry are there with it
        orphans = connection.execute(
            "SELECT count(*) FROM articles a WHERE n_attributions != "
            "(SELECT count(*) FROM attributions t WHERE t.article_id = a.id)").fetchone()[0]
        assert orphans == 0
        assert connection.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'dispatch'"
                                  ).fetchone()[0] == ARTICLES
    finally:
        connection.close()
    assert landed >= 2, f"only {landed} kills hit a running job (seed {seed}, stored after each {progress})"


def test_ctrl_c_stops_cleanly_and_the_rerun_finishes(tmp_path: Path) -> None:
    feed, db = tmp_path / "feed.jsonl", tmp_path / "store.db"
    articles = 2 * ARTICLES  # several seconds of work: the interrupt lands while the run is storing
    _feed(feed, articles)
    process = _add(feed, db)
    deadline = time.monotonic() + 60
    polls = []
    while process.poll() is None and time.monotonic() < deadline:
        polls.append(_stored(db))
        if polls[-1]:
            break
        time.sleep(0.05)
    assert process.poll() is None, f"the run ended before an article was seen stored ({len(polls)} polls)"
    os.killpg(process.pid, signal.SIGINT)  # what a terminal sends to the whole foreground job on Ctrl-C
    _, stderr = process.communicate(timeout=60)
    message = " ".join(stderr.decode().split())
    assert process.returncode == 130, f"{message} (interrupted after {polls[-1]} stored, {len(polls)} polls)"
    assert "interrupted" in message and "run the same command again to resume" in message
    assert "Traceback" not in message
    stopped_at = _stored(db)
    assert 0 < stopped_at < articles
    rerun = _add(feed, db)
    _, stderr = rerun.communicate(timeout=180)
    assert rerun.returncode == 0, stderr.decode()
    assert _stored(db) == articles
    assert f"{stopped_at:,} done by an earlier run" in " ".join(stderr.decode().split())
