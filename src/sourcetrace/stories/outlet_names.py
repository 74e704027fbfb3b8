"""One name per outlet in the provenance graphs: the registry's name for an outlet however the text wrote it.

An article says "according to a Russia Today report", the registry lists that outlet as "RT" (with "Russia
Today" among its aliases), and another article's stored outlet may be either. Without one name the graph
draws two outlet nodes for one outlet. The report already decided which outlet a conduit is (its
``outlets`` links carry the registry's name and the spans where the article names each outlet); failing
that, the bundled registry is asked by name; a name no registry lists stays as written.
"""

from __future__ import annotations

from functools import lru_cache

from sourcetrace.models import Conduit, Report


@lru_cache(maxsize=4096)
def registry_name(name: str) -> str:
    """The registry's name for the outlet called ``name`` (an alias, another casing), else ``name`` itself."""
    from sourcetrace.outlets.registry import default_registry

    outlet = default_registry().lookup_name(name) if name.strip() else None
    return outlet.name if outlet is not None else name


def outlet_key(name: str) -> str:
    """The graph node id of an outlet: one per registry outlet, whatever name it was written with."""
    return f"outlet:{registry_name(name).casefold()}"


def conduit_outlet(report: Report, conduit: Conduit) -> str | None:
    """The outlet a conduit names, by its registry name; None when the conduit is not an outlet (a person a
    claim passed through: "Dunford said, according to Reuters" has Dunford as a conduit of the ministers)."""
    if conduit.type.value != "outlet":
        return None
    for link in report.outlets:
        if link.registry_id is None:
            continue
        if conduit.entity_id is not None and link.entity_id == conduit.entity_id:
            return link.name
        if any(span.start < conduit.span.end and conduit.span.start < span.end for span in link.evidence):
            return link.name
    return registry_name(conduit.name)
