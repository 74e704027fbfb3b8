#!/usr/bin/env bash
# Rebuild the shipped attribution tagger from PolNeAR train, then score it on dev through the project's harness.
#
#   TRAIN_PYTHON=/work/train-venv/bin/python bash training/reproduce.sh [../shared/data/polnear]
#
# TRAIN_PYTHON: a Python with the training environment of training/README.md (torch 2.13.0 CPU, transformers);
# PYTHON: the project's environment (for the dev scores; default: python). Outputs go to ../train-out/ (outside
# the repository); the final int8 model and tokenizer are copied into src/sourcetrace/resources/models/.
# Every stage prints its seed, step times, per-epoch dev proxy scores and minutes; about 115 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data/polnear}
TRAIN_PYTHON=${TRAIN_PYTHON:-python}
PYTHON=${PYTHON:-python}
OUT=../train-out
train() { "$TRAIN_PYTHON" training/train_attribution.py --data "$DATA" --seed 13 "$@"; }

train --epochs 3 --lr 5e-5 --out "$OUT/stage1"                                   # MiniLM-L6 → 6-layer tagger
train --epochs 2 --lr 3e-5 --init "$OUT/stage1/tagger.pt" --out "$OUT/stage2"   # continued, fresh schedule
train --epochs 2 --lr 2e-5 --init "$OUT/stage2/tagger.pt" --out "$OUT/stage3"   # continued, fresh schedule
train --epochs 3 --lr 5e-5 --init "$OUT/stage3/tagger.pt" --teacher "$OUT/stage3/tagger.pt" --layers 4 \
    --out "$OUT/student"                                                            # bottom 4 layers, distilled
train --epochs 2 --lr 3e-5 --init "$OUT/student/tagger.pt" --teacher "$OUT/stage3/tagger.pt" --layers 4 \
    --out "$OUT/student2"                                                           # continued, fresh schedule

cp "$OUT/student2/attribution-tagger-int8.onnx" "$OUT/student2/tokenizer.json" src/sourcetrace/resources/models/
"$PYTHON" training/eval_dev.py --split dev
