"""``sourcetrace outlets``: look outlets up in the bundled registry (plus the user's own files)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sourcetrace.errors import SourcetraceError
from sourcetrace.outlets import Outlet, Registry, default_registry

outlets_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)

RegistryOption = Annotated[
    list[Path] | None,
    typer.Option("--registry", help="A CSV or JSON registry file that extends or overrides the bundled one."),
]


def _registry(extra: list[Path] | None) -> Registry:
    try:
        return Registry.load(extra=extra) if extra else default_registry()
    except SourcetraceError as error:
        Console(stderr=True).print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(error.exit_code) from None


def _labels_table(outlet: Outlet) -> Table:
    table = Table(show_edge=False)
    for column in ("label", "registry", "registry's value", "snapshot", "licence"):
        table.add_column(column)
    for label in outlet.labels:
        table.add_row(label.label, label.registry, label.value or "", label.snapshot or "", label.licence or "")
    return table


@outlets_app.command()
def show(
    name: Annotated[str, typer.Argument(help="An outlet name, alias, domain or URL.")],
    registry: RegistryOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the entry as JSON.")] = False,
) -> None:
    """Show one outlet: names, domains, country and every label with the registry that gives it."""
    found = _registry(registry)
    outlet = found.lookup_name(name) or found.lookup_domain(name)
    if outlet is None:
        Console(stderr=True).print(f"no outlet matches '{name}'; try `sourcetrace outlets search {name}`",
                                   highlight=False)
        raise typer.Exit(1)
    if json_output:
        sys.stdout.write(outlet.model_dump_json(indent=2) + "\n")
        return
    console = Console()
    console.print(f"[bold]{outlet.name}[/]  [dim]{outlet.id}[/]")
    if outlet.aliases:
        console.print(f"also: {', '.join(outlet.aliases)}", highlight=False)
    console.print(f"domains: {', '.join(outlet.domains) or '—'}    country: {outlet.country or '—'}", highlight=False)
    console.print(_labels_table(outlet))


@outlets_app.command()
def search(
    text: Annotated[str, typer.Argument(help="Part of a name, alias or domain.")],
    registry: RegistryOption = None,
    limit: Annotated[int, typer.Option(help="How many outlets to list.")] = 10,
) -> None:
    """Find outlets by name, alias or domain (fuzzy)."""
    table = Table(show_edge=False)
    for column in ("id", "name", "domains", "labels"):
        table.add_column(column)
    for outlet in _registry(registry).search(text, limit=limit):
        table.add_row(outlet.id, outlet.name, ", ".join(outlet.domains[:3]), ", ".join(sorted(outlet.label_names())))
    Console().print(table)
