"""Errors a user can act on. The CLI and web app turn these into one-line messages, never tracebacks."""

from __future__ import annotations


class SourcetraceError(Exception):
    """Base class: ``str(error)`` is a complete one-line message for the user."""

    exit_code = 2


class InputError(SourcetraceError):
    """The input cannot be analysed as given (empty, binary, wrong encoding, too large, no article body)."""


class UnsupportedLanguageError(InputError):
    """The article is not in English."""


class StanceInputError(InputError, ValueError):
    """A claim or body given to ``sourcetrace.stance`` is empty: there is nothing to compare."""


class FetchError(SourcetraceError):
    """A URL could not be fetched, or was refused (private address, wrong content type, too large)."""


class StoreError(SourcetraceError):
    """The corpus store cannot be used as asked: not a store, a newer schema, damaged, on a full disk or a
    read-only file system, locked by another process. Nothing stored is lost; the message says what to do."""

    def __init__(self, message: str, *, sqlite_error: str | None = None) -> None:
        super().__init__(message)
        self.sqlite_error = sqlite_error  # SQLite's result code name (SQLITE_FULL …) when SQLite refused


class ResourceError(SourcetraceError):
    """A bundled model or data file is missing or broken; the message says how to fix it."""

    exit_code = 3
