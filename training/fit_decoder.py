"""Fit the attribution tagger's decoder: a linear-chain CRF over the tagger's per-word tag distributions.

Run in the project venv from the repository root, once the tagger it decodes is in place::

    python training/fit_decoder.py      # for the shipped tagger, into src/sourcetrace/resources/models/
    python training/fit_decoder.py --model ../train-out/x/attribution-tagger-int8.onnx --out ../train-out/x/dec.json

The tagger reads every PolNeAR *train* article (sentences from the harness' sentencizer, as in eval_dev.py); the
CRF (``sourcetrace.article.attribution_model.TagDecoder``: emissions linear in the log-probabilities of each word and
its neighbours, learned transitions) is fitted to the gold BIO tags by minibatch Adam on the exact CRF likelihood,
computed with numpy (no torch). Seeded and deterministic on one machine; about 1.5 minutes of tagging and 0.5 of
fitting on 2 CPU cores. Dev is not read: score the result with ``eval_dev.py --decoder``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import numpy as np  # noqa: E402
from polnear_accuracy import DEFAULT_DATA, Segmenter  # noqa: E402
from polnear_data import load_split, word_labels  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import track  # noqa: E402

from sourcetrace.article import attribution_model as am  # noqa: E402

MODELS = REPO / "src" / "sourcetrace" / "resources" / "models"


def valid_tags(tags: list[int]) -> list[int]:
    """Gold tags with an ``I-X`` that follows neither ``B-X`` nor ``I-X`` (where pieces of two roles overlap)
    read as ``B-X``, so that every gold sequence is one the decoder can produce."""
    out: list[int] = []
    for tag in tags:
        inside = am.LABELS[tag].startswith("I-")
        out.append(tag - 1 if inside and (not out or out[-1] not in (tag - 1, tag)) else tag)
    return out


def nll_and_gradients(decoder: am.TagDecoder, x: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """Negative log-likelihood of the gold tags ``y`` given the features ``x``, and its gradients with respect to
    the decoder's weights, by a forward-backward pass scaled at every word."""
    emissions, transitions, start = decoder.scores(x)
    step = np.exp(transitions)  # forbidden transitions (-1e9) become 0
    n = len(y)
    emissions = emissions.copy()
    emissions[0] += start
    shift = emissions.max(1, keepdims=True)
    weights = np.exp(emissions - shift)
    alpha, beta, norm = np.empty_like(weights), np.ones_like(weights), np.empty(n)
    alpha[0], norm[0] = weights[0] / weights[0].sum(), weights[0].sum()
    for i in range(1, n):
        alpha[i] = (alpha[i - 1] @ step) * weights[i]
        norm[i] = alpha[i].sum()
        alpha[i] /= norm[i]
    for i in range(n - 2, -1, -1):
        beta[i] = step @ (weights[i + 1] * beta[i + 1]) / norm[i + 1]
    log_z = float(np.log(norm).sum() + shift.sum())
    gold = float(emissions[np.arange(n), y].sum() + transitions[y[:-1], y[1:]].sum())
    marginals = alpha * beta
    expected_pairs = np.einsum("ia,ab,ib->ab", alpha[:-1], step, weights[1:] * beta[1:] / norm[1:, None])
    observed_pairs = np.zeros_like(expected_pairs)
    np.add.at(observed_pairs, (y[:-1], y[1:]), 1.0)
    d_start = marginals[0].copy()
    d_start[y[0]] -= 1.0
    d_emissions = marginals
    d_emissions[np.arange(n), y] -= 1.0
    grads = {
        "weight": d_emissions.T @ x,
        "bias": d_emissions.sum(0),
        "transitions": np.where(step > 0, expected_pairs - observed_pairs, 0.0),
        "start": d_start,
    }
    return log_z - gold, grads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", type=Path, default=None, help="an .onnx tagger instead of the shipped one")
    parser.add_argument("--out", type=Path, default=MODELS / am.DECODER_FILE)
    parser.add_argument("--context", type=int, default=2, help="neighbouring words on each side")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--batch", type=int, default=8, help="articles per update")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()

    console = Console()
    t0 = time.perf_counter()
    model_path = (args.model or MODELS / am.MODEL_FILE).resolve()
    am.MODEL_FILE = str(model_path)  # absolute path: joinpath() keeps it as is
    articles = load_split(args.data, "train", args.limit)
    segment = Segmenter()
    decoder = replace(am.TagDecoder.plain(), context=args.context)  # only its features() is used here
    features, gold = [], []
    for article in track(articles, description="tagging PolNeAR train", console=console):
        _, _, units = segment(article.text)
        words, probs = am._model().word_probs(article.text, units["sentence"])
        if len(words):
            features.append(decoder.features(probs))
            gold.append(np.array(valid_tags(word_labels(article, words))))
    tagged_s = time.perf_counter() - t0

    n_labels = len(am.LABELS)
    params = {
        "weight": np.zeros((n_labels, n_labels * (2 * args.context + 1))),
        "bias": np.zeros(n_labels),
        "transitions": np.zeros((n_labels, n_labels)),
        "start": np.zeros(n_labels),
    }
    params["weight"][:, args.context * n_labels : (args.context + 1) * n_labels] = np.eye(n_labels)  # = plain
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    by_length = sorted(range(len(gold)), key=lambda i: len(gold[i]))
    batches = [by_length[b : b + args.batch] for b in range(0, len(by_length), args.batch)]
    total_steps, step = args.epochs * len(batches), 0
    rng = np.random.default_rng(args.seed)
    for epoch in range(args.epochs):
        loss_sum = words_seen = 0.0
        for b in rng.permutation(len(batches)):
            batch = batches[b]
            n_words = sum(len(gold[i]) for i in batch)
            grads = {k: np.zeros_like(v) for k, v in params.items()}
            current = am.TagDecoder(**params, context=args.context)
            for i in batch:
                loss, article_grads = nll_and_gradients(current, features[i], gold[i])
                loss_sum += loss
                for k in grads:
                    grads[k] += article_grads[k]
            words_seen += n_words
            step += 1
            lr = args.lr * (1 - (step - 1) / total_steps)
            for k, g in grads.items():  # Adam on the per-word mean
                g = g / n_words
                m, v = moments[k]
                m[:] = 0.9 * m + 0.1 * g
                v[:] = 0.999 * v + 0.001 * g * g
                params[k] -= lr * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        console.print(f"epoch {epoch + 1}: train NLL per word {loss_sum / words_seen:.4f}")

    sha = hashlib.sha256(model_path.read_bytes()).hexdigest()
    result = {
        "labels": list(am.LABELS),
        "context": args.context,
        **{k: np.round(v, 6).tolist() for k, v in params.items()},
        "tagger_sha256": sha,
        "fitted_on": f"PolNeAR train, {len(gold)} articles, {sum(map(len, gold))} words (fit_decoder.py)",
        "seed": args.seed,
        "epochs": args.epochs,
        "lr": args.lr,
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    console.print(
        f"seed {args.seed}: {len(gold)} articles tagged in {tagged_s / 60:.1f} min, decoder fitted in "
        f"{(time.perf_counter() - t0 - tagged_s) / 60:.1f} min; tagger {model_path.name} (SHA-256 {sha[:12]}…) "
        f"→ {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
