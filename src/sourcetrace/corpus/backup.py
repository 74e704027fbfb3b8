"""``corpus backup PATH``: an online, consistent copy of a store, checked before it takes the name PATH.

SQLite's backup API copies the store page by page while other processes go on adding articles. The copy is
made inside one read transaction on the source, so it is the store as of one moment (WAL: the writers are
not blocked, and the copy does not restart each time one of them commits, as an unpinned step-wise backup
would). The copy is written next to PATH under a temporary name, switched to a rollback journal (one
self-contained file), checked with :func:`~sourcetrace.corpus.check.check_store`, and only then renamed to
PATH, so PATH is never a half-made copy. An existing PATH is replaced only when asked (``--force``).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sourcetrace.corpus.check import CheckResult, check_store
from sourcetrace.corpus.store import check_store_file, connect
from sourcetrace.corpus.store_errors import describe, describe_os_error
from sourcetrace.errors import StoreError

PAGES_PER_STEP = 1024  # 4 MiB at the default page size: progress moves, and each step is short

Progress = Callable[[int, int], None]  # (bytes copied, bytes in all)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    pages: int
    bytes: int
    seconds: float
    check: CheckResult


def _companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def backup_store(source: Path, target: Path, *, force: bool = False, progress: Progress | None = None) -> BackupResult:
    """Copy the store at ``source`` to ``target`` while it may be in use; raise StoreError when it cannot."""
    started = time.perf_counter()
    if not source.exists():
        raise StoreError(f"no store at {source}: give the store to copy with --db")
    check_store_file(source)
    if target.exists() and target.is_dir():
        raise StoreError(f"{target} is a directory: give the backup's file name")
    if target.exists() and os.path.samefile(source, target):
        raise StoreError(f"{target} is the store itself: give another file name for the backup")
    if target.exists() and not force:
        raise StoreError(f"{target} already exists: give another file name, or --force to replace it")
    if not target.parent.is_dir():
        raise StoreError(f"the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    for leftover in (partial, *_companions(partial)):
        leftover.unlink(missing_ok=True)
    try:
        pages = _copy(source, partial, target, progress)
        result = check_store(partial)
        if not result.ok:
            raise StoreError(f"the copy of {source} does not pass `corpus check` ({result.problems[0].detail}"
                             f"{f' and {len(result.problems) - 1} more' if len(result.problems) > 1 else ''}); "
                             f"the store itself may be damaged: run `sourcetrace corpus check --db {source}`")
        _fsync(partial)
        if force:
            # an old store at PATH may have left a write-ahead log beside it, which SQLite would replay into the
            # copy: gone before the copy takes the name
            for companion in _companions(target):
                companion.unlink(missing_ok=True)
        os.replace(partial, target)
        _fsync(target.parent)
    except OSError as error:
        raise describe_os_error(error, target) or StoreError(
            f"cannot write the backup {target}: {(error.strerror or str(error)).lower()}") from None
    finally:
        for leftover in (partial, *_companions(partial)):
            leftover.unlink(missing_ok=True)
    result.path = str(target)
    return BackupResult(target, pages, target.stat().st_size, time.perf_counter() - started, result)


def _copy(source: Path, partial: Path, target: Path, progress: Progress | None) -> int:
    """Copy ``source`` into ``partial`` (errors writing it are named by ``target``); returns the pages copied."""
    try:
        reader = connect(source, read_only=True)
    except sqlite3.Error as error:
        raise describe(error, source) from None
    try:
        writer = sqlite3.connect(partial, isolation_level=None)
    except sqlite3.Error as error:
        reader.close()
        raise describe(error, target) from None
    total = 0
    page_size = int(reader.execute("PRAGMA page_size").fetchone()[0])

    def step(status: int, remaining: int, pages: int) -> None:
        nonlocal total
        total = pages
        if progress is not None:
            progress((pages - remaining) * page_size, pages * page_size)

    try:
        # the read transaction pins one snapshot for every step of the copy
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        try:
            reader.backup(writer, pages=PAGES_PER_STEP, progress=step)
        except sqlite3.Error as error:
            # a failure writing the copy (a full disk) is the copy's; one reading the store is the store's
            target_side = getattr(error, "sqlite_errorname", "").startswith(("SQLITE_FULL", "SQLITE_IOERR",
                                                                            "SQLITE_READONLY", "SQLITE_CANTOPEN"))
            raise describe(error, target if target_side else source) from None
        reader.execute("COMMIT")
        try:
            # one self-contained file: a backup is copied and moved around, and a WAL file left beside it would
            # be a second file to carry
            writer.execute("PRAGMA journal_mode = DELETE").fetchone()
        except sqlite3.Error as error:
            raise describe(error, target) from None
    finally:
        writer.close()
        reader.close()
    return total


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
