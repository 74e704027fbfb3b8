"""The reference article inside its corpus, for ``sourcetrace demo``: a temporary store of the bundled demo
corpus (``resources/demo_corpus/``: wire items and reposts written for the purpose, see its README) plus the
demo article, its copied passages traced to their earliest carriers, credited or not.

One pipeline analyses all eight texts in this process (no worker pool), so the demo stays quick.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from sourcetrace.corpus.api import Corpus
from sourcetrace.corpus.sources import Task
from sourcetrace.corpus.worker import Analyzer
from sourcetrace.errors import InputError
from sourcetrace.models import Report
from sourcetrace.stories.provenance import Trace, annotate, trace
from sourcetrace.stories.reuse import ReuseIndex

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
