"""Train the lexical layers of the stance model and write the cross-encoder's inputs (FNC-1 development split).

Step 1 of the stance model (the encoder is step 2, ``training/train_stance_encoder.py``, in the training venv):

* the idf table (content words of the training bodies, document frequency ≥ 2), the word lists below;
* the related/unrelated logistic regression over ``stance.related_features`` (all training-body pairs);
* the fallback agree/disagree/discuss logistic regression over ``stance.stance_features`` (related pairs,
  class-weighted), used only when the encoder file is absent;

written to ``--out`` (default: the package's ``stance-lexical.json.gz``). With ``--encoder-data DIR`` it also
writes the encoder's inputs, WordPiece ids built by the package's own ``stance.encoder_input`` so that training
and inference read exactly the same text: ``DIR/train.jsonl`` (related training pairs) and ``DIR/dev.jsonl``
(related hold-out pairs). ``--seen-topics`` trains on the seen topics only (the unseen-topic evaluation).

    python training/train_stance.py --encoder-data ../train-out/stance
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import numpy as np  # noqa: E402
from fnc1_data import DEFAULT_DATA, Pair, load  # noqa: E402

from sourcetrace.claims import stance as st  # noqa: E402

# The word lists, with their sources: a data file next to this script.
WORDS = json.loads((Path(__file__).resolve().parent / "stance_words.json").read_text(encoding="utf-8"))
STOPWORDS, REFUTING, HEDGING = (sorted(set(WORDS[k])) for k in ("stopwords", "refuting", "hedging"))
MIN_DF = 2


def fit_logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray, classes: int, l2: float = 1e-3,
                 steps: int = 3000, lr: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted multinomial (or binary, classes=1 → sigmoid) logistic regression by full-batch gradient descent
    with momentum on standardised features; returns mean, scale and weights (one row per class, bias last)."""
    mean, scale = x.mean(0), x.std(0) + 1e-6
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros((max(classes, 1), z.shape[1]))
    velocity = np.zeros_like(w)
    total = weights.sum()
    for _ in range(steps):
        logits = z @ w.T
        if classes == 1:
            p = 1 / (1 + np.exp(-logits[:, 0]))
            grad = (((p - y) * weights)[:, None] * z).sum(0, keepdims=True) / total
        else:
            p = np.exp(logits - logits.max(1, keepdims=True))
            p /= p.sum(1, keepdims=True)
            onehot = np.eye(classes)[y]
            grad = ((p - onehot) * weights[:, None]).T @ z / total
        grad[:, :-1] += l2 * w[:, :-1]
        velocity = 0.9 * velocity + grad
        w -= lr * velocity
    return mean, scale, w


def build_idf(bodies: list[str]) -> tuple[dict[str, float], float]:
    df: dict[str, int] = {}
    for body in bodies:
        for word in set(st.tokens(body)):
            df[word] = df.get(word, 0) + 1
    n = len(bodies)
    idf = {w: round(math.log((n + 1) / (c + 1)) + 1, 3) for w, c in df.items() if c >= MIN_DF and w not in STOPWORDS}
    return idf, round(math.log((n + 1) / 1) + 1, 3)


def lexical(idf: dict[str, float], default_idf: float) -> st.Lexical:
    return st.Lexical(idf, default_idf, frozenset(STOPWORDS), frozenset(REFUTING), frozenset(HEDGING),
                      [], [], [], [], [], [])


def pair_texts(lex: st.Lexical, bodies: dict[str, str], pairs: list[Pair]) -> list[st.PairText]:
    cache: dict[str, tuple[list[tuple[int, int]], list[list[str]]]] = {}
    out = []
    for p in pairs:
        if p.body_id not in cache:
            cache[p.body_id] = st.read_body(lex, bodies[p.body_id])
        out.append(st.read_pair(lex, p.headline, bodies[p.body_id], cache[p.body_id]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=REPO / "src/sourcetrace/resources/models" / st.LEXICAL_FILE)
    parser.add_argument("--encoder-data", type=Path, help="also write the encoder's inputs (train/dev jsonl) here")
    parser.add_argument("--seen-topics", action="store_true", help="train on the seen topics only")
    args = parser.parse_args()
    started = time.time()
    data = load(args.data)
    train = data.train_seen if args.seen_topics else data.train
    train_bodies = sorted({p.body_id for p in train})
    idf, default_idf = build_idf([data.bodies[b] for b in train_bodies])
    lex = lexical(idf, default_idf)
    texts = pair_texts(lex, data.bodies, train)
    print(f"{len(train)} training pairs, {len(train_bodies)} bodies, {len(idf)} words; read in "
          f"{time.time() - started:.0f} s")

    x = np.array([st.related_features(lex, t) for t in texts])
    y = np.array([p.label != "unrelated" for p in train], dtype=float)
    r_mean, r_scale, r_w = fit_logistic(x, y, np.ones(len(y)), classes=1)

    related = [i for i, p in enumerate(train) if p.label != "unrelated"]
    chosen = {i: st.choose_sentences(texts[i]) for i in related}
    xs = np.array([st.stance_features(lex, texts[i], chosen[i]) for i in related])
    ys = np.array([st.RELATED_LABELS.index(train[i].label) for i in related])  # type: ignore[arg-type]
    counts = np.bincount(ys, minlength=3)
    class_weight = counts.sum() / (3 * counts)
    s_mean, s_scale, s_w = fit_logistic(xs, ys, class_weight[ys], classes=3)

    model = {
        "about": "sourcetrace stance model, lexical layers; trained by training/train_stance.py on the FNC-1 "
                 "development split's training bodies" + (" (seen topics only)" if args.seen_topics else "")
                 + "; idf from those bodies; word lists written for this model (refuting: after the FNC-1 "
                 "baseline's list, Apache-2.0)",
        "idf": idf, "default_idf": default_idf, "stopwords": STOPWORDS, "refuting": REFUTING, "hedging": HEDGING,
        "related": {"mean": r_mean.round(6).tolist(), "scale": r_scale.round(6).tolist(),
                    "weights": r_w[0].round(6).tolist()},
        "stance": {"mean": s_mean.round(6).tolist(), "scale": s_scale.round(6).tolist(),
                   "weights": s_w.round(6).tolist()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(gzip.compress(json.dumps(model, ensure_ascii=False, sort_keys=True).encode(), mtime=0))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.time() - started:.0f} s")

    if args.encoder_data:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(REPO / "src/sourcetrace/resources/models" / st.TOKENIZER_FILE))
        tok.no_truncation()
        tok.no_padding()
        args.encoder_data.mkdir(parents=True, exist_ok=True)
        for name, pairs in (("train", train), ("dev", data.hold_out)):
            rel = [p for p in pairs if p.label != "unrelated"]
            with (args.encoder_data / f"{name}.jsonl").open("w", encoding="utf-8") as f:
                for p, t in zip(rel, pair_texts(lex, data.bodies, rel), strict=True):
                    ids, types = st.encoder_input(tok, t, st.choose_sentences(t))
                    f.write(json.dumps({"ids": ids, "types": types, "label": st.RELATED_LABELS.index(p.label),  # type: ignore[arg-type]
                                        "unseen": p.unseen_topic}) + "\n")
            print(f"wrote {args.encoder_data / (name + '.jsonl')}: {len(rel)} related pairs")


if __name__ == "__main__":
    main()
