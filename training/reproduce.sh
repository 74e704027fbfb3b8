#!/usr/bin/env bash
# Rebuild the shipped attribution tagger from PolNeAR train (and unlabelled news tagged by a teacher), then score
# it on dev through the project's harness.
#
#   TRAIN_PYTHON=/work/train-venv/bin/python [DEVICE=cuda] bash training/reproduce.sh [../shared/data/polnear]
#
# TRAIN_PYTHON: a Python with the training environment of training/README.md (torch 2.13.0 CPU, transformers, the
# MPNet wheels); PYTHON: the project's environment (for the dev scores; default: python); DEVICE: where the MiniLM
# stages train (default cpu; cuda where a GPU is lent: same recipe, numbers differ by noise). Outputs go to
# ../train-out/ (outside the repository); the final int8 model is copied into src/sourcetrace/resources/models/.
# Every stage prints its seed, step times, per-epoch dev proxy scores and minutes. On 2 CPU cores: stages 1-5
# about 115 minutes, the teacher 83, tagging the transfer texts about 30, the final student about 4 hours (2.5
# minutes on an H200), the decoder 2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data/polnear}
TRAIN_PYTHON=${TRAIN_PYTHON:-python}
PYTHON=${PYTHON:-python}
OUT=../train-out
train() { "$TRAIN_PYTHON" training/train_attribution.py --data "$DATA" --seed 13 --device "${DEVICE:-cpu}" "$@"; }

train --epochs 3 --lr 5e-5 --out "$OUT/stage1"                                   # MiniLM-L6 → 6-layer tagger
train --epochs 2 --lr 3e-5 --init "$OUT/stage1/tagger.pt" --out "$OUT/stage2"   # continued, fresh schedule
train --epochs 2 --lr 2e-5 --init "$OUT/stage2/tagger.pt" --out "$OUT/stage3"   # continued, fresh schedule
train --epochs 3 --lr 5e-5 --init "$OUT/stage3/tagger.pt" --teacher "$OUT/stage3/tagger.pt" --layers 4 \
    --out "$OUT/student"                                                            # bottom 4 layers, distilled
train --epochs 2 --lr 3e-5 --init "$OUT/student/tagger.pt" --teacher "$OUT/stage3/tagger.pt" --layers 4 \
    --out "$OUT/student2"                                                           # continued, fresh schedule

"$PYTHON" training/eval_dev.py --split dev --model "$OUT/student2/attribution-tagger-int8.onnx"   # the 2026-11-25 model

# the MPNet-base teacher (CPU, bf16), its tags on 5,782 unlabelled texts, and the student distilled on both
"$TRAIN_PYTHON" training/train_teacher_mpnet.py --data "$DATA" --seed 13 --out "$OUT/teacher-mpnet"
"$TRAIN_PYTHON" training/transfer_texts.py --data "$(dirname "$DATA")" --out "$OUT/transfer.jsonl"
"$TRAIN_PYTHON" training/train_teacher_mpnet.py --data "$DATA" --label-texts "$OUT/transfer.jsonl" --out "$OUT/teacher-mpnet"
PYTHON=$TRAIN_PYTHON DATA=$DATA OUT=$OUT bash training/distil_students.sh transfer-10ep

cp "$OUT/transfer-10ep/attribution-tagger-int8.onnx" "$OUT/transfer-10ep/tokenizer.json" src/sourcetrace/resources/models/
"$PYTHON" training/eval_dev.py --split dev --decoder plain   # the tagger, decoded by its own distributions
"$PYTHON" training/fit_decoder.py --data "$DATA"               # its CRF decoder, fitted on PolNeAR train (~2 min)
"$PYTHON" training/eval_dev.py --split dev                   # the tagger + the decoder, as shipped
