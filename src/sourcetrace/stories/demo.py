"""The reference article inside its corpus, for ``sourcetrace demo``: a temporary store of the bundled demo
corpus (``resources/demo_corpus/``: wire items and reposts written for the purpose, see its README) plus the
demo article, its copied passages traced to their earliest carriers, credited or not, the story it belongs to
(timeline, provenance graph) and that story's HTML report, written to a file whose path the demo prints.

One pipeline analyses all eight texts in this process (no worker pool), so the demo stays quick.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from sourcetrace.cli_support import OutputFormat
from sourcetrace.corpus.api import Corpus
from sourcetrace.corpus.sources import Task
from sourcetrace.corpus.worker import Analyzer
from sourcetrace.errors import InputError
from sourcetrace.models import Report
from sourcetrace.stories.provenance import Trace, annotate, trace
from sourcetrace.stories.reuse import ReuseIndex
from sourcetrace.stories.story_report import StoryReport

DEMO_ID = "demo-article"


def demo_corpus_records() -> list[dict[str, str]]:
    """The bundled demo corpus: one dict per article (id, outlet, url, date, title, text)."""
    text = resources.files("sourcetrace.resources").joinpath("demo_corpus/demo-corpus.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def build_demo_store(path: Path, article_text: str, article_url: str, *, learned: bool = True) -> Corpus:
    """A store at ``path`` holding the demo corpus and the demo article (id ``demo-article``), reuse indexed."""
    corpus = Corpus(path)
    analyzer = Analyzer(None, learned=learned, connection=corpus.store.connection)
    tasks = [Task(origin=f"demo:{r['id']}", kind="text", text=r["text"], url=r.get("url"), title=r.get("title"),
                  external_id=r["id"], outlet=r.get("outlet"), date=r.get("date"))
             for r in demo_corpus_records()]
    tasks.append(Task(origin=f"demo:{DEMO_ID}", kind="text", text=article_text, url=article_url,
                      external_id=DEMO_ID))
    for task in tasks:
        outcome = analyzer.process(task)
        if outcome.row is not None:
            corpus.store.add_article(outcome.row)
        elif task.external_id == DEMO_ID:
            raise InputError(f"the demo article could not be analysed ({outcome.reason})")
        else:  # a companion text that fails leaves the demo with one carrier fewer, never without its report
            corpus.store.record_error(task.origin, outcome.kind or "error", outcome.reason or "not analysed")
    ReuseIndex(corpus.store).update()
    return corpus


@contextmanager
def demo_trace(article_text: str, article_url: str, *, learned: bool = True) -> Iterator[tuple[Report, Trace]]:
    """The demo article's report (with the copied-passages signal) and its trace, in a temporary store."""
    with (tempfile.TemporaryDirectory(prefix="sourcetrace-demo-") as folder,
          build_demo_store(Path(folder) / "demo.db", article_text, article_url, learned=learned) as corpus):
        stored = corpus.get(DEMO_ID)
        assert stored is not None
        result = trace(corpus.store, stored.id, stored.report)
        yield annotate(stored.report, result), result


def render_demo_trace(result: Trace, output: Path | None) -> None:
    """The trace after the demo report: on the terminal, or appended to the report file."""
    import sys

    from rich.console import Console
    from rich.rule import Rule

    from sourcetrace.stories.reuse_cli import render_trace

    def show(console: Console) -> None:
        console.print()
        console.print(Rule("The same article in a corpus: the bundled demo corpus (7 wire items and reposts "
                           "written for the purpose)"))
        render_trace(result, console, all_attributions=False)
        console.print("\n[dim]Your own corpus: sourcetrace corpus add FILES --db news.db, then sourcetrace corpus "
                      "trace ID --db news.db (--format json | graphml).[/]")

    if output is None:
        show(Console(width=None if sys.stdout.isatty() else 140))
        return
    with output.open("a", encoding="utf-8") as handle:
        show(Console(file=handle, width=140, color_system=None))


def demo_story_path(output: Path | None, story_html: Path | None) -> Path:
    """Where the demo writes the story report: as asked, next to ``--output``, else one fixed file per user in
    the system's temporary folder (``sourcetrace-demo-UID/story.html``), overwritten by each run: a new folder
    per run would leave one behind every time. The folder is this user's alone (mode 700, checked: not a link,
    not another user's), so no one else can plant a link there; if it cannot be made so, a new folder."""
    if story_html is not None:
        return story_html
    if output is not None:
        return output.with_name(f"{output.stem}-story.html")
    return _user_demo_folder() / "story.html"


def _user_demo_folder() -> Path:
    import os
    import stat

    uid = os.getuid() if hasattr(os, "getuid") else None
    # POSIX: one temporary folder for all users, so the name carries the user id; Windows' is per user already
    folder = Path(tempfile.gettempdir()) / ("sourcetrace-demo" if uid is None else f"sourcetrace-demo-{uid}")
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
        private = (stat.S_ISDIR(info.st_mode) and not info.st_mode & 0o077
                   and (uid is None or info.st_uid == uid))
    except OSError:
        private = False
    if private:
        return folder
    return Path(tempfile.mkdtemp(prefix="sourcetrace-demo-"))


def run_demo(article_text: str, article_url: str, fmt: OutputFormat, output: Path | None,
             story_html: Path | None = None) -> None:
    """``sourcetrace demo``: the article's report, then (text) its trace and its story in the demo corpus; the
    story's HTML report is written to a file (text and html formats) and its path printed."""
    from rich.console import Console

    from sourcetrace.cli import _emit
    from sourcetrace.render.html import render_html
    from sourcetrace.render.story import render_story_html
    from sourcetrace.stories.article_view import article_in_corpus
    from sourcetrace.stories.assign import assign_stories
    from sourcetrace.stories.story_report import build_story_report, story_of

    err = Console(stderr=True)
    with (err.status("Loading models and analysing the demo corpus…", spinner="dots"),
          tempfile.TemporaryDirectory(prefix="sourcetrace-demo-") as folder,
          build_demo_store(Path(folder) / "demo.db", article_text, article_url) as corpus):
        stored = corpus.get(DEMO_ID)
        assert stored is not None
        assign_stories(corpus.store)
        result = trace(corpus.store, stored.id, stored.report)
        report, sections = article_in_corpus(corpus.store, stored.id, stored.report)
        placed = story_of(corpus.store, stored.id)
        story = build_story_report(corpus.store, placed.id, focus=stored.id) if placed else None
    story_path = None
    if story is not None and fmt in (OutputFormat.text, OutputFormat.html):
        story_path = demo_story_path(output, story_html)
        story_path.write_text(render_story_html(story) + "\n", encoding="utf-8")
    if fmt is OutputFormat.html:
        html = render_html(report, sections=sections)
        if output is None:
            import sys

            sys.stdout.write(html + "\n")
        else:
            output.write_text(html + "\n", encoding="utf-8")
    else:
        _emit(report, fmt, output)
    if fmt is OutputFormat.text:
        render_demo_trace(result, output)
        render_demo_story(story, story_path, output)
    elif story_path is not None:
        err.print(f"The story's report (timeline, reused passages, provenance graph): {story_path}", highlight=False)


def render_demo_story(story: StoryReport | None, story_path: Path | None, output: Path | None) -> None:
    """The story the article belongs to, after its trace: label, timeline, the graph's edges, where its HTML is."""
    import sys

    from rich.console import Console
    from rich.markup import escape
    from rich.rule import Rule

    from sourcetrace.render.story import render_story_text

    def show(console: Console) -> None:
        console.print()
        console.print(Rule("Its story: the articles of the demo corpus that tell the same story, and how its text "
                           "travelled"))
        if story is None:
            console.print("The article was placed in no story.")
            return
        render_story_text(story, console, sections=("timeline", "graph"))
        if story_path is not None:
            console.print(f"\n[bold]The story's HTML report[/] (timeline, reused passages, provenance graph; one "
                          f"self-contained file): {escape(str(story_path))}", highlight=False, soft_wrap=True)
        console.print("[dim]Your own corpus: sourcetrace corpus story --article ID --db news.db --format html -o "
                      "story.html[/]", highlight=False)

    if output is None:
        show(Console(width=None if sys.stdout.isatty() else 140))
        return
    with output.open("a", encoding="utf-8") as handle:
        show(Console(file=handle, width=140, color_system=None))
