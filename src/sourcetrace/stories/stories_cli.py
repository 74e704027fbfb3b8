"""``sourcetrace corpus stories``: group the store's articles into stories, list them, show one's timeline.

Each run first places the articles that have no story yet (online, in date order; see
:mod:`sourcetrace.stories.assign`), then lists the largest stories with their labels, or, with ``--story ID``
or ``--article ID|URL``, one story's timeline. ``--format json`` gives the same as data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sourcetrace.cli_support import DbOption, errors_as_messages
from sourcetrace.corpus.api import Corpus
from sourcetrace.corpus.engine import EngineKind
from sourcetrace.corpus.engine.cli import (
    EngineOption,
    PartitionOption,
    SchedulerOption,
    WorkDirOption,
    WorkerMemoryOption,
    run_stories_on,
)
from sourcetrace.corpus.store import default_path
from sourcetrace.errors import SourcetraceError
from sourcetrace.stories.assign import StoriesRun, assign_stories
from sourcetrace.stories.storage import StoryStorage, StorySummary, TimelineEntry


def _console() -> Console:
    return Console(width=None if sys.stdout.isatty() else 160)


def run_summary(run: StoriesRun) -> str:
    """One line: what the run placed, joined, opened, left out."""
    if not run.placed and not run.excluded:
        return "every article already has its story"
    parts = [f"placed {run.placed:,} article{'s' * (run.placed != 1)}: {run.joined:,} joined a story, "
             f"{run.opened:,} opened one"]
    excluded = sum(run.excluded.values())
    if excluded:
        reasons = ", ".join(f"{n:,} {reason}" for reason, n in run.excluded.most_common())
        parts.append(f"{excluded:,} left out ({reasons})")
    if run.undated:
        parts.append(f"{run.undated:,} undated, placed on their text alone")
    return "; ".join(parts) + f" — {run.seconds:.1f} s"


def _story_json(story: StorySummary) -> dict[str, Any]:
    return {"story_id": story.id, "label": story.label, "articles": story.n_articles,
            "first_date": story.first_date, "last_date": story.last_date}


def _entry_json(entry: TimelineEntry) -> dict[str, Any]:
    return {"id": entry.article_id, "published": entry.published, "date_source": entry.date_source,
            "site": entry.site, "title": entry.title, "url": entry.url, "status": entry.status,
            "probability": entry.probability}


def stories_command(db: Path | None, *, window_days: float | None, rebuild: bool, story_id: int | None,
                    article: str | None, limit: int, min_articles: int, json_out: bool, quiet: bool) -> None:
    err = Console(stderr=True)
    path = db or default_path()
    if not path.exists():
        raise SourcetraceError(f"no store at {path}: add articles first (sourcetrace corpus add …) or give --db")
    with Corpus(path) as corpus:
        if not len(corpus):
            raise SourcetraceError(f"the store {path} has no articles yet: add some first (sourcetrace corpus "
                                   "add …)")
        storage = StoryStorage(corpus.store)
        pending = storage.count_unassigned() if not rebuild else len(corpus)
        if pending and not quiet and not json_out and err.is_terminal:
            with err.status(f"Placing {pending:,} articles in stories…", spinner="dots"):
                run = assign_stories(corpus.store, window_days=window_days, rebuild=rebuild)
        else:
            run = assign_stories(corpus.store, window_days=window_days, rebuild=rebuild)
        counts = storage.counts()
        if article is not None:
            stored = corpus.get(article)
            if stored is None:
                raise SourcetraceError(f"no article {article!r} in the store (give a store id, an input id or a "
                                       "URL)")
            placed = storage.story_of(stored.id)
            if placed is None or placed[0] is None:
                reason = placed[2] if placed else "not placed"
                if json_out:
                    _print_json({"id": stored.id, "story_id": None, "reason": reason})
                else:
                    _console().print(f"article {stored.id} is in no story: {escape(reason or '')}", highlight=False)
                return
            story_id = placed[0]
        if story_id is not None:
            story = storage.story(story_id)
            if story is None:
                raise SourcetraceError(f"no story {story_id} in the store (see: sourcetrace corpus stories)")
            timeline = storage.timeline(story_id)
            if json_out:
                _print_json({"run": _run_json(run), "story": _story_json(story),
                             "timeline": [_entry_json(e) for e in timeline]})
                return
            _print_timeline(story, timeline, run)
            return
        stories = storage.stories(limit=limit, min_articles=min_articles)
        if json_out:
            _print_json({"run": _run_json(run), **counts, "stories": [_story_json(s) for s in stories]})
            return
        err.print(run_summary(run), highlight=False, soft_wrap=True)
        console = _console()
        console.print(f"{counts['stories']:,} stories ({counts['stories_with_several_articles']:,} with several "
                      f"articles) over {counts['articles_placed']:,} articles; {counts['articles_excluded']:,} "
                      f"left out", highlight=False)
        if not stories:
            console.print("no stories" + (f" with at least {min_articles} articles" if min_articles > 1 else ""))
            return
        table = Table("story", "articles", "dates", "label", box=None)
        for story in stories:
            table.add_row(str(story.id), str(story.n_articles), _span(story), escape(story.label))
        console.print(table)
        console.print("one story's timeline: sourcetrace corpus stories --story ID", style="dim", highlight=False)


def _span(story: StorySummary) -> str:
    if not story.first_date:
        return "undated"
    return story.first_date if story.first_date == story.last_date else f"{story.first_date} – {story.last_date}"


def _print_timeline(story: StorySummary, timeline: list[TimelineEntry], run: StoriesRun) -> None:
    console = _console()
    if run.placed or run.excluded:
        Console(stderr=True).print(run_summary(run), highlight=False)
    console.print(f"story {story.id}: {escape(story.label)}", style="bold", highlight=False)
    console.print(f"{story.n_articles} article{'s' * (story.n_articles != 1)}, {_span(story)}", highlight=False)
    table = Table("date", "article", "site", "title", "placed", box=None)
    for entry in timeline:
        date = f"{entry.published} ({entry.date_source})" if entry.published else "undated"
        how = entry.status if entry.probability is None or entry.status != "joined" else \
            f"joined (p={entry.probability:.2f})"
        table.add_row(date, str(entry.article_id), escape(entry.site or ""),
                      escape(entry.title or entry.url or "(untitled)"), how)
    console.print(table)


def _run_json(run: StoriesRun) -> dict[str, Any]:
    return {"placed": run.placed, "joined": run.joined, "opened": run.opened, "excluded": dict(run.excluded),
            "undated": run.undated, "seconds": round(run.seconds, 3)}


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def register(app: typer.Typer) -> None:
    """Add the stories command to the ``corpus`` command group."""

    @app.command("stories")
    @errors_as_messages
    def stories(
        db: DbOption = None,
        story: Annotated[int | None, typer.Option("--story", "-s", help="Show this story's timeline.")] = None,
        article: Annotated[str | None, typer.Option(
            "--article", "-a", help="Show the story of this article (store id, input id or URL).")] = None,
        window_days: Annotated[float | None, typer.Option(
            "--window-days", min=0.5, help="An article joins only stories active within this many days "
            "(default 10; kept with the store).")] = None,
        rebuild: Annotated[bool, typer.Option("--rebuild", help="Forget the stories and group every article "
                                              "again.")] = False,
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many stories to list.")] = 25,
        min_articles: Annotated[int, typer.Option("--min-articles", min=1, help="List only stories with at "
                                                  "least this many articles.")] = 2,
        fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress spinner.")] = False,
        engine: EngineOption = EngineKind.local,
        scheduler: SchedulerOption = None,
        work_dir: WorkDirOption = None,
        partition_mb: PartitionOption = 4.0,
        worker_memory: WorkerMemoryOption = None,
    ) -> None:
        """Group the articles into stories (online, in date order; new articles join or open one), list the
        stories with their labels, or show one story's timeline."""
        if fmt not in ("text", "json"):
            raise typer.BadParameter("--format is text or json")
        # issue 25: with --engine dask the new articles' terms are computed on the cluster, then placed here
        if engine is not EngineKind.local or scheduler:
            run_stories_on(db, engine, scheduler, work_dir, partition_mb, worker_memory, window_days=window_days,
                           rebuild=rebuild)
            rebuild = False  # done just now
        stories_command(db, window_days=window_days, rebuild=rebuild, story_id=story, article=article,
                        limit=limit, min_articles=min_articles, json_out=fmt == "json", quiet=quiet)
