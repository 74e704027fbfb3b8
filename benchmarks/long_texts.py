"""Long texts: ``analyze`` time against text length, next to spaCy alone on the same texts, in one run.

Run from the repository root::

    python benchmarks/long_texts.py [--sizes 10000 100000 300000 1000000] [--data ../shared/data/polnear]

The texts are real articles: PolNeAR's dev then train articles, in file order, joined with blank lines and cut at
the last paragraph end within each size, so a longer text contains every shorter one. spaCy runs the very
pipeline sourcetrace loads (``sourcetrace.article.nlp.load_nlp()``: the pinned model plus the line-break and gazetteer
components), on the same text as ``analyze`` sees. Each size runs spaCy, then ``analyze``, then spaCy again,
and spaCy's time is the lower of its two: a first parse of a long text is slower (new words enter the
vocabulary), and ``analyze`` parses the text warm. Times are the process's CPU seconds (all its threads),
which other processes on a shared machine disturb far less than wall-clock time, with wall-clock time next to
them. Single-threaded maths, as ``speed.py``, but not pinned to one core: on a shared machine a pinned core
may be everyone's. The growth exponent is the least-squares slope of log(time)
against log(length) over all sizes. Each run rewrites the ``long_texts`` section of docs/benchmarks.md
(``--no-docs`` for a trial run).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import itertools  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

from docs_section import REPO_ROOT, cpu_model, git_commit, markdown_table, today, write_section  # noqa: E402
from polnear_data import DataMissing  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "polnear"
DEFAULT_SIZES = (10_000, 100_000, 300_000, 1_000_000)
GOAL_EXPONENT, GOAL_RATIO = 1.1, 3.0


@dataclass
class Row:
    size: int
    characters: int
    words: int
    spacy_cpu: float
    spacy_wall: float
    analyze_cpu: float
    analyze_wall: float
    attributions: int

    @property
    def ratio(self) -> float:
        return self.analyze_cpu / self.spacy_cpu


def build_text(data: Path, size: int) -> str:
    """Real articles joined by blank lines, cut at the last paragraph end at or before ``size`` characters."""
    parts: list[str] = []
    length = 0
    for split in ("dev", "train"):
        folder = data / split / "text"
        if not folder.is_dir():
            raise DataMissing(f"no PolNeAR texts in {folder} (see benchmarks/polnear_data.py)")
        for path in sorted(folder.glob("*.txt")):
            article = "\n".join(line.rstrip() for line in path.read_text("utf-8").strip().splitlines())
            parts.append(article)
            length += len(article) + 2
            if length > size:
                text = "\n\n".join(parts)[:size]
                return text[: text.rfind("\n")].rstrip() + "\n"
    raise DataMissing(f"PolNeAR dev and train together are shorter than {size:,} characters")


def timed(run: Callable[[], object]) -> tuple[float, float, object]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = run()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) against log(x)."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="text lengths to run")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="PolNeAR data folder")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)

    try:
        texts = {size: build_text(args.data, size) for size in sorted(args.sizes)}
    except DataMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from sourcetrace import Pipeline
    from sourcetrace.article.ingest import MAX_TEXT_CHARS
    from sourcetrace.article.nlp import MODEL_NAME, load_nlp, parse

    nlp = load_nlp()
    pipeline = Pipeline()  # its spaCy pipeline is nlp: both are the process's shared bundle's
    longest = max(len(text) for text in texts.values())
    # spaCy refuses texts longer than nlp.max_length (E088); sourcetrace refuses them first, in ingest
    print(f"spaCy nlp.max_length {nlp.max_length:,}; sourcetrace MAX_TEXT_CHARS {MAX_TEXT_CHARS:,}; "
          f"longest text {longest:,}", flush=True)
    assert longest <= min(nlp.max_length, MAX_TEXT_CHARS)
    warm = texts[min(texts)][:5000]
    pipeline.analyze(warm[: warm.rfind("\n")])  # loads the tagger and warms both up

    rows: list[Row] = []
    for size, text in texts.items():
        first = timed(lambda text=text: parse(text, nlp))  # type: ignore[misc]
        analyze_cpu, analyze_wall, report = timed(lambda text=text: pipeline.analyze(text))  # type: ignore[misc]
        again = timed(lambda text=text: parse(text, nlp))  # type: ignore[misc]
        spacy_cpu, spacy_wall = min(first[:2], again[:2])
        print(f"  spaCy runs: {first[0]:.1f} and {again[0]:.1f} s CPU", flush=True)
        row = Row(size, len(text), len(text.split()), spacy_cpu, spacy_wall, analyze_cpu, analyze_wall,
                  len(report.attributions))  # type: ignore[attr-defined]
        rows.append(row)
        print(f"{row.characters:>9,} chars: spaCy {spacy_cpu:7.1f} s CPU ({spacy_wall:.1f} wall), "
              f"analyze {analyze_cpu:7.1f} s CPU ({analyze_wall:.1f} wall), ratio {row.ratio:.2f}, "
              f"{row.attributions} attributions", flush=True)

    lengths = [float(r.characters) for r in rows]
    exponent = slope(lengths, [r.analyze_cpu for r in rows]) if len(rows) > 1 else float("nan")
    spacy_exponent = slope(lengths, [r.spacy_cpu for r in rows]) if len(rows) > 1 else float("nan")
    last = rows[-1]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    verdict = (f"**Growth exponent of `analyze`: {exponent:.2f}** (goal ≤ {GOAL_EXPONENT}; spaCy alone "
               f"{spacy_exponent:.2f}). **At {last.characters:,} characters `analyze` takes {last.ratio:.2f}× "
               f"spaCy's own time** (goal ≤ {GOAL_RATIO:g}×): {last.analyze_cpu:.0f} s against "
               f"{last.spacy_cpu:.0f} s of CPU.")
    print(verdict)
    print(f"peak RSS {peak:,.0f} MiB")

    if not args.no_docs:
        sizes = " ".join(str(size) for size in sorted(args.sizes))
        command = "python benchmarks/long_texts.py" + ("" if tuple(sorted(args.sizes)) == DEFAULT_SIZES
                                                       else f" --sizes {sizes}")
        headers = ["characters", "words", "spaCy CPU s", "analyze CPU s", "analyze / spaCy", "spaCy wall s",
                   "analyze wall s", "attributions"]
        table = [[f"{r.characters:,}", f"{r.words:,}", f"{r.spacy_cpu:.1f}", f"{r.analyze_cpu:.1f}",
                  f"{r.ratio:.2f}", f"{r.spacy_wall:.1f}", f"{r.analyze_wall:.1f}", str(r.attributions)]
                 for r in rows]
        steps = [(a, b, slope([a.characters, b.characters], [a.analyze_cpu, b.analyze_cpu]))
                 for a, b in itertools.pairwise(rows)]
        local = ", ".join(f"{a.characters // 1000:,}k→{b.characters // 1000:,}k {k:.2f}" for a, b, k in steps)
        body = "\n\n".join([
            "## Long texts",
            f"`{command}` — {today()}, sourcetrace commit `{git_commit()}`.",
            f"Machine: {cpu_model()}, {os.cpu_count()} cores shared with other work while it ran (not pinned), one "
            "maths thread, so times are the process's CPU seconds (wall-clock next to them). Texts: PolNeAR dev then "
            "train articles joined by blank lines, cut at a paragraph end within each size (a longer text "
            f"contains every shorter one). spaCy alone is `{MODEL_NAME}` as sourcetrace loads it (its "
            "line-break and gazetteer components included), run on the same text before and after `analyze` "
            "(the lower time of the two counts; a first parse of a long text is slower), `analyze` parses it "
            "again and runs every other stage with the learned tagger. spaCy's `nlp.max_length` is "
            f"{nlp.max_length:,} and sourcetrace's own limit (`ingest.MAX_TEXT_CHARS`) is {MAX_TEXT_CHARS:,}, "
            "so the longest text allowed parses in one piece; a longer one is refused by sourcetrace with a "
            f"one-line error before spaCy sees it. Peak RSS of the whole run: {peak:,.0f} MiB.",
            markdown_table(headers, table),
            verdict + f" Exponent between successive sizes: {local}.",
        ])
        write_section("long_texts", body)
        print("Wrote the long_texts section of docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
