"""``sourcetrace corpus story STORY_ID | --article ID|URL``: one story's report — its label, timeline, reused
passages and provenance graph — as text, JSON or one self-contained HTML file.

It first brings the reuse index and the stories up to date (only what is new is read), so it answers for the
store as it is now; the report itself is :mod:`sourcetrace.stories.story_report`.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sourcetrace.cli_support import DbOption, errors_as_messages
from sourcetrace.errors import SourcetraceError


class StoryFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def story_command(story_id: int | None, article: str | None, db: Path | None, fmt: StoryFormat,
                  output: Path | None) -> None:
    from sourcetrace.corpus.api import Corpus
    from sourcetrace.corpus.store import default_path
    from sourcetrace.stories.assign import assign_stories
    from sourcetrace.stories.reuse_cli import update_index
    from sourcetrace.stories.story_report import build_story_report, story_of

    if (story_id is None) == (article is None):
        raise typer.BadParameter("give a STORY_ID or --article ID|URL (one of them)")
    path = db or default_path()
    if not path.exists():
        raise SourcetraceError(f"no store at {path}: add articles first (sourcetrace corpus add …) or give --db")
    with Corpus(path) as corpus:
        update_index(corpus, quiet=fmt is not StoryFormat.text)
        assign_stories(corpus.store)
        focus = None
        if article is not None:
            stored = corpus.get(article)
            if stored is None:
                raise SourcetraceError(f"no article {article!r} in the store (give a store id, an input id or a URL)")
            story = story_of(corpus.store, stored.id)
            if story is None:
                raise SourcetraceError(f"article {stored.id} is in no story (too short, not English, or excluded: "
                                       "see sourcetrace corpus stories --article …)")
            story_id, focus = story.id, stored.id
        assert story_id is not None
        report = build_story_report(corpus.store, story_id, focus=focus)
    write_story(report, fmt, output)


def write_story(report: object, fmt: StoryFormat, output: Path | None) -> None:
    from sourcetrace.render.story import render_story_html, render_story_text
    from sourcetrace.stories.story_report import StoryReport

    assert isinstance(report, StoryReport)
    if fmt is StoryFormat.text:
        if output is None:
            render_story_text(report, Console(width=None if sys.stdout.isatty() else 140))
        else:
            with output.open("w", encoding="utf-8") as handle:
                render_story_text(report, Console(file=handle, width=140, color_system=None))
        return
    rendered = (json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str) + "\n"
                if fmt is StoryFormat.json else render_story_html(report))
    if output is None:
        sys.stdout.write(rendered)
    else:
        output.write_text(rendered, encoding="utf-8")
        Console(stderr=True).print(f"wrote the story report to {output}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the story command to the ``corpus`` command group."""

    @app.command("story")
    @errors_as_messages
    def story(
        story_id: Annotated[int | None, typer.Argument(help="The story's id (from `corpus stories`).")] = None,
        article: Annotated[str | None, typer.Option(
            "--article", "-a", help="The story of this article instead (store id, input id or URL).")] = None,
        db: DbOption = None,
        fmt: Annotated[StoryFormat, typer.Option("--format", "-f", help="text, json or html.")] = StoryFormat.text,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    ) -> None:
        """One story's report: label, timeline, reused passages (credited or not, earliest carrier) and
        provenance graph; --format html writes one self-contained file."""
        story_command(story_id, article, db, fmt, output)
