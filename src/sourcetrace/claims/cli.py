"""``sourcetrace corpus claims``: a story's claims, who first made each, which outlets support or contradict it,
with the evidence, and the contradictions between claims.

Stories are placed first (as ``corpus stories`` does: only the new articles). Without ``--story`` every story
with at least ``--min-articles`` articles is covered, with a progress bar on a terminal. ``--format json`` prints
one JSON line per claim (``claim_id``, ``story_id``, ``text``, ``first_seen``, ``articles: [{id, url, stance,
spans}]``, ``contradictions``); ``csv`` one row per claim and article; ``claimreview`` a JSON-LD array of
schema.org ClaimReview drafts (claims/claimreview.py). ``--engine dask`` computes the stories' claims and stances on
a Dask cluster (corpus/engine/claims.py), the same result as in-process.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sourcetrace.claims.models import ClaimStance, Contradiction, StoryClaim, StoryClaims
from sourcetrace.cli_support import DbOption, errors_as_messages
from sourcetrace.corpus.api import Corpus
from sourcetrace.corpus.engine import EngineKind
from sourcetrace.corpus.engine.cli import (
    EngineOption,
    PartitionOption,
    SchedulerOption,
    WorkDirOption,
    WorkerMemoryOption,
    check_options,
    engine_for,
    work_dir_for,
)
from sourcetrace.corpus.store import default_path
from sourcetrace.errors import SourcetraceError
from sourcetrace.stories.assign import assign_stories
from sourcetrace.stories.storage import StoryStorage

FORMATS = ("table", "json", "csv", "claimreview")
CSV_COLUMNS = ("story_id", "claim_id", "claim", "first_seen_outlet", "first_seen_date", "first_seen_speaker",
               "article_id", "url", "outlet", "published", "stance", "how", "speaker", "evidence")


def _span_json(span: Any) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": span.text}


def _side_json(contradiction: Contradiction, claim: StoryClaim) -> dict[str, Any]:
    this, other = ((contradiction.first, contradiction.second) if contradiction.first.claim_id == claim.claim_id
                   else (contradiction.second, contradiction.first))
    return {"kind": contradiction.kind.value, "claim_id": other.claim_id, "claim_text": other.claim_text,
            "text": other.text,
            "article": {"id": other.article.id, "url": other.article.url, "outlet": other.article.outlet,
                        "published": other.article.published},
            "speaker": other.speaker, "span": _span_json(other.span), "this_span": _span_json(this.span),
            "this_article": this.article.id, "shared_anchors": contradiction.shared_anchors,
            "actions": contradiction.actions, "reasons": contradiction.reasons,
            "disagree": contradiction.disagree}


def claim_json(result: StoryClaims, claim: StoryClaim) -> dict[str, Any]:
    """One JSON line: the claim, its first appearance, every article's stance with spans, its contradictions."""
    first = claim.first_seen
    return {
        "claim_id": claim.claim_id, "story_id": claim.story_id, "text": claim.text,
        "checkworthiness": claim.checkworthiness,
        "first_seen": {"article_id": first.article.id, "url": first.article.url, "outlet": first.article.outlet,
                       "date": first.article.published, "speaker": first.speaker, "conduits": first.conduits,
                       "span": _span_json(first.span)},
        "supporting": claim.outlets(ClaimStance.SUPPORTS),
        "contradicting": claim.outlets(ClaimStance.CONTRADICTS),
        "articles": [{"id": a.article.id, "url": a.article.url, "outlet": a.article.outlet,
                      "published": a.article.published, "stance": a.stance.value, "how": a.how,
                      "probability": a.probability, "speaker": a.speaker,
                      "spans": [_span_json(s) for s in a.spans]} for a in claim.articles],
        "appearances": [{"article_id": x.article_id, "text": x.text, "speaker": x.speaker, "conduits": x.conduits,
                         "spans": [_span_json(s) for s in x.spans]} for x in claim.appearances],
        "contradictions": [_side_json(c, claim) for c in result.contradictions
                           if claim.claim_id in (c.first.claim_id, c.second.claim_id)],
    }


def _csv_rows(result: StoryClaims) -> Iterator[list[Any]]:
    for claim in result.claims:
        first = claim.first_seen
        for a in claim.articles:
            yield [claim.story_id, claim.claim_id, claim.text, first.article.outlet, first.article.published,
                   first.speaker, a.article.id, a.article.url, a.article.outlet, a.article.published,
                   a.stance.value, a.how, a.speaker or "", " … ".join(s.text for s in a.spans)]


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_table(console: Console, result: StoryClaims) -> None:
    console.print(f"story {result.story_id}: {escape(result.label)} — {len(result.articles)} articles, "
                  f"{len(result.claims)} claims, {len(result.contradictions)} contradictions", style="bold",
                  highlight=False)
    table = Table("claim", "text", "first seen", "supports", "contradicts", "discusses", box=None)
    for claim in result.claims:
        first = claim.first_seen
        seen = f"{first.speaker} · {first.article.outlet or first.article.id} · {first.article.published or 'undated'}"
        table.add_row(claim.claim_id, escape(_short(claim.text)), escape(seen),
                      escape(", ".join(claim.outlets(ClaimStance.SUPPORTS))),
                      escape(", ".join(claim.outlets(ClaimStance.CONTRADICTS))),
                      escape(", ".join(claim.outlets(ClaimStance.DISCUSSES))))
    console.print(table)
    console.print("evidence", style="bold")
    for claim in result.claims:
        for a in claim.articles:
            if a.stance in (ClaimStance.SUPPORTS, ClaimStance.CONTRADICTS, ClaimStance.DISCUSSES) and a.spans:
                who = f" ({a.speaker})" if a.speaker else ""
                console.print(f"  {claim.claim_id} {a.stance.value} — {escape(a.article.outlet or str(a.article.id))}"
                              f"{escape(who)} [{a.spans[0].start}:{a.spans[0].end}]: "
                              f"“{escape(_short(a.spans[0].text, 140))}”", highlight=False, soft_wrap=True)
    if result.contradictions:
        console.print("contradictions", style="bold")
    for c in result.contradictions:
        console.print(f"  {c.kind.value}: {c.first.claim_id} [{escape(_short(c.first.claim_text, 60))}] "
                      f"“{escape(_short(c.first.text, 90))}” "
                      f"({escape(c.first.speaker)}, {escape(c.first.article.outlet or '')}, "
                      f"{c.first.article.published or 'undated'}) vs {c.second.claim_id} "
                      f"[{escape(_short(c.second.claim_text, 60))}] "
                      f"“{escape(_short(c.second.text, 90))}” ({escape(c.second.speaker)}, "
                      f"{escape(c.second.article.outlet or '')}, {c.second.article.published or 'undated'}) — "
                      f"{escape('; '.join(c.reasons))}", highlight=False, soft_wrap=True)


def claims_command(db: Path | None, *, story_id: int | None, fmt: str, min_articles: int, limit: int,
                   quiet: bool, engine: EngineKind = EngineKind.local, scheduler: str | None = None,
                   work_dir: Path | None = None, partition_mb: float = 4.0,
                   worker_memory: str | None = None) -> None:
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format is one of {', '.join(FORMATS)}")
    check_options(engine, scheduler)
    # imported here: `sourcetrace --help` and the light commands must not load the article pipeline's modules
    from sourcetrace.claims.story import stance_model, story_claims

    path = db or default_path()
    if not path.exists():
        raise SourcetraceError(f"no store at {path}: add articles first (sourcetrace corpus add …) or give --db")
    err = Console(stderr=True)
    with Corpus(path) as corpus:
        if not len(corpus):
            raise SourcetraceError(f"the store {path} has no articles yet: add some first (sourcetrace corpus "
                                   "add …)")
        assign_stories(corpus.store)
        storage = StoryStorage(corpus.store)
        if story_id is not None:
            ids = [story_id]
        else:
            ids = [s.id for s in storage.stories(limit=limit, min_articles=min_articles)]
            if not ids:
                raise SourcetraceError(f"no story with at least {min_articles} articles in {path} (see: "
                                       "sourcetrace corpus stories)")
        results: list[StoryClaims] = []
        show = not quiet and err.is_terminal and len(ids) > 1
        with Progress(TextColumn("claims"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                      disable=not show) as progress:
            task = progress.add_task("stories", total=len(ids))
            if engine is EngineKind.dask:
                from sourcetrace.corpus.engine.claims import run_claims

                with engine_for(engine, scheduler=scheduler, worker_memory=worker_memory, learned=False) as running:
                    results = list(run_claims(corpus.store, running, work_dir_for(corpus.path, work_dir), ids,
                                              partition_mb=partition_mb,
                                              advance=lambda n: progress.advance(task, n)))
            else:
                model = stance_model()
                for sid in ids:
                    results.append(story_claims(corpus, sid, model=model))
                    progress.advance(task)
    if fmt == "json":
        for result in results:
            for claim in result.claims:
                sys.stdout.write(json.dumps(claim_json(result, claim), ensure_ascii=False) + "\n")
    elif fmt == "claimreview":
        from sourcetrace.claims.claimreview import claim_reviews

        drafts = [d for result in results for d in claim_reviews(result)]
        sys.stdout.write(json.dumps(drafts, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(CSV_COLUMNS)
        for result in results:
            writer.writerows(_csv_rows(result))
    else:
        console = Console(width=None if sys.stdout.isatty() else 200)
        for result in results:
            print_table(console, result)


def register(app: typer.Typer) -> None:
    """Add the claims command to the ``corpus`` command group."""

    @app.command("claims")
    @errors_as_messages
    def claims(
        db: DbOption = None,
        story: Annotated[int | None, typer.Option("--story", "-s", help="Only this story.")] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="table, json (one line per claim), csv, or "
                                         "claimreview (schema.org ClaimReview JSON-LD drafts).")] = "table",
        min_articles: Annotated[int, typer.Option("--min-articles", min=1, help="Without --story: stories with at "
                                                  "least this many articles.")] = 2,
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Without --story: at most this many "
                                           "stories, the largest first.")] = 25,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
        engine: EngineOption = EngineKind.local,
        scheduler: SchedulerOption = None,
        work_dir: WorkDirOption = None,
        partition_mb: PartitionOption = 4.0,
        worker_memory: WorkerMemoryOption = None,
    ) -> None:
        """A story's claims: first appearance (speaker, outlet, date), the outlets that support or contradict
        each, the evidence spans, and the contradictions between claims."""
        claims_command(db, story_id=story, fmt=fmt, min_articles=min_articles, limit=limit, quiet=quiet,
                       engine=engine, scheduler=scheduler, work_dir=work_dir, partition_mb=partition_mb,
                       worker_memory=worker_memory)
