"""Shared helpers for benchmark scripts: rewrite one marked section of docs/benchmarks.md, and describe the run.

Several benchmarks report into the same page, so each owns only the text between
``<!-- BEGIN name -->`` and ``<!-- END name -->`` and leaves the rest of the file alone.
"""

from __future__ import annotations

import datetime
import subprocess
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCS_PAGE = REPO_ROOT / "docs" / "benchmarks.md"
_HEADER = "# Benchmarks\n\nEach section below is written by the script it names; rerun the script to refresh it.\n"


def write_section(name: str, body: str, path: Path = DOCS_PAGE) -> None:
    """Replace the section ``name`` (markers included) or append it; create the page when missing."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = f"{begin}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    start, stop = text.find(begin), text.find(end)
    if start != -1 and stop > start:
        text = text[:start] + block + text[stop + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def git_commit() -> str:
    """Short commit of the checkout, with ``+dirty`` when the package sources differ from it: numbers are only
    reproducible from a clean commit, and other people edit the tree while benchmarks run."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+dirty" if git("status", "--porcelain", "-uno", "--", "src/sourcetrace") else "")


def cpu_model() -> str:
    """The processor's model name, for the machine line of a benchmark's section."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def today() -> str:
    return datetime.date.today().isoformat()
