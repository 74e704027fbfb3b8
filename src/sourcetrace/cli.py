"""The ``sourcetrace`` command line: a thin layer over :mod:`sourcetrace.article.pipeline` and the renderers."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sourcetrace.cli_support import OutputFormat, errors_as_messages
from sourcetrace.corpus.cli import corpus_app
from sourcetrace.models import Article, Report
from sourcetrace.outlets.cli import outlets_app

app = typer.Typer(
    help="sourcetrace reads news the way a careful fact-checker does: who claims what, through whom, "
    "in whose voice.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        from sourcetrace import __version__
        from sourcetrace.article.nlp import MODEL_NAME, MODEL_VERSION

        sys.stdout.write(f"sourcetrace {__version__} (spaCy model {MODEL_NAME} {MODEL_VERSION})\n")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """sourcetrace reads news the way a careful fact-checker does: who claims what, through whom, in whose voice."""

DEMO_URL = "http://usdefensewatch.com/2015/10/insult-to-injury-russia-given-the-green-light-by-baghdad-to-hit-isis-in-iraq/"


def _emit(report: Report, fmt: OutputFormat, output: Path | None) -> None:
    from sourcetrace.render import format_report

    if fmt is OutputFormat.text:
        from sourcetrace.render.terminal import render_terminal

        if output is None:
            # piped output gets a readable fixed width instead of rich's 80-column fallback
            render_terminal(report, Console(width=None if sys.stdout.isatty() else 140))
            return
        with output.open("w", encoding="utf-8") as handle:
            render_terminal(report, Console(file=handle, width=140, color_system=None))
        return
    rendered = format_report(report, fmt.value)
    if output is None:
        sys.stdout.write(rendered + "\n")
    else:
        output.write_text(rendered + "\n", encoding="utf-8")


def _analyze(article_loader: Callable[[], Article], fmt: OutputFormat, output: Path | None,
             registries: list[Path] | None = None, learned: bool = True) -> None:
    from sourcetrace.article.pipeline import Pipeline
    from sourcetrace.article.resources import load_resources
    from sourcetrace.outlets.registry import Registry

    with Console(stderr=True).status("Loading models and analysing…", spinner="dots"):
        resources = load_resources()
        if registries:
            resources = resources.with_overrides(registry=Registry.load(extra=registries))
        article = article_loader()
        report = Pipeline(resources=resources, learned_attribution=learned).analyze_article(article)
    _emit(report, fmt, output)


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")]


@app.command()
@errors_as_messages
def analyze(
    source: Annotated[str, typer.Argument(help="A file path, an http(s) URL, or - for standard input.")],
    fmt: FormatOption = OutputFormat.text,
    output: OutputOption = None,
    url: Annotated[str | None, typer.Option(help="The article's URL, when SOURCE is a file or stdin.")] = None,
    title: Annotated[str | None, typer.Option(help="Override the detected title.")] = None,
    site: Annotated[str | None, typer.Option(help="The publishing site (domain), if not given by --url.")] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Allow fetching URLs on private or loopback addresses.")
    ] = False,
    registry: Annotated[
        list[Path] | None,
        typer.Option("--registry", help="Your own outlet registry (CSV/JSON) extending the bundled one."),
    ] = None,
    rules_only: Annotated[
        bool, typer.Option("--rules-only", help="Skip the learned tagger: ~2.7x faster, fewer attributions.")
    ] = False,
) -> None:
    """Analyse one article (plain text or HTML) and report attributions, voices and entities."""
    from sourcetrace.article.ingest import load_article

    _analyze(lambda: load_article(source, allow_private=allow_private, url=url, title=title, site=site),
             fmt, output, registry, learned=not rules_only)


@app.command()
@errors_as_messages
def demo(
    fmt: FormatOption = OutputFormat.text,
    output: OutputOption = None,
    corpus: Annotated[bool, typer.Option(
        "--corpus/--no-corpus", help="Also trace the article in the bundled demo corpus: its copied passages, "
        "their earliest carriers, credited or not, and its story.")] = True,
    story_html: Annotated[Path | None, typer.Option(
        "--story-html", help="Write the story's HTML report here (default: next to --output, else "
        "sourcetrace-demo-UID/story.html in the system's temporary folder, overwritten each run; the path is "
        "printed).")] = None,
) -> None:
    """Analyse the bundled demo article (a 2015 usdefensewatch.com blog post, see its README) and trace its
    passages in the bundled demo corpus (wire items and reposts written for the purpose)."""
    from sourcetrace.article.ingest import article_from_text

    text = resources.files("sourcetrace.resources").joinpath("demo-article.txt").read_text("utf-8")
    if not corpus:
        _analyze(lambda: article_from_text(text, url=DEMO_URL), fmt, output)
        return
    # issue 23: the article inside its corpus and its story (sourcetrace.stories.demo)
    from sourcetrace.stories.demo import run_demo

    run_demo(text, DEMO_URL, fmt, output, story_html)


@app.command()
def schema() -> None:
    """Print the JSON schema of the report (``--format json`` output)."""
    sys.stdout.write(json.dumps(Report.model_json_schema(), indent=2) + "\n")


# issue 5: the web app (web/app.py)
@app.command()
@errors_as_messages
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; keep 127.0.0.1 unless it must be reachable.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Allow fetching URLs on private or loopback addresses.")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=0, help="Analysis worker processes (each loads the models, a few hundred MB); "
                          "0 analyses in the server process, one at a time and without a time limit.")
    ] = 2,
    time_limit: Annotated[
        float, typer.Option(min=1, help="Seconds an analysis may run before it is stopped and answered 504.")
    ] = 120.0,
    queue_wait: Annotated[
        float, typer.Option(min=0, help="Seconds a request waits for a free worker before it is answered 503.")
    ] = 30.0,
    db: Annotated[
        Path | None, typer.Option("--db", help="A corpus store to list, search and open at /corpus; editors may "
                                  "add and delete articles in it.")
    ] = None,
    token_file: Annotated[
        Path | None, typer.Option("--token-file", help="Where the access tokens' hashes are kept (made on first "
                                  "start beyond loopback); default: next to --db, else ~/.config/sourcetrace.")
    ] = None,
    rate_limit: Annotated[
        float, typer.Option(min=0, help="Requests a second per client on average (0: no limit); over it, 429.")
    ] = 20.0,
    rate_burst: Annotated[int, typer.Option(min=1, help="Requests a client may send at once above the rate.")] = 60,
) -> None:
    """Serve the web app: a form for text, files and URLs that answers with the HTML report, and a JSON API.

    On any address but loopback every request needs an access token (viewer or editor; docs/security.md)."""
    from sourcetrace.web.app import serve as run_server

    run_server(host, port, allow_private=allow_private, workers=workers, time_limit=time_limit,
               queue_wait=queue_wait, db=str(db) if db is not None else None,
               token_file=str(token_file) if token_file is not None else None, rate_limit=rate_limit,
               rate_burst=rate_burst)


app.add_typer(outlets_app, name="outlets", help="Look up outlets in the bundled source registry.")
# issue 22: many articles in one store (corpus/cli.py)
app.add_typer(corpus_app, name="corpus")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
