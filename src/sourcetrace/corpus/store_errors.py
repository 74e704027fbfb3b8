"""SQLite's failures as one-line store errors a person can act on: a full disk, a read-only file system or file,
a damaged file, a lock held too long, a disk error.

SQLite itself guarantees the part that matters: a failed write rolls its transaction back, so what was
committed before stays whole. These messages say so, and say what to do next. The SQLite result code name
(``SQLITE_FULL`` …) stays in the message and on ``StoreError.sqlite_error`` for anyone searching for it.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from sourcetrace.errors import StoreError

READ_ONLY_COMMANDS = "list, show, search, stats, errors, check, backup"


def not_writable(path: Path) -> str | None:
    """Why the store at ``path`` cannot be written (a read-only file system, a read-only file or folder), or None.

    SQLite needs to write the file and, in WAL mode, to create files next to it (``-wal``, ``-shm``), so the
    folder must be writable too."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return f"{folder} is on a read-only file system"
    except OSError:
        return None  # a missing folder is reported by whoever opens the file
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file {path} is read-only"
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} is read-only"
    return None


def _disk_full(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        stats = os.statvfs(path.parent if str(path.parent) else Path("."))
    except OSError:
        return False
    return stats.f_bavail == 0


def describe(error: sqlite3.Error, path: Path | None) -> StoreError:
    """The store error for an SQLite failure on the store at ``path`` (None: the store the command used)."""
    name = getattr(error, "sqlite_errorname", None) or "SQLITE_ERROR"
    where = f"the store {path}" if path is not None else "the store"
    detail = " ".join(str(error).split())
    if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and _disk_full(path)):
        message = (f"the disk holding {where} is full ({name}): free space or move the store with --db; "
                   "nothing stored so far was lost (rerun the same command to go on)")
    elif name.startswith("SQLITE_READONLY") or (
            name.startswith("SQLITE_CANTOPEN") and path is not None and not_writable(path)):
        return read_only_error(path, (not_writable(path) if path is not None else None) or "it cannot be written",
                         name if name.startswith("SQLITE_READONLY") else "SQLITE_READONLY")
    elif name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB":
        message = (f"{where} is damaged ({name}: {detail}): `sourcetrace corpus check` says what is wrong; "
                   "restore it from a backup (`sourcetrace corpus backup` makes one)")
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        message = (f"{where} is busy ({name}): another process held it locked for longer than the 30 s this "
                   "one waits; try again when that process is done")
    elif name.startswith("SQLITE_IOERR"):
        message = f"{where} could not be read or written: a disk error ({name}: {detail})"
    elif name.startswith("SQLITE_CANTOPEN"):
        message = f"cannot open {where} ({name}): its folder may be missing or unreadable"
    else:
        message = f"{where} failed: {detail} ({name})"
    return StoreError(message, sqlite_error=name)


def read_only_error(path: Path | None, reason: str, name: str = "SQLITE_READONLY") -> StoreError:
    """The error for a write to a store that cannot be written (``reason``: from :func:`not_writable`)."""
    where = f"the store {path}" if path is not None else "the store"
    return StoreError(f"{where} cannot be written: {reason} ({name}); read-only commands ({READ_ONLY_COMMANDS}) "
                      "still work — to add, make it writable or copy it with `sourcetrace corpus backup` and give "
                      "--db; nothing stored so far was lost", sqlite_error=name)


def describe_os_error(error: OSError, path: Path) -> StoreError | None:
    """A store error for an OSError on a store file (a backup copy, say), when it is a full disk or a read-only
    place; None for other errors."""
    if error.errno == errno.ENOSPC:
        return StoreError(f"the disk holding {path} is full: free space or choose another place; nothing stored "
                          "so far was lost", sqlite_error="SQLITE_FULL")
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreError(f"{path} cannot be written: {(error.strerror or str(error)).lower()}",
                          sqlite_error="SQLITE_READONLY")
    return None
