"""``sourcetrace corpus check`` and ``sourcetrace corpus backup PATH``: is the store whole, and a copy of it
made while it is in use — thin over :mod:`sourcetrace.corpus.check` and :mod:`sourcetrace.corpus.backup`."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from sourcetrace.cli_support import DbOption, errors_as_messages
from sourcetrace.corpus.backup import backup_store
from sourcetrace.corpus.check import CheckResult, check_store
from sourcetrace.corpus.store import default_path


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


def print_check(result: CheckResult, console: Console) -> None:
    if result.ok:
        console.print(f"OK: {escape(result.path)} passes every check ({', '.join(result.checks)}; "
                      f"{result.articles or 0:,} articles, schema {result.schema_version})", highlight=False,
                      soft_wrap=True)
    else:
        count = len(result.problems)
        console.print(f"[bold red]{count} problem{'s' * (count != 1)}[/] in {escape(result.path)}:", highlight=False,
                      soft_wrap=True)
        for problem in result.problems:
            console.print(f"  - {problem.check}: {escape(problem.detail)}", highlight=False, soft_wrap=True)
    for note in result.notes:
        console.print(f"  note: {escape(note)}", highlight=False, soft_wrap=True, style="dim")


def register(app: typer.Typer) -> None:
    """Add the check and backup commands to the ``corpus`` command group."""

    @app.command("check")
    @errors_as_messages
    def check(
        db: DbOption = None,
        fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="Text for people, JSON for scripts.")]
        = CheckFormat.text,
    ) -> None:
        """Check the store: SQLite's integrity, foreign keys and search index, and that every article, copied
        passage and story is whole. Exit 0 when all is well, 1 with the list of problems."""
        err = Console(stderr=True)
        if err.is_terminal:
            with err.status("Checking the store…", spinner="dots") as status:
                result = check_store(db or default_path(),
                                     on_step=lambda name: status.update(f"Checking the store: {name}…"))
        else:
            result = check_store(db or default_path())
        if fmt is CheckFormat.json:
            sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
        else:
            print_check(result, Console(width=None if sys.stdout.isatty() else 160))
        if not result.ok:
            raise typer.Exit(1)

    @app.command("backup")
    @errors_as_messages
    def backup(
        path: Annotated[Path, typer.Argument(help="The file to write the copy to.")],
        db: DbOption = None,
        force: Annotated[bool, typer.Option("--force", help="Replace PATH when it exists.")] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ) -> None:
        """Copy the store to PATH while it may be in use (other processes may go on adding), then check the
        copy; PATH appears only once the copy is whole and checked."""
        err = Console(stderr=True)
        source = db or default_path()
        if quiet or not err.is_terminal:
            result = backup_store(source, path, force=force)
        else:
            with Progress(TextColumn("Copying the store"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
                          console=err, transient=True) as progress:
                task = progress.add_task("copy", total=None)

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                result = backup_store(source, path, force=force, progress=advance)
        err.print(f"backed up {escape(str(source))} to {escape(str(result.path))}: {result.bytes / 1e6:,.1f} MB, "
                  f"{result.check.articles or 0:,} articles, in {result.seconds:.1f} s; the copy passes "
                  "`corpus check`", highlight=False, soft_wrap=True)
