"""``sourcetrace corpus …``: the command line over :class:`~sourcetrace.corpus.api.Corpus`.

add · errors · stats · list · show · search · speakers · outlets · export · schema. Every command takes
``--db FILE`` (or ``$SOURCETRACE_DB``; default ``sourcetrace.db`` here). Listings print a table, or JSON with
``--format json`` for scripts. Expected failures are one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from sourcetrace.cli_support import DbOption, OutputFormat, errors_as_messages
from sourcetrace.corpus.api import HIGHLIGHT_END, HIGHLIGHT_START, Corpus
from sourcetrace.corpus.engine import EngineKind
from sourcetrace.corpus.engine.cli import (
    DEFAULT_PARTITION_MB,
    EngineOption,
    PartitionOption,
    SchedulerOption,
    WorkDirOption,
    WorkerMemoryOption,
    add_job,
)
from sourcetrace.corpus.export import RECORDS, ExportFormat, ExportTable
from sourcetrace.corpus.runner import RunSummary, default_workers
from sourcetrace.corpus.worker import DEFAULT_TIME_LIMIT
from sourcetrace.errors import SourcetraceError

corpus_app = typer.Typer(
    help="Many articles: analyse them in parallel into one store file, then search, summarise and export.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

class ListFormat(StrEnum):
    text = "text"
    json = "json"


ListFormatOption = Annotated[ListFormat, typer.Option("--format", "-f", help="Table for people, JSON for scripts.")]
LimitOption = Annotated[int, typer.Option("--limit", "-n", min=1, help="How many rows to show.")]



def _open(db: Path | None, *, read_only: bool = True) -> Corpus:
    return Corpus(db, read_only=read_only)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _console() -> Console:
    return Console(width=None if sys.stdout.isatty() else 160)


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} articles/s" if speed else "", style="progress.data.speed")


@corpus_app.command()
@errors_as_messages
def add(
    sources: Annotated[list[Path] | None, typer.Argument(
        help="Files (text or HTML), directories (recursive), JSONL, CSV or WARC(.gz) files.")] = None,
    urls: Annotated[list[Path] | None, typer.Option(
        "--urls", help="A text file of URLs, one a line, fetched politely (repeatable).")] = None,
    db: DbOption = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", min=1, help="Worker processes (default: all cores, here "
        f"{default_workers()}).")] = None,
    reanalyze_outdated: Annotated[bool, typer.Option(
        "--reanalyze-outdated", help="Re-analyse stored articles whose report came from another sourcetrace "
        "version.")] = False,
    retry_errors: Annotated[bool, typer.Option(
        "--retry-errors", help="Try the inputs refused by earlier runs again (a fetch that failed, say).")] = False,
    allow_private: Annotated[bool, typer.Option(
        "--allow-private", help="Allow fetching URLs on private or loopback addresses.")] = False,
    host_delay: Annotated[float, typer.Option(
        "--host-delay", min=0.0, help="Seconds between two requests to the same host.")] = 1.0,
    rules_only: Annotated[bool, typer.Option(
        "--rules-only", help="Skip the learned tagger: ~2.7x faster, fewer attributions.")] = False,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=0, help="Seconds one article's analysis may take before it is stopped and recorded "
        "as refused (0: no limit).")] = DEFAULT_TIME_LIMIT,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    engine: EngineOption = EngineKind.local,
    scheduler: SchedulerOption = None,
    work_dir: WorkDirOption = None,
    partition_mb: PartitionOption = DEFAULT_PARTITION_MB,
    worker_memory: WorkerMemoryOption = None,
) -> None:
    """Analyse articles into the store; rerun the same command to resume after a stop or crash."""
    from sourcetrace.corpus.sources import Tally, estimate

    if not sources and not urls and not reanalyze_outdated:
        raise typer.BadParameter("give at least one SOURCE, --urls FILE or --reanalyze-outdated")
    err = Console(stderr=True)
    tally = Tally()
    with Corpus(db) as corpus:
        if retry_errors:
            forgotten = corpus.store.forget_errors()
            err.print(f"retrying {forgotten:,} inputs refused before", highlight=False)
        summaries: list[RunSummary] = []
        jobs: list[tuple[str, int | None, Callable[..., RunSummary]]] = []
        if reanalyze_outdated:
            jobs.append(("Re-analysing", corpus.outdated(),
                         functools.partial(corpus.reanalyze_outdated, time_limit=time_limit)))
        if sources or urls:
            total = estimate(sources or [], url_lists=urls or [])
            job: Callable[..., RunSummary] = functools.partial(
                corpus.add, *(sources or []), urls=urls or [], allow_private=allow_private,
                host_delay=host_delay, tally=tally, time_limit=time_limit)
            if engine is not EngineKind.local or scheduler:  # issue 25: the stages on a Dask cluster
                job = add_job(corpus, sources or [], urls or [], kind=engine, scheduler=scheduler, work_dir=work_dir,
                              partition_mb=partition_mb, worker_memory=worker_memory, allow_private=allow_private,
                              host_delay=host_delay, tally=tally, time_limit=time_limit)
            jobs.append(("Analysing", total, job))
        for label, total, job in jobs:
            summaries.append(_with_progress(label, total, job, workers=workers, learned=not rules_only,
                                            show=not quiet and err.is_terminal))
            if summaries[-1].interrupted:
                break
        _report_run(err, corpus, summaries, tally)
        if any(summary.interrupted for summary in summaries):
            raise typer.Exit(130)


def _with_progress(label: str, total: int | None, job: Callable[..., RunSummary], *, workers: int | None,
                   learned: bool, show: bool) -> RunSummary:
    if not show:
        return job(workers=workers, learned=learned)
    console = Console(stderr=True)
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        _RateColumn(), TextColumn("ETA"), TimeRemainingColumn(), TimeElapsedColumn(),
                        console=console, transient=False)
    task = progress.add_task(label, total=total, start=False)

    def ready() -> None:
        # the display (and its refresh thread) starts only now: the worker processes are forked before it, as
        # a thread alive during a fork can leave a lock held for ever in the child
        progress.start()
        progress.start_task(task)

    console.print("Loading models…", highlight=False)
    try:
        return job(workers=workers, learned=learned, advance=lambda n: progress.advance(task, n), on_ready=ready)
    finally:
        progress.stop()


def _report_run(err: Console, corpus: Corpus, summaries: list[RunSummary], tally: Any) -> None:
    stored = sum(s.stored for s in summaries)
    reanalyzed = sum(s.reanalyzed for s in summaries)
    duplicates = sum(s.duplicates for s in summaries)
    errors = sum(s.errors for s in summaries)
    skipped = sum(s.skipped for s in summaries)
    seconds = sum(s.seconds for s in summaries)
    done = stored + reanalyzed + duplicates + errors
    parts = [f"stored {stored:,} article{'s' * (stored != 1)}"]
    if reanalyzed:
        parts.append(f"re-analysed {reanalyzed:,}")
    parts.append(f"{duplicates:,} duplicate{'s' * (duplicates != 1)}")
    parts.append(f"{errors:,} refused" + (" (see: sourcetrace corpus errors)" if errors else ""))
    if skipped:
        parts.append(f"{skipped:,} done by an earlier run")
    if tally.skipped_files:
        parts.append(f"{tally.skipped_files:,} files in directories skipped (not .txt/.html/.jsonl/.csv/.warc)")
    if tally.skipped_records:
        parts.append(f"{tally.skipped_records:,} WARC records skipped (not HTML pages)")
    rate = f", {done / seconds:.1f}/s" if seconds > 0 and done else ""
    workers = summaries[0].workers if summaries else 1
    err.print(f"{'; '.join(parts)} — {seconds:.1f} s{rate}, {workers} worker{'s' * (workers != 1)} → "
              f"{corpus.path} ({len(corpus):,} articles in all)", highlight=False, soft_wrap=True)
    if any(s.interrupted for s in summaries):
        err.print("interrupted: everything stored so far is kept; run the same command again to resume",
                  highlight=False)


@corpus_app.command()
@errors_as_messages
def errors(db: DbOption = None, limit: LimitOption = 1000, fmt: ListFormatOption = ListFormat.text) -> None:
    """The inputs that were refused, each with its file (and line) and one-line reason."""
    with _open(db) as corpus:
        rows = corpus.errors(limit=limit)
        if fmt is ListFormat.json:
            _print_json([{"origin": r.origin, "kind": r.kind, "reason": r.reason, "at": r.at} for r in rows])
            return
        if not rows:
            _console().print("no refused inputs")
            return
        table = Table("input (file:line, file@offset)", "kind", "reason", box=None, show_lines=False)
        for row in rows:
            table.add_row(escape(row.origin), row.kind or "", escape(row.reason or ""))
        _console().print(table)


@corpus_app.command()
@errors_as_messages
def stats(db: DbOption = None, fmt: ListFormatOption = ListFormat.text) -> None:
    """How many articles, refusals and attributions; dates, their sources, sites, versions, size."""
    with _open(db) as corpus:
        data = corpus.stats()
        data["speakers"] = corpus.speaker_totals()
    if fmt is ListFormat.json:
        _print_json(data)
        return
    table = Table(box=None, show_header=False)
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v:,}" if isinstance(v, int) else f"{k}: {v}" for k, v in value.items()) or "–"
        elif isinstance(value, int):
            value = f"{value:,}"
        table.add_row(key.replace("_", " "), escape(str(value)))
    _console().print(table)


@corpus_app.command("list")
@errors_as_messages
def list_articles(db: DbOption = None, limit: LimitOption = 50,
                  offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
                  site: Annotated[str | None, typer.Option(help="Only this site (registered domain).")] = None,
                  fmt: ListFormatOption = ListFormat.text) -> None:
    """The stored articles, in the order they were added."""
    with _open(db) as corpus:
        where, parameters = ("site = ?", (site,)) if site else ("", ())
        sql = ("SELECT id, published, date_source, coalesce(site, outlet) AS site, title, n_attributions, url "
               f"FROM articles {'WHERE ' + where if where else ''} ORDER BY id LIMIT ? OFFSET ?")
        rows = corpus.store.query(sql, (*parameters, limit, offset))
    if fmt is ListFormat.json:
        _print_json([dict(row) for row in rows])
        return
    table = Table("id", "published", "site", "title", "attributions", box=None)
    for row in rows:
        date = f"{row['published']} ({row['date_source']})" if row["published"] else "–"
        table.add_row(str(row["id"]), date, escape(row["site"] or ""), escape(row["title"] or row["url"] or ""),
                      str(row["n_attributions"]))
    _console().print(table)


@corpus_app.command()
@errors_as_messages
def show(
    key: Annotated[str, typer.Argument(help="The article's store id, its input id, or its URL.")],
    db: DbOption = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
) -> None:
    """One stored article's report, in any format (the same renderers as `sourcetrace analyze`)."""
    from sourcetrace.cli import _emit
    from sourcetrace.stories.provenance import annotate_stored

    html = None
    with _open(db) as corpus:
        stored = corpus.get(key)
        # issue 23: its credibility signals name the passages copied from earlier articles of the store
        report = annotate_stored(corpus.store, stored.id, stored.report) if stored is not None else None
        if stored is not None and fmt is OutputFormat.html:  # and its story and provenance graph
            from sourcetrace.stories.article_view import article_html

            html = article_html(corpus.store, stored.id, stored.report)
    if report is None:
        raise SourcetraceError(f"no article {key!r} in the store (give a store id from `corpus list`, an input id "
                               "or a URL)")
    if html is not None and output is not None:
        output.write_text(html + "\n", encoding="utf-8")
    elif html is not None:
        sys.stdout.write(html + "\n")
    else:
        _emit(report, fmt, output)


@corpus_app.command()
@errors_as_messages
def search(
    query: Annotated[str, typer.Argument(help='Words (all required) and "quoted phrases".')],
    db: DbOption = None,
    limit: LimitOption = 20,
    raw: Annotated[bool, typer.Option("--raw", help="QUERY is FTS5 syntax: OR, NEAR(), prefix*, "
                                      "'speakers: Putin', 'title: …'.")] = False,
    fmt: ListFormatOption = ListFormat.text,
) -> None:
    """Full-text search over texts, titles, speakers and attributed contents, best first, with snippets."""
    with _open(db) as corpus:
        hits = corpus.search(query, limit=limit, raw=raw)
    if fmt is ListFormat.json:
        _print_json([{**hit.__dict__, "snippet": hit.snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")}
                     for hit in hits])
        return
    console = _console()
    if not hits:
        console.print("no matches")
        return
    for hit in hits:
        head = Text(f"{hit.id:>6}  ", style="bold")
        head.append(hit.title or hit.url or "(untitled)", style="bold")
        head.append(f"  {hit.published or ''} {hit.site or ''}".rstrip(), style="dim")
        console.print(head)
        snippet = Text("        ")
        for index, piece in enumerate(hit.snippet.replace(HIGHLIGHT_END, HIGHLIGHT_START).split(HIGHLIGHT_START)):
            snippet.append(piece, style="bold yellow" if index % 2 else "")
        console.print(snippet)


@corpus_app.command()
@errors_as_messages
def speakers(db: DbOption = None, limit: LimitOption = 25, fmt: ListFormatOption = ListFormat.text) -> None:
    """Who is quoted or paraphrased most, named vs anonymous, and through which conduits."""
    with _open(db) as corpus:
        rows, totals = corpus.speakers(limit=limit), corpus.speaker_totals()
    if fmt is ListFormat.json:
        _print_json({"totals": totals, "speakers": rows})
        return
    console = _console()
    console.print(f"{totals['attributions']:,} attributions: {totals['named']:,} to named sources, "
                  f"{totals['anonymous']:,} anonymous, {totals['no_source']:,} with no source in the text; "
                  f"{totals['through_conduits']:,} passed through conduits", highlight=False)
    table = Table("speaker", "type", "attributions", "articles", "direct", "paraphrased", "usual conduit", box=None)
    for row in rows:
        conduit = f"{row['top_conduit']} ({row['via_conduit']})" if row["top_conduit"] else ""
        table.add_row(escape(row["speaker"]), ("anonymous " if row["anonymous"] else "") + row["types"],
                      str(row["attributions"]), str(row["articles"]), str(row["direct"]), str(row["paraphrased"]),
                      escape(conduit))
    console.print(table)


@corpus_app.command()
@errors_as_messages
def outlets(db: DbOption = None, limit: LimitOption = 25, fmt: ListFormatOption = ListFormat.text) -> None:
    """The outlets the corpus leans on: as publisher, as conduit, as source, with their registry labels."""
    with _open(db) as corpus:
        rows = corpus.outlets(limit=limit)
    if fmt is ListFormat.json:
        _print_json(rows)
        return
    table = Table("outlet", "registry id", "articles", "publisher", "conduit", "source", "labels", box=None)
    for row in rows:
        table.add_row(escape(row["name"]), row["registry_id"] or "–", str(row["articles"]), str(row["publisher"]),
                      str(row["conduit"]), str(row["source"]), escape((row["labels"] or "").replace(",", ", ")))
    _console().print(table)


@corpus_app.command()
@errors_as_messages
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    fmt: Annotated[ExportFormat | None, typer.Option(
        "--format", "-f", help="jsonl, csv, parquet (default: from the file name) or passim (passim's input: "
        "JSONL of id, series, date, text; articles only).")] = None,
    what: Annotated[ExportTable, typer.Option(help="Which table (columns: docs/corpus.md).")] = ExportTable.articles,
    db: DbOption = None,
) -> None:
    """Write one table of the store (articles, attributions, sentences, outlets) as JSONL, CSV or Parquet."""
    # stories are grouped and the reuse index updated first
    with _open(db, read_only=what not in (ExportTable.stories, ExportTable.reuse)) as corpus:
        count = corpus.export(output, what=what.value, format=fmt.value if fmt else None)
    Console(stderr=True).print(f"wrote {count:,} {what.value} rows to {output}", highlight=False)


@corpus_app.command()
def schema(what: Annotated[ExportTable, typer.Option(help="Which table.")] = ExportTable.articles) -> None:
    """The JSON schema of one export table's rows (the columns of `corpus export --what …`)."""
    _print_json(RECORDS[what].model_json_schema())


# issue 23: copied passages and provenance (sourcetrace.stories.reuse_cli): corpus reuse, corpus trace
from sourcetrace.stories.reuse_cli import register as _register_reuse  # noqa: E402

_register_reuse(corpus_app)


# issue 23: stories (sourcetrace.stories.stories_cli): corpus stories
from sourcetrace.stories.stories_cli import register as _register_stories  # noqa: E402

_register_stories(corpus_app)


# issue 23: one story's report (sourcetrace.stories.story_cli): corpus story
from sourcetrace.stories.story_cli import register as _register_story  # noqa: E402

_register_story(corpus_app)


# issue 26: is the store whole, and an online copy of it (sourcetrace.corpus.safety_cli): corpus check, backup
from sourcetrace.corpus.safety_cli import register as _register_safety  # noqa: E402

_register_safety(corpus_app)


# issue 24: a story's claims, stances and contradictions (sourcetrace.claims.cli): corpus claims
from sourcetrace.claims.cli import register as _register_claims  # noqa: E402

_register_claims(corpus_app)


# issue 25: corpus attach DIR, the Parquet shards of `corpus add --engine dask` (sourcetrace.corpus.engine.cli)
from sourcetrace.corpus.engine.cli import register as _register_engine  # noqa: E402

_register_engine(corpus_app)
