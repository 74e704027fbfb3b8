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


class ResourceError(SourcetraceError):
    """A bundled model or data file is missing or broken; the message says how to fix it."""

    exit_code = 3
