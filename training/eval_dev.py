"""Score the learned extractor with the project's PolNeAR harness (benchmarks/polnear_accuracy.py).

Run in the project venv (spaCy, rich, onnxruntime, tokenizers) from the repository root::

    python training/eval_dev.py --split dev                 # the shipped int8 model
    python training/eval_dev.py --split dev --model ../train-out/student2/attribution-tagger-fp32.onnx
    python training/eval_dev.py --split train --oracle       # gold spans + our linking: the linker's ceiling
    python training/eval_dev.py --split dev --with-rules     # model first, rules as fallback
    python training/eval_dev.py --split dev --word-probs ../train-out/teacher-mpnet/dev-probs.npz   # a teacher
    python training/eval_dev.py --split dev --model X.onnx --decoder X-decoder.json   # a tagger + its decoder

The harness' own extractor option only knows ``sourcetrace.analyze``; this script reuses its ``evaluate``,
``result_rows`` and ``print_tables`` with a predictor that calls ``predict_attributions`` (sentences from the
harness' sentencizer). It never writes docs/benchmarks.md. The test split is not accepted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import numpy as np  # noqa: E402
from attribution_metrics import Triple, overlap_chars  # noqa: E402
from polnear_accuracy import (  # noqa: E402
    DEFAULT_DATA,
    Segmenter,
    evaluate,
    print_tables,
    result_rows,
    sourcetrace_predictor,
)
from polnear_data import GoldArticle, load_split  # noqa: E402
from rich.console import Console  # noqa: E402

from sourcetrace.article import attribution_model as am  # noqa: E402


def to_triples(predictions: list[dict]) -> list[Triple]:
    return [Triple((p.source,) if p.source else None, (p.cue,), tuple(p.content)) for p in predictions]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--model", type=Path, default=None, help="an .onnx file instead of the shipped model")
    parser.add_argument("--oracle", action="store_true", help="gold spans, our linking (no model)")
    parser.add_argument(
        "--with-rules",
        action="store_true",
        help="add the rule extractor's attributions whose cue lies outside every model cue and content",
    )
    parser.add_argument(
        "--word-probs",
        type=Path,
        default=None,
        help="decode saved per-word tag distributions (train_teacher_mpnet.py --probs-only) instead of a model",
    )
    parser.add_argument(
        "--decoder",
        default=None,
        help="a decoder file from fit_decoder.py, or 'plain' for the best BIO path through the tagger's own "
        "distributions (default: the shipped decoder for the shipped tagger; 'plain' with --model or --word-probs)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the tables here")
    args = parser.parse_args()

    console = Console()
    articles = load_split(args.data, args.split, args.limit)
    segment = Segmenter()
    if args.model:
        am.MODEL_FILE = str(args.model.resolve())  # absolute path: joinpath() keeps it as is

    rules = sourcetrace_predictor() if args.with_rules else None
    # the shipped decoder is fitted to the shipped tagger, and only to it
    decoder_name = args.decoder or ("plain" if args.model or args.word_probs else "shipped")
    if decoder_name == "plain":
        decoder = am.TagDecoder.plain()
    elif decoder_name == "shipped":
        decoder = am.shipped_decoder()
    else:
        decoder = am.TagDecoder.from_dict(json.loads(Path(decoder_name).read_text("utf-8")))

    def predict(article: GoldArticle) -> list[Triple]:
        triples = predict_model(article)
        if rules is not None:
            taken = [piece for t in triples for piece in (*t.cue, *t.content)]
            triples += [r for r in rules(article) if overlap_chars(r.cue, taken) == 0]
        return triples

    def predict_model(article: GoldArticle) -> list[Triple]:
        if args.oracle:
            spans = [
                am._Span(role, s, e, 1.0)
                for a in article.attributions
                for role in am.ROLES
                for s, e in (getattr(a, role) or ())
            ]
            return to_triples(am.link(article.text, sorted(spans, key=lambda x: x.start)))
        if saved is not None:
            words, probs = saved_word_probs(article)
        else:
            _, _, units = segment(article.text)
            words, probs = am._model().word_probs(article.text, units["sentence"])
        return to_triples(am.link(article.text, am.decode(words, probs, decoder)))

    saved = np.load(args.word_probs) if args.word_probs else None

    def saved_word_probs(article: GoldArticle) -> tuple[list[tuple[int, int]], np.ndarray]:
        """The words of the shipped tokenizer, each with the saved distribution of the word starting where it
        does (both tokenizers split words alike), or certain "O" where none does."""
        words, _ = am.word_spans(am._model().tokenizer.encode(article.text, add_special_tokens=False))
        by_start = {int(row[0]): row[1:] for row in saved[article.stem]}
        outside = np.eye(len(am.LABELS), dtype=np.float32)[0]
        return words, np.stack([by_start.get(start, outside) for start, _ in words])

    if not args.oracle:
        am._model()  # load outside the timing
    t0 = time.perf_counter()
    scores = evaluate(articles, predict, console)
    seconds = time.perf_counter() - t0
    console.print(f"decoder: {decoder_name}")
    console.print(
        f"{args.split}: {len(articles)} articles, {scores.gold} gold, {scores.predicted} predicted, "
        f"{scores.failed} failed, {seconds:.1f} s including scoring"
    )
    tables = result_rows(scores)
    print_tables(tables, console)
    if args.json:
        args.json.write_text(json.dumps({"seconds": seconds, "tables": tables}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
