#!/usr/bin/env bash
# Students distilled from the MPNet-base teacher, with and without the teacher-tagged transfer texts: the runs of
# training/README.md "Distilling on unlabelled news". Each starts from the shipped 4-layer student.
#
#   PACK=/tmp/pack DEVICE=cuda OUT=../train-out bash training/gpu_students.sh [RUN...]
#
# PACK holds polnear/{train,dev}, minilm/{config.json,tokenizer.json}, teacher-probs.npz, transfer.jsonl and
# transfer-probs.npz (train_teacher_mpnet.py, transfer_texts.py). DEVICE=cpu gives the same recipe on a CPU
# (hours instead of minutes). RUN: some of the run names below (default: all); LIMIT=N trains on the first N
# articles and texts, for a quick check of the whole chain.
set -euo pipefail
cd "$(dirname "$0")/.."
PACK=${PACK:?PACK folder}
OUT=${OUT:-../train-out}
PYTHON=${PYTHON:-python3}
common=(--data "$PACK/polnear" --base "$PACK/minilm" --seed 13 --layers 4 --lr 5e-5 --distil 0.9
    --init src/sourcetrace/resources/models/attribution-tagger-int8.onnx --teacher-probs "$PACK/teacher-probs.npz"
    --device "${DEVICE:-cuda}" ${LIMIT:+--limit "$LIMIT"})
transfer=(--transfer "$PACK/transfer.jsonl" "$PACK/transfer-probs.npz")
declare -A runs=(
    [gpu-transfer-3ep]="--epochs 3 ${transfer[*]}"   # + 5,782 teacher-tagged texts
    [gpu-polnear-6ep]="--epochs 6"                    # control: PolNeAR only (gold + teacher), as long
    [gpu-transfer-6ep]="--epochs 6 ${transfer[*]}"
    [gpu-transfer-6ep-seed14]="--epochs 6 ${transfer[*]} --seed 14"   # the same with another seed: noise
    [gpu-transfer-10ep]="--epochs 10 ${transfer[*]}"
    [gpu-transfer-6ep-d05]="--epochs 6 ${transfer[*]} --distil 0.5"
)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(gpu-transfer-3ep gpu-polnear-6ep gpu-transfer-6ep)
mkdir -p "$OUT"
for name in "${names[@]}"; do
    # shellcheck disable=SC2086  # the run's options are split on purpose
    "$PYTHON" training/train_attribution.py "${common[@]}" ${runs[$name]} --out "$OUT/$name" 2>&1 | tee "$OUT/$name.log"
done
