"""PolNeAR accuracy benchmark: how well ``sourcetrace.analyze`` recovers PolNeAR's attributions.

Run from the repository root::

    python benchmarks/polnear_accuracy.py [--split dev] [--data ../shared/data/polnear]

Scores the dev split by default (the test split is held out and scored elsewhere). ``--extractor gold`` feeds
the gold annotations back as predictions (every score must be 100) and ``--extractor perturbed`` a damaged copy
of them; both exist to check this harness, not the extractor. A full run of the real extractor rewrites the
``polnear-accuracy`` section of docs/benchmarks.md. Metric definitions: docs/benchmarks.md and
attribution_metrics.py.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import spacy
from attribution_metrics import (
    PRF,
    CharSpan,
    JaccardScore,
    Triple,
    begin_counts,
    clip_to_units,
    exact_counts,
    ggt_quote_counts,
    has_quote_marks,
    jaccard_score,
    match_counts,
    relation_matches,
    role_token_spans,
)
from docs_section import REPO_ROOT, git_commit, markdown_table, today, write_section
from polnear_data import DataMissing, GoldArticle, GoldAttribution, load_split
from rich.console import Console
from rich.progress import track
from rich.table import Table

ROLES = ("source", "cue", "content")
UNITS = ("paragraph", "sentence")
COFENET_TEST = {"source": (83.2, 10.7), "cue": (75.3, 22.8), "content": (72.9, 5.6)}  # CofeNet, rule baseline
GGT_QUOTE_F1 = {0.3: 83.7, 0.8: 76.1}
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "polnear"

Predictor = Callable[[GoldArticle], list[Triple]]


@dataclass
class Scores:
    gold: int = 0
    predicted: int = 0
    failed: int = 0
    exact: dict[tuple[str, str], PRF] = field(default_factory=lambda: defaultdict(PRF))
    begin: dict[tuple[str, str], PRF] = field(default_factory=lambda: defaultdict(PRF))
    jaccard: dict[tuple[str, str], JaccardScore] = field(default_factory=lambda: defaultdict(JaccardScore))
    relation: PRF = field(default_factory=PRF)
    by_publisher: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    quotes: dict[tuple[str, float], PRF] = field(default_factory=lambda: defaultdict(PRF))
    recall_by_sentences: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))


def gold_triple(attribution: GoldAttribution) -> Triple:
    return Triple(attribution.source, attribution.cue, attribution.content)


def predict_gold(article: GoldArticle) -> list[Triple]:
    return [gold_triple(a) for a in article.attributions]


def predict_perturbed(article: GoldArticle) -> list[Triple]:
    """Gold with known damage, seeded per article: drop 10 % of attributions, remove the source of 10 %, cut
    the last word off the content of 20 % and move the cue of 10 % to the next character run."""
    rng = random.Random(article.stem)
    triples = []
    for attribution in article.attributions:
        triple, roll = gold_triple(attribution), rng.random()
        if roll < 0.1:
            continue
        if roll < 0.2:
            triple = replace(triple, source=None)
        elif roll < 0.4:
            *head, (start, end) = triple.content
            cut = article.text.rfind(" ", start, end - 1)
            triple = replace(triple, content=(*head, (start, cut if cut > start else end)))
        elif roll < 0.5:
            (start, end), *rest = triple.cue
            triple = replace(triple, cue=((end + 1, end + 2), *rest))
        triples.append(triple)
    return triples


def sourcetrace_predictor(learned: bool = True) -> Predictor:
    from sourcetrace import Pipeline

    pipeline = Pipeline(learned_attribution=learned)

    def predict(article: GoldArticle) -> list[Triple]:
        report = pipeline.analyze(article.text)
        triples = []
        for a in report.attributions:
            source: tuple[CharSpan, ...] | None = None
            aliases: tuple[CharSpan, ...] = ()
            if a.source is not None:
                source = ((a.source.span.start, a.source.span.end),)
                if a.source.entity_id:
                    try:
                        mentions = report.entity(a.source.entity_id).mentions
                    except KeyError:
                        mentions = []
                    aliases = tuple((m.span.start, m.span.end) for m in mentions)
            content = tuple((s.start, s.end) for s in a.content)
            triples.append(Triple(source, ((a.cue.start, a.cue.end),), content, aliases))
        return triples

    return predict


class Segmenter:
    """spaCy's blank English tokenizer plus the rule-based ``sentencizer``: fast, deterministic and independent
    of the parser under test, so the protocol does not favour its sentence splits."""

    def __init__(self) -> None:
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")

    def __call__(self, text: str) -> tuple[list[int], list[int], dict[str, list[tuple[int, int]]]]:
        doc = self.nlp(text)
        tokens = [t for t in doc if not t.is_space]
        paragraphs = [m.span() for m in re.finditer(r"[^\n]+", text)]
        sentences = clip_to_units(((s.start_char, s.end_char) for s in doc.sents), paragraphs)
        units = {"paragraph": paragraphs, "sentence": sentences}
        return [t.idx for t in tokens], [t.idx + len(t) for t in tokens], units


def score_article(article: GoldArticle, pred: list[Triple], segment: Segmenter, scores: Scores) -> None:
    gold = [gold_triple(a) for a in article.attributions]
    starts, ends, units = segment(article.text)
    scores.gold += len(gold)
    scores.predicted += len(pred)
    for role in ROLES:
        gold_pieces = [p for t in gold for p in (getattr(t, role) or ())]
        pred_pieces = [p for t in pred for p in (getattr(t, role) or ())]
        for unit in UNITS:
            g = role_token_spans(gold_pieces, units[unit], starts, ends)
            p = role_token_spans(pred_pieces, units[unit], starts, ends)
            scores.exact[unit, role] += exact_counts(g, p)
            scores.begin[unit, role] += begin_counts(g, p)
            scores.jaccard[unit, role] += jaccard_score(g, p)
    matched = {gi for gi, _, _ in relation_matches(gold, pred, starts, ends)}
    relation = match_counts(len(matched), len(gold), len(pred))
    scores.relation += relation
    scores.by_publisher[article.publisher] += relation
    for gi, triple in enumerate(gold):
        sentences = {k for k, (s, e) in enumerate(units["sentence"]) for cs, ce in triple.content if cs < e and s < ce}
        found = PRF(tp=1) if gi in matched else PRF(fn=1)
        scores.recall_by_sentences["several sentences" if len(sentences) > 1 else "one sentence"] += found

    # GGT walks gold quotes in document order; PolNeAR's event order is the annotators' order.
    gold_contents = sorted(t.content for t in gold)
    pred_contents = [t.content for t in pred]

    def quoted(contents: list[tuple[CharSpan, ...]]) -> list[tuple[CharSpan, ...]]:
        return [c for c in contents if has_quote_marks("".join(article.text[s:e] for s, e in c))]

    for threshold in GGT_QUOTE_F1:
        scores.quotes["all", threshold] += ggt_quote_counts(gold_contents, pred_contents, threshold)
        scores.quotes["quoted", threshold] += ggt_quote_counts(quoted(gold_contents), quoted(pred_contents), threshold)


def evaluate(articles: list[GoldArticle], predict: Predictor, console: Console) -> Scores:
    segment, scores = Segmenter(), Scores()
    for article in track(articles, description="Scoring PolNeAR", console=console):
        try:
            pred = predict(article)
        except Exception as error:  # one bad article must not sink the benchmark; it is counted and shown
            scores.failed += 1
            console.print(f"[red]{article.stem}: {type(error).__name__}: {error}")
            pred = []
        score_article(article, pred, segment, scores)
    return scores


def pct(value: float) -> str:
    return f"{100 * value:.1f}"


def result_rows(scores: Scores) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The three result tables as plain strings, shared by the console and the docs page."""
    cofenet = [
        [
            role,
            pct(scores.exact["paragraph", role].precision),
            pct(scores.exact["paragraph", role].recall),
            pct(scores.exact["paragraph", role].f1),
            pct(scores.begin["paragraph", role].f1),
            pct(scores.jaccard["paragraph", role].value),
            pct(scores.exact["sentence", role].f1),
            pct(scores.begin["sentence", role].f1),
            f"{COFENET_TEST[role][0]} / {COFENET_TEST[role][1]}",
        ]
        for role in ROLES
    ]
    cofenet_headers = ["role", "P", "R", "F1", "begin F1", "Jaccard", "F1 sent.", "begin sent.", "test anchor"]

    def prf_row(name: str, prf: PRF, anchor: str) -> list[str]:
        gold, pred = prf.tp + prf.fn, prf.tp + prf.fp
        return [name, str(gold), str(pred), str(prf.tp), pct(prf.precision), pct(prf.recall), pct(prf.f1), anchor]

    overall = [prf_row("relation", scores.relation, "–")]
    for subset in ("all", "quoted"):
        for threshold, anchor in GGT_QUOTE_F1.items():
            overall.append(
                prf_row(f"quote >{threshold:.0%} ({subset})", scores.quotes[subset, threshold], f"{anchor} GGT")
            )
    for span_kind in ("one sentence", "several sentences"):
        prf = scores.recall_by_sentences[span_kind]
        overall.append([f"relation recall, content in {span_kind}", str(prf.tp + prf.fn), "–", str(prf.tp), "–",
                        pct(prf.recall), "–", "–"])
    overall_headers = ["metric", "gold", "predicted", "matched", "P", "R", "F1", "anchor"]
    publishers = [prf_row(name, prf, "")[:-1] for name, prf in sorted(scores.by_publisher.items())]
    publisher_headers = ["publisher", "gold", "predicted", "matched", "P", "R", "relation F1"]
    return {
        "CofeNet protocol, exact match per role (instances: paragraphs; sent.: sentences)": (
            cofenet_headers,
            cofenet,
        ),
        "Relations and quotes": (overall_headers, overall),
        "Relation F1 per publisher": (publisher_headers, publishers),
    }


def print_tables(tables: dict[str, tuple[list[str], list[list[str]]]], console: Console) -> None:
    for title, (headers, rows) in tables.items():
        table = Table(title=title)
        for i, header in enumerate(headers):
            table.add_column(header, justify="left" if i == 0 else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)


METHOD = """\
Gold: PolNeAR {split} split ({articles} articles, {gold} attributions; one annotator per article, the
alphabetically first `.ann` file; `Discuss`/`Discard` flags and events without cue or content ignored).
Tokens: spaCy `blank("en")` tokenizer (whitespace tokens dropped); a character span covers every token it
shares a character with. Predictions: `sourcetrace.Pipeline().analyze(text).attributions`.

* **CofeNet protocol** (as in `exe/eval/evaluation.py` of github.com/cofe-ai/CofeNet). Each role is scored on
  its own, inside instances: CofeNet's released PolNeAR files hold one *paragraph* (text line) per instance,
  so paragraphs are the main unit; the *sentence* columns cut paragraphs further with spaCy's rule-based
  `sentencizer`. Spans that cross an instance boundary are cut into pieces, discontinuous spans count piece
  by piece, and identical spans of one role collapse (as BIO tags would). *Exact*: a predicted span counts
  when its first and last tokens equal a gold span's. *Begin*: only first tokens are compared. *Jaccard*:
  CofeNet's score, Σ over gold spans of the best token-range overlap (intersection / hull) with a predicted
  span, divided by (gold spans + predicted spans that overlap no gold span). Micro-averaged over the split.
  CofeNet derives spans from BIO tags, so nested predictions cannot exist there; here a nested prediction
  stays a separate span and costs precision, as it would against PolNeAR's non-nested gold.
* **Relation F1**: a prediction matches a gold attribution when content token-Jaccard ≥ 0.5, the cues share
  a character, and the sources share a character (or both are absent; a predicted source whose resolved
  entity has any mention overlapping the gold source also counts). One-to-one, greedy by content Jaccard.
* **Quote F1** as the Gender Gap Tracker computes it (`NLP/evaluation/src/eval/evaluate_quotes.py` of
  github.com/sfu-discourse-lab/GenderGapTracker): gold contents are taken in document order; each is matched to the
  remaining prediction with the highest character coverage |gold ∩ pred| / |gold|, if that is strictly
  above 0.3 (resp. 0.8); unmatched predictions are false positives. The score is asymmetric, as in GGT: a
  prediction longer than the gold content is not penalised except through the one-to-one pairing. The
  "quotation marks" rows keep only gold and predicted contents whose text contains `"`, `“` or `”`.

Anchors are not like-for-like. "test anchor" is exact F1 on the PolNeAR *test* split as published by CofeNet
(CofeNet / its rule baseline), with CoreNLP tokens; the GGT figures are on GGT's own annotated Canadian news,
where "quote" means speech only, whereas PolNeAR also counts beliefs, intentions and feelings.
"""


def docs_body(args: argparse.Namespace, scores: Scores, articles: int, tables: dict) -> str:
    command = f"python benchmarks/polnear_accuracy.py --split {args.split} --extractor {args.extractor}"
    if args.extractor == "rules":
        title = "## PolNeAR accuracy, rules only (the extractor before the learned tagger)"
        method = "Same protocol as above; `Pipeline(learned_attribution=False)`."
    else:
        title = "## PolNeAR accuracy (shipped pipeline: rules + learned tagger)"
        method = METHOD.format(split=args.split, articles=articles, gold=scores.gold)
    parts = [
        title,
        f"`{command}` — {today()}, sourcetrace commit `{git_commit()}`. "
        f"{scores.predicted} predicted attributions, {scores.failed} articles failed.",
        method,
    ]
    for title, (headers, rows) in tables.items():
        parts += [f"### {title}", markdown_table(headers, rows)]
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="PolNeAR data folder")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N articles")
    parser.add_argument("--extractor", default="sourcetrace", choices=["sourcetrace", "rules", "gold", "perturbed"],
                        help="sourcetrace: the shipped pipeline (rules + learned tagger); rules: rules only")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)

    console = Console()
    try:
        articles = load_split(args.data, args.split, args.limit)
    except DataMissing as error:
        console.print(f"[red]error:[/] {error}")
        return 2
    predictors: dict[str, Callable[[], Predictor]] = {
        "sourcetrace": sourcetrace_predictor,
        "rules": lambda: sourcetrace_predictor(learned=False),
        "gold": lambda: predict_gold,
        "perturbed": lambda: predict_perturbed,
    }
    scores = evaluate(articles, predictors[args.extractor](), console)
    console.print(
        f"{args.split}: {len(articles)} articles, {scores.gold} gold attributions, "
        f"{scores.predicted} predicted ({args.extractor}), {scores.failed} failed"
    )
    tables = result_rows(scores)
    print_tables(tables, console)
    if args.extractor in ("sourcetrace", "rules") and args.limit is None and not args.no_docs:
        section = "polnear-accuracy" if args.extractor == "sourcetrace" else "polnear-accuracy-rules"
        write_section(section, docs_body(args, scores, len(articles), tables))
        console.print(f"Wrote the {section} section of docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
