"""The store never loses what it stored: a writer killed (SIGKILL) at random points many times, a full disk, a
read-only file system, an online backup while another process writes, and `corpus check` finding deliberate
damage and saying what it is."""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.cli import app
from sourcetrace.corpus import store as store_module
from sourcetrace.corpus.check import check_store
from sourcetrace.corpus.store import Store

from .corpus_batch import DATA

WRITER = Path(__file__).with_name("crash_writer.py")
REPO = Path(__file__).resolve().parents[2]
KILLS = 25
runner = CliRunner()


def _cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _one_line_error(code: int, stderr: str, *fragments: str) -> str:
    message = " ".join(stderr.split())
    assert code != 0, message
    assert message.startswith("error:"), stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message
    return message


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rows of the four test articles, analysed once (rules only) and pickled for the writer processes."""
    from sourcetrace.article.ingest import article_from_text
    from sourcetrace.article.pipeline import Pipeline
    from sourcetrace.corpus.records import Metadata, article_row

    pipeline = Pipeline(learned_attribution=False)
    made = []
    for path in sorted(DATA.glob("*.txt")):
        article = article_from_text(path.read_text("utf-8"))
        made.append(article_row(pipeline.analyze_article(article), Metadata(title=article.title), origin="base",
                                version="test"))
    out = tmp_path_factory.mktemp("rows") / "rows.pickle"
    out.write_bytes(pickle.dumps(made))
    return out


def _writer(rows: Path, db: Path, total: int) -> subprocess.Popen[str]:
    # an index update every 25 articles
    return subprocess.Popen([sys.executable, str(WRITER), str(rows), str(db), str(total), "25"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _reported(stdout: str) -> list[str]:
    # a line cut short by the kill has no newline: only whole lines count
    return [line.split()[1] for line in stdout.splitlines(keepends=True)
            if line.startswith("stored ") and line.endswith("\n")]


def _stored_ids(db: Path) -> list[str]:
    connection = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [str(row[0]) for row in connection.execute("SELECT external_id FROM articles")]
    finally:
        connection.close()


def _wait_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line == "ready\n", (line, process.stderr.read() if process.stderr else "")


def _rest(process: subprocess.Popen[str]) -> tuple[str, str]:
    """The rest of a finished (killed) process's output. Not communicate(): it reads the pipe itself and would
    miss lines that readline() has already pulled into the file object's buffer."""
    assert process.stdout is not None and process.stderr is not None
    stdout, stderr = process.stdout.read(), process.stderr.read()
    process.wait(timeout=30)
    return stdout, stderr


@pytest.fixture(scope="module")
def small_store(rows: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A whole store of 40 articles with its copied passages and stories, closed cleanly."""
    db = tmp_path_factory.mktemp("small") / "store.db"
    writer = _writer(rows, db, 40)
    _, stderr = writer.communicate(timeout=120)
    assert writer.returncode == 0, stderr
    return db


def _copy_of(store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.db"
    shutil.copyfile(store, copy)
    return copy


# ---- a writer killed at random points --------------------------------------------------------------------


def test_sigkill_at_random_points_loses_nothing_committed(rows: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    seed = int(os.environ.get("SOURCETRACE_CRASH_SEED") or random.randrange(1 << 30))
    chooser = random.Random(seed)
    reported: list[str] = []
    phases: dict[str, int] = {}  # where the kills landed: start-up (or creating the schema), adding, indexing
    landed = 0
    started = time.monotonic()
    for run in range(KILLS):
        writer = _writer(rows, db, 100_000)
        if run % 5 == 0:
            # from the start: the kill may land in start-up, in creating the schema (while the store is new) or
            # in the writes
            time.sleep(chooser.uniform(0.0, 1.5))
        else:
            _wait_ready(writer)  # the store is open: the kill lands among the writes
            # soon (among the first articles' transactions: 25 take ~40 ms) or later (the index updates take
            # most of a run's time, so a kill at any moment mostly lands in one)
            time.sleep(chooser.uniform(0.0, 0.06 if run % 5 in (1, 2) else 0.5))
        if writer.poll() is None:
            os.killpg(writer.pid, signal.SIGKILL)
            landed += 1
        stdout, stderr = _rest(writer)
        assert writer.returncode == -signal.SIGKILL, stderr
        reported += _reported(stdout)
        lines = [line for line in stdout.splitlines(keepends=True) if line.endswith("\n")]
        opened = bool(lines) or run % 5 != 0  # "ready" read by _wait_ready, or among these lines
        phase = "start-up" if not opened else "indexing" if lines and lines[-1] == "indexing\n" else "adding"
        phases[phase] = phases.get(phase, 0) + 1
    stored = _stored_ids(db)
    context = f"seed {seed}: {len(reported)} reported over {landed} kills, {len(stored)} stored"
    print(f"crash test: {landed} kills, {len(reported)} articles reported committed, {len(stored)} stored, "
          f"{time.monotonic() - started:.1f} s, kills landed in {phases}, seed {seed}")

    # every article reported committed is there, none twice; at most one per kill committed but not yet reported
    assert set(reported) <= set(stored), context
    assert len(stored) == len(set(stored)), context
    assert len(set(stored) - set(reported)) <= landed, context
    assert landed == KILLS and len(reported) >= KILLS // 2, context

    code, stdout, stderr = _cli("corpus", "check", "--db", str(db))
    assert code == 0 and stdout.startswith("OK:"), (stdout, stderr, context)

    # and the next run goes on from there: it finishes the articles and brings the reuse index and stories up to date
    last = max(int(external_id[1:]) for external_id in stored)
    final = _writer(rows, db, last + 6)
    stdout, stderr = final.communicate(timeout=120)
    assert final.returncode == 0 and stdout.rstrip().endswith("done"), stderr
    assert sorted(_stored_ids(db), key=lambda x: int(x[1:])) == [f"a{n}" for n in range(last + 6)], context
    result = check_store(db)
    assert result.ok, result.problems
    with Store(db, read_only=True) as store:
        assert store.count("inputs", "status != 'stored'") == 0
        assert store.count("reuse_articles") == store.count("articles") == store.count("story_articles")


# ---- a full disk ---------------------------------------------------------------------------------------------


def _feed(path: Path, count: int) -> Path:
    texts = [p.read_text("utf-8") for p in sorted(DATA.glob("*.txt"))]
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            text = texts[number % len(texts)].rstrip() + f"\n\nThis is dispatch number {number}, the editors said.\n"
            handle.write(json.dumps({"id": f"a{number}", "text": text}) + "\n")
    return path


def test_full_disk_is_one_clear_line_and_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up in the middle of `corpus add`. SQLite's max_page_count caps the file as a full disk
    would (SQLITE_FULL, the same error and the same rollback), without needing a small file system."""
    feed, db = _feed(tmp_path / "feed.jsonl", 40), tmp_path / "store.db"
    connect = store_module.connect

    def capped(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
        connection = connect(path, read_only=read_only)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {max(pages, 40) + 60}")
        return connection

    monkeypatch.setattr(store_module, "connect", capped)
    code, _, stderr = _cli("corpus", "add", str(feed), "--db", str(db), "--workers", "1", "--rules-only", "--quiet")
    message = _one_line_error(code, stderr, f"the disk holding the store {db} is full (SQLITE_FULL)",
                              "free space or move the store with --db", "nothing stored so far was lost")
    print("full-disk message:", message)
    monkeypatch.setattr(store_module, "connect", connect)

    stored = _stored_ids(db)
    assert 0 < len(stored) < 40  # some articles went in before the disk was full
    result = check_store(db)
    assert result.ok, result.problems
    # room again: the same command goes on, and everything is there once
    code, _, stderr = _cli("corpus", "add", str(feed), "--db", str(db), "--workers", "1", "--rules-only", "--quiet")
    assert code == 0, stderr
    assert f"{len(stored)} done by an earlier run" in " ".join(stderr.split())
    assert sorted(_stored_ids(db)) == sorted(f"a{n}" for n in range(40))
    assert check_store(db).ok


def _namespace_command() -> list[str] | None:
    """``unshare`` into a private mount namespace (as a mapped root user when not root), or None when this
    machine does not allow it (then the real-file-system tests skip; the max_page_count one always runs)."""
    if shutil.which("unshare") is None:
        return None
    command = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", "--mount"]
    probe = subprocess.run([*command, "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || "
                            "mount -t tmpfs -o size=64k tmpfs \"$TMPDIR\""], capture_output=True,
                           env={**os.environ, "TMPDIR": os.environ.get("TMPDIR", "/tmp")})
    return command if probe.returncode == 0 else None


def _in_namespace(script: str, tmp_path: Path) -> dict[str, str]:
    """Run a shell script in a private mount namespace; its steps print `name-exit=N` after their output."""
    command = _namespace_command()
    if command is None:
        pytest.skip("no private mount namespace here (unshare not allowed): the small file system cannot be made")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "400"}
    done = subprocess.run([*command, "sh", "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return {"out": done.stdout, "err": done.stderr}


def test_a_real_full_file_system(tmp_path: Path) -> None:
    """A 640 KiB tmpfs fills up during `corpus add --workers 2`: the same one line, and the store on it checks
    clean; given room (the tmpfs grown), the same command goes on and every article is there once."""
    feed, small = _feed(tmp_path / "feed.jsonl", 60), tmp_path / "small"
    small.mkdir()
    cli = f"{sys.executable} -m sourcetrace.cli corpus"
    add = f"{cli} add {feed} --db {small}/store.db --workers 2 --rules-only --quiet"
    output = _in_namespace(textwrap.dedent(f"""
        mount -t tmpfs -o size=640k tmpfs {small} || exit 1
        {add}; echo "add-exit=$?"
        {cli} check --db {small}/store.db; echo "check-exit=$?"
        {cli} backup {tmp_path}/full.db --db {small}/store.db --quiet; echo "backup-exit=$?"
        mount -o remount,size=8m {small} || exit 1
        {add.replace("--workers 2", "--workers 1")} 2> again.txt; echo "again-exit=$?"
        {cli} backup {tmp_path}/after.db --db {small}/store.db --quiet; echo "after-exit=$?"
        """), tmp_path)
    out, err = output["out"], output["err"]
    assert "add-exit=2" in out, out + err
    message = " ".join(err.split())
    assert f"error: the disk holding the store {small}/store.db is full (SQLITE_FULL)" in message, err
    assert "nothing stored so far was lost" in message and "Traceback" not in err
    print("full file system:", message.split(" backed up")[0])
    assert "check-exit=0" in out and "OK:" in out, out + err
    assert "backup-exit=0" in out and "again-exit=0" in out and "after-exit=0" in out, out + err
    before = _stored_ids(tmp_path / "full.db")
    assert 0 < len(before) < 60 and check_store(tmp_path / "full.db").ok
    assert f"{len(before)} done by an earlier run" in " ".join((tmp_path / "again.txt").read_text().split())
    assert sorted(_stored_ids(tmp_path / "after.db")) == sorted(f"a{n}" for n in range(60))
    assert check_store(tmp_path / "after.db").ok


# ---- a read-only store -----------------------------------------------------------------------------------------


def _read_only_steps(db: Path, feed: Path) -> str:
    cli = f"{sys.executable} -m sourcetrace.cli corpus"
    return textwrap.dedent(f"""
        {cli} list --db {db} --format json > list.json; echo "list-exit=$?"
        {cli} search dispatch --db {db}; echo "search-exit=$?"
        {cli} check --db {db}; echo "check-exit=$?"
        {cli} add {feed} --db {db} --workers 1 --rules-only --quiet; echo "add-exit=$?"
        """)


def _assert_read_only(out: str, err: str, db: Path, count: int, tmp_path: Path) -> None:
    assert "list-exit=0" in out and "search-exit=0" in out and "check-exit=0" in out, out + err
    assert len(json.loads((tmp_path / "list.json").read_text())) == count
    assert "add-exit=2" in out, out + err
    message = " ".join(err.split())
    assert f"error: the store {db} cannot be written" in message and "(SQLITE_READONLY)" in message, err
    assert "read-only commands" in message and "Traceback" not in err


def test_read_only_file_system(small_store: Path, tmp_path: Path) -> None:
    """The store's folder mounted read-only (a bind mount, which binds root too): reading commands work, adding
    says why it cannot, and the file is unchanged."""
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "store.db"
    shutil.copyfile(small_store, db)
    before = db.read_bytes()
    feed = _feed(tmp_path / "feed.jsonl", 3)
    output = _in_namespace(f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} || exit 1\n"
                           + _read_only_steps(db, feed), tmp_path)
    _assert_read_only(output["out"], output["err"], db, 40, tmp_path)
    assert "read-only file system" in " ".join(output["err"].split())
    assert db.read_bytes() == before
    assert sorted(os.listdir(folder)) == ["store.db"]


def _without_root_powers() -> list[str] | None:
    """A prefix that makes file permissions bind: none needed for a user; for root, setpriv dropping the
    capabilities that override them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH); None when that is not possible."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        return None
    drop = "-dac_override,-dac_read_search"
    prefix = ["setpriv", "--bounding-set", drop, "--inh-caps", drop]
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    return prefix if probe.returncode == 0 else None


def test_read_only_file_and_folder(small_store: Path, tmp_path: Path) -> None:
    """The store file and its folder chmod'ed read-only: reading commands work, adding says why it cannot."""
    prefix = _without_root_powers()
    if prefix is None:
        pytest.skip("running as root without setpriv: chmod does not bind")
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "store.db"
    shutil.copyfile(small_store, db)
    feed = _feed(tmp_path / "feed.jsonl", 3)
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        done = subprocess.run([*prefix, "sh", "-c", _read_only_steps(db, feed)], capture_output=True, text=True,
                              timeout=300, cwd=tmp_path, env={**os.environ, "COLUMNS": "400"})
        _assert_read_only(done.stdout, done.stderr, db, 40, tmp_path)
        assert "is read-only" in " ".join(done.stderr.split())
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)
    assert sorted(os.listdir(folder)) == ["store.db"]


def test_a_read_only_store_with_a_write_ahead_log(small_store: Path, tmp_path: Path) -> None:
    """A store whose last transactions are still in its -wal (its writer was killed) in a read-only folder: read
    with them while the -shm is there; without it, refused with a line saying why rather than shown stale."""
    prefix = _without_root_powers()
    if prefix is None:
        pytest.skip("running as root without setpriv: chmod does not bind")
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "store.db"
    shutil.copyfile(small_store, db)
    writer = ("import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
              "c.execute(\"UPDATE articles SET title = 'CHANGED' WHERE id = 1\"); os._exit(0)")
    # it ends before it could copy its log back into the file, as a killed writer does
    subprocess.run([sys.executable, "-c", writer, str(db)], check=True)
    assert (folder / "store.db-wal").stat().st_size > 0
    listing = [*prefix, sys.executable, "-m", "sourcetrace.cli", "corpus", "list", "-n", "1", "-f", "json", "--db",
               str(db)]
    folder.chmod(0o555)
    try:
        done = subprocess.run(listing, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and json.loads(done.stdout)[0]["title"] == "CHANGED", done.stderr
        folder.chmod(0o755)
        (folder / "store.db-shm").unlink()
        folder.chmod(0o555)
        done = subprocess.run(listing, capture_output=True, text=True, timeout=120)
        _one_line_error(done.returncode, done.stderr, "has transactions still in its write-ahead log",
                        "open the store once where its folder is writable")
    finally:
        folder.chmod(0o755)


# ---- an online backup while another process writes -------------------------------------------------------


def test_backup_while_another_process_writes(rows: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    writer = _writer(rows, db, 100_000)
    try:
        _wait_ready(writer)
        assert writer.stdout is not None
        copies = []
        for number in range(3):
            for _ in range(20):  # a few more articles stored before each copy
                writer.stdout.readline()
            copy = tmp_path / f"backup-{number}.db"
            code, _, stderr = _cli("corpus", "backup", str(copy), "--db", str(db))
            assert code == 0, stderr
            assert "the copy passes `corpus check`" in " ".join(stderr.split())
            copies.append(copy)
        assert writer.poll() is None, "the writer must still have been writing during the copies"
    finally:
        os.killpg(writer.pid, signal.SIGKILL)
        writer.communicate(timeout=30)
    counts = []
    for copy in copies:
        result = check_store(copy)
        assert result.ok, (copy, result.problems)
        assert sorted(os.listdir(tmp_path)).count(copy.name + "-wal") == 0  # one self-contained file
        counts.append(result.articles or 0)
    assert counts == sorted(counts) and counts[0] >= 20 and counts[-1] > counts[0], counts

    # an existing file is replaced only when asked, and never by the store itself
    code, _, stderr = _cli("corpus", "backup", str(copies[0]), "--db", str(db))
    _one_line_error(code, stderr, "already exists", "--force")
    code, _, stderr = _cli("corpus", "backup", str(db), "--db", str(db), "--force")
    _one_line_error(code, stderr, "is the store itself")
    code, _, stderr = _cli("corpus", "backup", str(copies[0]), "--db", str(db), "--force")
    assert code == 0, stderr
    assert check_store(copies[0]).articles == check_store(db).articles


# ---- check finds damage and says what it is --------------------------------------------------------------


def _damage(store: Path, tmp_path: Path, *statements: str) -> Path:
    copy = _copy_of(store, tmp_path)
    connection = sqlite3.connect(copy, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = OFF")
    for statement in statements:
        connection.execute(statement)
    connection.close()
    return copy


def _problems(db: Path) -> str:
    code, stdout, stderr = _cli("corpus", "check", "--db", str(db))
    assert code == 1, (stdout, stderr)
    assert "Traceback" not in stdout + stderr
    return " ".join(stdout.split())


def test_check_passes_a_whole_store(small_store: Path) -> None:
    code, stdout, _ = _cli("corpus", "check", "--db", str(small_store), "--format", "json")
    assert code == 0
    data = json.loads(stdout)
    assert data["ok"] and data["articles"] == 40 and data["problems"] == []
    assert {"sqlite integrity_check", "foreign keys", "full-text index", "articles", "reuse index",
            "stories"} <= set(data["checks"])


def test_check_finds_a_passage_pointing_at_a_missing_article(small_store: Path, tmp_path: Path) -> None:
    db = _damage(small_store, tmp_path, "INSERT INTO reuse_passages (source_id, target_id, source_start, source_end, "
                 "target_start, target_end, words, similarity, kind, credited, dated) "
                 "VALUES (9999, 1, 0, 10, 0, 10, 12, 1.0, 'copy', 0, 1)")
    found = _problems(db)
    assert "foreign keys: 1 rows of reuse_passages point at missing articles" in found, found
    assert "reuse index: 1 passages between articles that are not indexed" in found, found


def test_check_finds_an_article_missing_from_the_search_index(small_store: Path, tmp_path: Path) -> None:
    db = _damage(small_store, tmp_path, "INSERT INTO articles_fts (articles_fts, rowid, title, text, speakers, "
                 "contents) SELECT 'delete', id, title, text, speakers, contents FROM articles WHERE id = 7")
    found = _problems(db)
    assert "full-text index: 1 articles missing from the search index: ids 7" in found, found
    assert "FTS5 integrity-check failed" in found, found


def test_check_finds_half_stored_articles_and_stories(small_store: Path, tmp_path: Path) -> None:
    db = _damage(small_store, tmp_path,
                 "DELETE FROM attributions WHERE article_id = (SELECT min(id) FROM articles WHERE n_attributions > 0)",
                 "DELETE FROM inputs WHERE origin = 'crash:3'",
                 "UPDATE stories SET n_articles = n_articles + 1 WHERE id = (SELECT min(id) FROM stories)")
    code, stdout, _ = _cli("corpus", "check", "--db", str(db), "--format", "json")
    assert code == 1
    data = json.loads(stdout)
    details = [f"{p['check']}: {p['detail']}" for p in data["problems"]]
    assert not data["ok"] and len(details) == 3, details
    assert any("attribution rows do not match" in d for d in details), details
    assert any(d.startswith("inputs: 1 articles without the input record that stored them: ids 4") for d in details)
    assert any("stories whose size is not the number of articles placed in them" in d for d in details), details


def test_check_finds_a_truncated_file(small_store: Path, tmp_path: Path) -> None:
    db = _copy_of(small_store, tmp_path)
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.truncate(size // 2)
    found = _problems(db)
    assert f"file: the file is truncated: {size // 2:,} bytes, where its header counts {size // 4096:,} pages" in found
    # a reading command on it: one line that names the damage and the way out, no traceback
    code, _, stderr = _cli("corpus", "search", "dispatch", "--db", str(db))
    _one_line_error(code, stderr, "is damaged (SQLITE_CORRUPT", "restore it from a backup")


def test_check_finds_an_overwritten_page_and_names_its_table(small_store: Path, tmp_path: Path) -> None:
    db = _copy_of(small_store, tmp_path)
    connection = sqlite3.connect(db)  # the first page of the articles table's tree
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'articles'").fetchone()[0]
    connection.close()
    with db.open("r+b") as handle:
        handle.seek((root - 1) * 4096)
        handle.write(b"\xff" * 4096)
    found = _problems(db)
    assert "sqlite integrity_check: table articles: cannot be read: database disk image is malformed" in found, found
    code, _, stderr = _cli("corpus", "export", "-o", str(tmp_path / "out.jsonl"), "--db", str(db))
    _one_line_error(code, stderr, "the store is damaged (SQLITE_CORRUPT", "corpus check")


def test_check_names_a_file_that_is_no_store(tmp_path: Path) -> None:
    db = tmp_path / "noise.db"
    db.write_bytes(os.urandom(8192))
    found = _problems(db)
    assert "not a sourcetrace store" in found, found
    code, _, stderr = _cli("corpus", "check", "--db", str(tmp_path / "absent.db"))
    _one_line_error(code, stderr, "no store at")


# ---- SQLite's errors, as SQLite raises them, in one line each --------------------------------------------


def _error(action: Callable[[], object]) -> sqlite3.Error:
    try:
        action()
    except sqlite3.Error as error:
        return error
    raise AssertionError("no error")


def test_sqlite_errors_become_store_errors(small_store: Path, tmp_path: Path) -> None:
    from sourcetrace.corpus.store_errors import describe

    db = _copy_of(small_store, tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    other = sqlite3.connect(db, isolation_level=None, timeout=0)
    busy = describe(_error(lambda: other.execute("BEGIN IMMEDIATE")), db)
    holder.execute("ROLLBACK")
    assert busy.sqlite_error == "SQLITE_BUSY" and f"the store {db} is busy (SQLITE_BUSY)" in str(busy)
    assert "try again when that process is done" in str(busy)

    reader = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    refused = describe(_error(lambda: reader.execute("DELETE FROM inputs")), db)
    assert refused.sqlite_error == "SQLITE_READONLY" and "cannot be written" in str(refused)

    capped = sqlite3.connect(db, isolation_level=None)
    capped.execute(f"PRAGMA max_page_count = {capped.execute('PRAGMA page_count').fetchone()[0]}")
    full = describe(_error(lambda: capped.execute("INSERT INTO store_info VALUES ('x', ?)", ("x" * 100_000,))), db)
    assert full.sqlite_error == "SQLITE_FULL" and "nothing stored so far was lost" in str(full)
    for connection in (holder, other, reader, capped):
        connection.close()
    assert all("\n" not in str(error) for error in (busy, refused, full))


# ---- a stories rebuild replaces the stories at once ------------------------------------------------------


def test_a_stories_rebuild_that_fails_half_way_leaves_the_old_stories(small_store: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from sourcetrace.stories import assign

    db = _copy_of(small_store, tmp_path)

    def snapshot() -> list[list[tuple[object, ...]]]:
        with Store(db, read_only=True) as store:
            return [[tuple(row) for row in store.query(f"SELECT * FROM {table} ORDER BY 1, 2")]
                    for table in ("stories", "story_articles", "story_postings", "story_df", "story_state")]

    before = snapshot()
    assert before[1]  # the small store has its stories
    monkeypatch.setattr(assign, "BATCH", 10)  # several batches, so the failure comes after some were written
    flushed = []

    def crash_after_two_batches(count: int) -> None:
        flushed.append(count)
        if len(flushed) == 2:
            raise KeyboardInterrupt  # as a Ctrl-C (or a kill) half-way through would

    with Store(db) as store, pytest.raises(KeyboardInterrupt):
        assign.assign_stories(store, rebuild=True, advance=crash_after_two_batches)
    assert flushed == [10, 10]
    assert snapshot() == before
    with Store(db) as store:
        run = assign.assign_stories(store, rebuild=True)
    assert run.placed + sum(run.excluded.values()) == 40
    assert check_store(db).ok
