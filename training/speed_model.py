"""Speed of the learned extractor next to the bare spaCy pipeline, on one core (reuses benchmarks/speed.py).

Run in the project venv from the repository root::

    python training/speed_model.py [--split dev] [--limit N]

Same protocol as benchmarks/speed.py (one process pinned to CPU 0, one maths thread, warm-up, per-phase peak
RSS): ``spaCy nlp(text)`` per article, then ``predict_attributions`` per article (sentences from spaCy's blank
``sentencizer``, as a stand-in for the parse's sentences that the pipeline already has), then both in a row,
which is what the pipeline pays once the model is integrated. Prints a table; writes no docs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import speed  # noqa: E402  (pins this process to CPU 0 and sets one maths thread, before numpy loads)
from polnear_data import load_split  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402


def model_phase():  # type: ignore[no-untyped-def]
    import spacy

    from sourcetrace.article import attribution_model as am

    am._model()
    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")

    def run(texts):  # type: ignore[no-untyped-def]
        for text in texts:
            sentences = [(s.start_char, s.end_char) for s in blank(text).sents]
            yield am.predict_attributions(text, sentences)

    return run


def both_phase():  # type: ignore[no-untyped-def]
    import spacy

    from sourcetrace.article import attribution_model as am

    am._model()
    nlp = spacy.load(speed.MODEL)

    def run(texts):  # type: ignore[no-untyped-def]
        for text in texts:
            doc = nlp(text)
            yield am.predict_attributions(text, [(s.start_char, s.end_char) for s in doc.sents])

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--data", type=Path, default=speed.DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    console = Console()
    texts = [a.text for a in load_split(args.data, args.split, args.limit)]
    phases = [
        speed.run_phase("spaCy nlp(text)", speed.spacy_call_phase, texts, console),
        speed.run_phase("learned tagger (int8 ONNX)", model_phase, texts, console),
        speed.run_phase("spaCy nlp(text) + tagger", both_phase, texts, console),
    ]
    table = Table(title=f"Speed, PolNeAR {args.split}, one core ({speed.cpu_model()})")
    for header in ("phase", "load s", "articles", "words", "run s", "articles/s", "words/s", "peak RSS MiB"):
        table.add_column(header)
    for p in phases:
        table.add_row(
            p.name,
            f"{p.load_s:.2f}",
            str(p.articles),
            str(p.words),
            f"{p.run_s:.1f}",
            f"{p.articles_per_s:.2f}",
            f"{p.words_per_s:,.0f}",
            f"{p.peak_rss_mib:.0f}",
        )
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
