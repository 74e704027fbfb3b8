"""What every command line of sourcetrace shares: expected failures as one line, and the corpus store option."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from sourcetrace.errors import SourcetraceError

P = ParamSpec("P")
R = TypeVar("R")

class OutputFormat(StrEnum):
    """The formats a report is rendered in, by `analyze`, `demo` and `corpus show` alike."""

    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"  # the self-contained HTML report (render/html.py)


DbOption = Annotated[
    Path | None,
    typer.Option("--db", envvar="SOURCETRACE_DB", show_envvar=True,
                 help="The store file (default: sourcetrace.db in the working directory)."),
]


def errors_as_messages(command: Callable[P, R]) -> Callable[P, R]:
    """Expected failures become one line on stderr and a non-zero exit, never a traceback.

    Messages are escaped: they quote file names and input, which may hold rich markup.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except SourcetraceError as error:
            Console(stderr=True).print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            Console(stderr=True).print("interrupted")
            raise typer.Exit(130) from None
        except sqlite3.Error as error:
            # a store failure outside the store's own transactions (a read of a damaged file, say)
            from sourcetrace.corpus.store_errors import describe

            store_error = describe(error, None)
            Console(stderr=True).print(f"[bold red]error:[/] {escape(str(store_error))}", highlight=False,
                                       soft_wrap=True)
            raise typer.Exit(store_error.exit_code) from None
        except OSError as error:
            Console(stderr=True).print(f"[bold red]error:[/] {escape(error.strerror or str(error))}: "
                                       f"{escape(str(getattr(error, 'filename', '') or ''))}", highlight=False)
            raise typer.Exit(2) from None

    return wrapper
