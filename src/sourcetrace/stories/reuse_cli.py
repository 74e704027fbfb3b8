"""``sourcetrace corpus reuse`` and ``sourcetrace corpus trace ID|URL``: copied passages and provenance on the
command line, thin over :mod:`sourcetrace.stories.reuse` and :mod:`sourcetrace.stories.provenance`.

Both bring the reuse index up to date first (only articles not yet indexed are read), so they answer for the
store as it is now.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

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
    run_reuse_on,
)
from sourcetrace.errors import SourcetraceError
from sourcetrace.stories.provenance import Trace, describe_passage, describe_taken, graphml, trace
from sourcetrace.stories.reuse import ReuseIndex, UpdateSummary, iter_passages, reuse_stats


class TraceFormat(StrEnum):
    text = "text"
    json = "json"
    graphml = "graphml"


def update_index(corpus: Corpus, *, quiet: bool = True) -> UpdateSummary:
    """Bring the reuse index of a corpus up to date (nothing to do is fast)."""
    index = ReuseIndex(corpus.store)
    pending = len(index.pending())
    if not pending:
        return UpdateSummary()
    err = Console(stderr=True)
    if quiet or not err.is_terminal:
        return index.update()
    with err.status(f"Indexing {pending:,} articles for copied passages…", spinner="dots"):
        return index.update()


def _console() -> Console:
    return Console(width=None if sys.stdout.isatty() else 140)


def reuse_command(db: Path | None, limit: int, kind: str | None, json_out: bool) -> None:
    with Corpus(db) as corpus:
        summary = update_index(corpus, quiet=json_out)
        stats = reuse_stats(corpus.store)
        rows = []
        for passage, source, target in iter_passages(corpus.store):
            if kind and passage.kind != kind:
                continue
            rows.append((passage, source, target))
            if len(rows) >= limit:
                break
        texts = {}
        if not json_out and rows:
            ids = {p.target_id for p, _, _ in rows} | {p.source_id for p, _, _ in rows}
            from sourcetrace.stories.reuse import load_articles

            texts = {i: m.text for i, m in load_articles(corpus.store, ids).items()}
    if json_out:
        sys.stdout.write(json.dumps({"stats": stats, "passages": [
            {"id": p.id, "source_id": p.source_id, "source_url": s.url, "source_date": s.published,
             "target_id": p.target_id, "target_url": t.url, "target_date": t.published,
             "source_start": p.source_start, "source_end": p.source_end, "target_start": p.target_start,
             "target_end": p.target_end, "words": p.words, "similarity": p.similarity, "kind": p.kind,
             "credited": p.credited, "credit": p.credit_name, "dated": p.dated} for p, s, t in rows]},
            indent=2, ensure_ascii=False) + "\n")
        return
    console = _console()
    if summary.indexed or summary.excluded:
        console.print(f"indexed {summary.indexed:,} articles ({summary.excluded:,} excluded) in "
                      f"{summary.seconds:.1f} s", highlight=False)
    console.print(f"{stats['indexed']:,} articles indexed, {stats['excluded']:,} excluded (too short); passages: "
                  f"{stats['copy']:,} copies ({stats['credited_copies']:,} credited), {stats['shared_quote']:,} "
                  f"shared quotations, {stats['boilerplate']:,} boilerplate", highlight=False)
    if not rows:
        console.print("no shared passages")
        return
    table = Table("later (target)", "earlier (source)", "kind", "credited", "words", "passage", box=None)
    for passage, source, target in rows:
        snippet = " ".join(texts.get(passage.target_id, "")[passage.target_start:passage.target_end].split())
        table.add_row(f"{target.id} {target.published or 'undated'}", f"{source.id} {source.published or 'undated'}",
                      passage.kind, ("yes: " + (passage.credit_name or "")) if passage.credited else "no",
                      str(passage.words), escape(snippet[:90] + ("…" if len(snippet) > 90 else "")))
    console.print(table)


def trace_for(corpus: Corpus, key: str) -> Trace:
    """The trace of the article with this store id, input id or URL (its attributions when it has a report)."""
    from sourcetrace.corpus.records import decode_report, url_key

    text = key.strip()
    row = None
    for where, value in (("id = ?", int(text) if text.isdigit() else None), ("external_id = ?", text),
                         ("url_key = ?", url_key(text)), ("url = ?", text)):
        if value is not None:
            row = corpus.store.connection.execute(f"SELECT id, text, report FROM articles WHERE {where} LIMIT 1",
                                                  (value,)).fetchone()
            if row is not None:
                break
    if row is None:
        raise SourcetraceError(f"no article {key!r} in the store (give a store id from `corpus list`, an input id "
                               "or a URL)")
    report = decode_report(row[2], row[1]) if row[2] else None  # texts stored bare (benchmarks) have no report
    return trace(corpus.store, int(row[0]), report)


def trace_command(key: str, db: Path | None, fmt: TraceFormat, output: Path | None) -> None:
    with Corpus(db) as corpus:
        update_index(corpus, quiet=fmt is not TraceFormat.text)
        result = trace_for(corpus, key)
    if fmt is TraceFormat.json:
        rendered = json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n"
    elif fmt is TraceFormat.graphml:
        rendered = graphml(result)
    else:
        if output is None:
            render_trace(result, _console())
            return
        with output.open("w", encoding="utf-8") as handle:
            render_trace(result, Console(file=handle, width=140, color_system=None))
        return
    if output is None:
        sys.stdout.write(rendered)
    else:
        output.write_text(rendered, encoding="utf-8")


def render_trace(result: Trace, console: Console, *, all_attributions: bool = True) -> None:
    """The trace for people: the article, its copied passages with their earliest carriers, its attributions
    (only those whose content is found in earlier articles unless ``all_attributions``)."""
    article = result.article
    console.print(f"[bold]Provenance of article {article.id}[/]: {escape(article.title or article.url or '')} — "
                  f"{escape(article.outlet or 'unknown outlet')}, {escape(article.dated())}", highlight=False)
    incoming = [p for p in result.passages if p.role == "copied_from"]
    outgoing = [p for p in result.passages if p.role == "copied_by"]
    console.print(f"\n[bold]Passages found in earlier articles[/] ({len(incoming)})", highlight=False)
    if not incoming:
        console.print("  none in this corpus")
    for passage in incoming:
        style = "green" if passage.credited or passage.kind != "copy" else "red"
        console.print(f"  [{style}]•[/] {escape(describe_passage(passage))}", highlight=False)
        snippet = " ".join(passage.text.split())
        console.print(f"    [dim]“{escape(snippet[:150])}{'…' if len(snippet) > 150 else ''}”[/]", highlight=False)
        if passage.origin:
            console.print(f"    {escape(passage.origin.phrase())} — confidence {passage.origin.confidence} "
                          f"({escape(passage.origin.note)})", highlight=False)
    if outgoing:
        console.print(f"\n[bold]Passages later articles took from it[/] ({len(outgoing)})", highlight=False)
        for passage in outgoing:
            console.print(f"  • {escape(describe_taken(passage))}", highlight=False)
    traced = [a for a in result.attributions if a.origin]
    console.print(f"\n[bold]Attributions[/] ({len(result.attributions)}; {len(traced)} with content found in "
                  "earlier articles)", highlight=False)
    for attribution in result.attributions if all_attributions else traced:
        chain = " → ".join(attribution.chain)
        content = attribution.content[:90] + ("…" if len(attribution.content) > 90 else "")
        line = f"  • {escape(chain)}: “{escape(content)}”"
        if attribution.origin:
            credit = (f"credited (“{attribution.credit}”)" if attribution.credited
                      else "not credited to it")
            line += (f"\n    {escape(attribution.origin.phrase())}, {credit}; confidence "
                     f"{attribution.origin.confidence}")
        console.print(line, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the reuse and trace commands to the ``corpus`` command group."""

    @app.command("reuse")
    @errors_as_messages
    def reuse(
        db: DbOption = None,
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many passages to list.")] = 50,
        kind: Annotated[str | None, typer.Option(help="Only this kind: copy, shared_quote or boilerplate.")] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
        engine: EngineOption = EngineKind.local,
        scheduler: SchedulerOption = None,
        work_dir: WorkDirOption = None,
        partition_mb: PartitionOption = 4.0,
        worker_memory: WorkerMemoryOption = None,
    ) -> None:
        """Passages shared by two articles (copies, shared quotations, boilerplate), credited or not."""
        if fmt not in ("text", "json"):
            raise typer.BadParameter("--format is text or json")
        # issue 25: with --engine dask the index is brought up to date on the cluster first
        run_reuse_on(db, engine, scheduler, work_dir, partition_mb, worker_memory)
        reuse_command(db, limit, kind, fmt == "json")

    @app.command("trace")
    @errors_as_messages
    def trace_(
        key: Annotated[str, typer.Argument(help="The article's store id, its input id, or its URL.")],
        db: DbOption = None,
        fmt: Annotated[TraceFormat, typer.Option("--format", "-f", help="text, json or graphml.")] = TraceFormat.text,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    ) -> None:
        """An article's passages and attributions with their earliest carrier in this corpus and their chain."""
        trace_command(key, db, fmt, output)
