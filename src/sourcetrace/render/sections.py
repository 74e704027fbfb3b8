"""A section of a report: the unit the HTML reports (article and story) are extended with.

A section has its anchor id, a title, its HTML body (already escaped markup) and the CSS it needs (added to the
page's hash-locked stylesheet); a story report's sections also carry their data (the ``--format json`` value) and
plain-text lines (the terminal). Whoever adds a part to a report builds one of these; the page templates only lay
them out in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup


@dataclass(frozen=True)
class ReportSection:
    id: str  # the anchor (a safe id: letters, digits, - and _)
    title: str
    body: Markup
    css: str = ""
    data: Any = None  # JSON-able; the section's value in a story report's --format json
    text: tuple[str, ...] = field(default_factory=tuple)  # plain lines for the terminal, escaped when printed
