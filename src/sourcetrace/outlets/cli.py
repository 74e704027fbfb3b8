"""``sourcetrace outlets``: look outlets up in the bundled registry, plus the user's own registry files.

Every label is printed with the registry that gives it, its own wording, snapshot and licence, because a
label without its source is an opinion nobody can check.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sourcetrace.errors import SourcetraceError
from sourcetrace.outlets.registry import LABELS, Outlet, Registry, default_registry

outlets_app = typer.Typer(
    help="Look outlets up in the source registry: names, domains, and every label with the registry that gives it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    text = "text"
    json = "json"


RegistryOption = Annotated[
    list[Path] | None,
    typer.Option("--registry", "-r", help="Your own CSV or JSON registry, extending or overriding the bundled one "
                 "(repeatable; format in REGISTRY-SOURCES.md)."),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
_STYLES = {"affiliation": "magenta", "role": "cyan", "reliability": "yellow", "content": "red", "score": "blue"}


def _fail(message: str, code: int) -> typer.Exit:
    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)
    return typer.Exit(code)


def _registry(extra: list[Path] | None) -> Registry:
    try:
        return Registry.load(extra=extra) if extra else default_registry()
    except SourcetraceError as error:
        raise _fail(f"error: {error}", error.exit_code) from None


def _labels_table(outlet: Outlet) -> Table:
    table = Table(show_edge=False, pad_edge=False, expand=True)
    table.add_column("label (kind)", ratio=3, overflow="fold")
    table.add_column("the registry's own words", ratio=4, overflow="fold")
    table.add_column("registry, snapshot, licence", ratio=4, overflow="fold")
    rows = [(None, label) for label in outlet.labels] + [(s, x) for s, xs in outlet.sections.items() for x in xs]
    for scope, label in rows:
        kind = LABELS.get(label.label, ("user",))[0]
        words = (label.value or "") + (f" [only {scope}]" if scope and scope not in (label.value or "") else "")
        cite = ", ".join(x for x in (label.registry, label.snapshot, label.licence) if x)
        table.add_row(Text.assemble((label.label, _STYLES.get(kind, "")), f" ({kind})"), words, cite)
    return table


def _panel(outlet: Outlet, registry: Registry) -> Panel:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("aliases", ", ".join(outlet.aliases) or "—")
    facts.add_row("domains", ", ".join(outlet.domains) or "—")
    facts.add_row("country", outlet.country or "—")
    cited = {label.registry for label in outlet.labels} | {x.registry for xs in outlet.sections.values() for x in xs}
    urls = [f"{s.registry}: {s.url}" for s in registry.sources if s.registry in cited]
    parts: list[Table | Text] = [facts, Text(""), _labels_table(outlet) if cited else Text("no labels")]
    if urls:
        parts.append(Text("\n" + "\n".join(urls), style="dim"))
    return Panel(Group(*parts), title=f"[bold]{outlet.name}[/]  [dim]{outlet.id}[/]", title_align="left")


@outlets_app.command()
def show(
    query: Annotated[str, typer.Argument(metavar="NAME|DOMAIN", help="An outlet's name, alias, domain or URL.")],
    registry: RegistryOption = None,
    fmt: FormatOption = Format.text,
) -> None:
    """Show one outlet: names, domains, country, and each label with its registry, wording, date and licence."""
    found = _registry(registry)
    outlet = found.lookup_name(query) or found.lookup_domain(query)
    if outlet is None:
        raise _fail(f"no outlet matches '{query}'; try `sourcetrace outlets search {query}`", 1)
    if fmt is Format.json:
        sys.stdout.write(outlet.model_dump_json(indent=2) + "\n")
    else:
        Console().print(_panel(outlet, found))


@outlets_app.command()
def search(
    text: Annotated[str, typer.Argument(help="Part of a name, alias or domain.")],
    registry: RegistryOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many outlets to list.")] = 10,
    fmt: FormatOption = Format.text,
) -> None:
    """Find outlets whose name, alias or domain resembles TEXT (fuzzy; exact matches first)."""
    outlets = _registry(registry).search(text, limit=limit)
    if fmt is Format.json:
        sys.stdout.write(json.dumps([o.model_dump(mode="json") for o in outlets], indent=2, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"Outlets like '{text}'", title_justify="left", show_edge=False)
    for column in ("id", "name", "domains", "country", "labels (registries)"):
        table.add_column(column, overflow="fold")
    for outlet in outlets:
        scored = [x for x in outlet.labels if LABELS.get(x.label, ("",))[0] == "score"]
        labels = sorted({f"{x.label} ({x.registry})" for x in outlet.labels if x not in scored})
        scores = [x.value.split(" for ")[0] for x in scored if x.value]
        more = " …" if len(outlet.domains) > 3 else ""
        table.add_row(outlet.id, outlet.name, ", ".join(outlet.domains[:3]) + more, outlet.country or "",
                      "; ".join(labels + ([f"quality {scores[0]} (Lin et al. 2023)"] if scores else [])))
    Console().print(table)
