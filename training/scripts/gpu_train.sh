#!/usr/bin/env bash
# Fine-tune the `small` model on one GPU from the training pack alone, within a fixed time, continuing
# from the committed fine-tuning candidate models/iris-small-finetune (else the shipped model; or
# GPU_TRAIN_INIT) with the episode mix of configs/finetune.yaml, and leave
# the weights (model.pt, <= 16 MiB per file) plus logs (log.csv, kind_loss.csv), summary and memory bank in $OUT.
#
#   training/scripts/gpu_train.sh                  # on the GPU machine, from the repository root
#   GPU_TRAIN_MINUTES=0.3 GPU_TRAIN_DEVICE=cpu OUT=/tmp/out training/scripts/gpu_train.sh   # dry run here
#
# Needs: training/pack/ (build it with `python -m irisseg.data.pack`; carry it to the machine),
# PyTorch with CUDA, NumPy, PyYAML (a pure-Python copy is picked up from .venv when missing).
# No nibabel, no shared data: episodes come from the pack and from synthetic tasks.
# Files above 16 MiB are split into 15 MiB parts (join: cat model.pt.part* > model.pt).
# Environment: OUT (default training/runs/gpu-out), GPU_TRAIN_MINUTES (training budget, default 7.5:
# the whole script stays under 9 minutes), GPU_TRAIN_DEVICE (default cuda), GPU_TRAIN_INIT (optional
# model.pt or exported model directory to start from, e.g. a carried runs/<run>/model.pt of the
# fine-tuning in progress; default: models/iris-small-finetune when present, else models/iris-small),
# GPU_TRAIN_CONFIG (default configs/finetune.yaml), GPU_TRAIN_SET (extra "--set" overrides, space separated), GPU_TRAIN_KEEP_LAST=1
# (also return last.pt, to resume the run elsewhere).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TRAINING="$REPO/training"
OUT="${OUT:-$TRAINING/runs/gpu-out}"
MINUTES="${GPU_TRAIN_MINUTES:-7.5}"
DEVICE="${GPU_TRAIN_DEVICE:-cuda}"
PYTHON="${PYTHON:-python3}"
RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/iris-gpu-run.XXXXXX")"
mkdir -p "$OUT"
cd "$TRAINING"

if [ ! -f pack/index.json ]; then
  echo "no training pack at $TRAINING/pack (index.json missing)" >&2
  exit 2
fi

# PyYAML is pure Python: fall back to the copy in the repository's virtual environment when absent.
if ! "$PYTHON" -c "import yaml" 2>/dev/null; then
  shim="$(mktemp -d)"
  for candidate in "$REPO"/.venv/lib/python3*/site-packages/yaml; do
    [ -d "$candidate" ] && ln -s "$candidate" "$shim/yaml" && break
  done
  export PYTHONPATH="$shim${PYTHONPATH:+:$PYTHONPATH}"
  "$PYTHON" -c "import yaml" || { echo "PyYAML missing: carry .venv/lib/python3.11/site-packages/yaml" >&2; exit 2; }
fi
export PYTHONPATH="$TRAINING${PYTHONPATH:+:$PYTHONPATH}"

"$PYTHON" - "$DEVICE" <<'PY'
import sys, torch
device = sys.argv[1]
print(f"torch {torch.__version__}, cuda available: {torch.cuda.is_available()}", flush=True)
if device == "cuda":
    if not torch.cuda.is_available():
        sys.exit("GPU_TRAIN_DEVICE=cuda but no CUDA device")
    print(torch.cuda.get_device_name(0), flush=True)
PY

WORKERS="$("$PYTHON" -c "import os; print(max(1, min(12, (os.cpu_count() or 2) - 2)))")"
DEFAULT_INIT="$REPO/models/iris-small"
[ -f "$REPO/models/iris-small-finetune/model.json" ] && DEFAULT_INIT="$REPO/models/iris-small-finetune"
INIT=(--init-weights "${GPU_TRAIN_INIT:-$DEFAULT_INIT}")
CONFIG="${GPU_TRAIN_CONFIG:-configs/finetune.yaml}"
# shellcheck disable=SC2206
EXTRA=(${GPU_TRAIN_SET:-})
SETS=()
for s in "${EXTRA[@]}"; do SETS+=(--set "$s"); done

status=0
"$PYTHON" -m irisseg.train --config "$CONFIG" --pack pack --run-dir "$RUN_DIR" --device "$DEVICE" \
  --max-minutes "$MINUTES" --fit-to-time --no-progress \
  --set train.batch_size=8 --set train.warmup=100 --set train.iterations=20000 \
  --set train.checkpoint_every=250 --set train.log_every=25 --set train.num_workers="$WORKERS" \
  --set train.threads=4 --set train.amp=true \
  "${INIT[@]}" "${SETS[@]}" || status=$?

# last.pt (optimiser state, several times the weights' size) is kept only with GPU_TRAIN_KEEP_LAST=1.
files=(model.pt memory_bank.pt log.csv kind_loss.csv summary.json config.json)
[ "${GPU_TRAIN_KEEP_LAST:-0}" = 1 ] && files+=(last.pt)
for f in "${files[@]}"; do
  [ -f "$RUN_DIR/$f" ] && cp "$RUN_DIR/$f" "$OUT/"
done
# Files above 16 MiB travel as numbered 15 MiB parts; join them with: cat model.pt.part* > model.pt
limit=$((16 * 1024 * 1024))
for f in "$OUT"/*; do
  if [ "$(stat -c %s "$f")" -gt "$limit" ]; then
    split -b 15M -d -a 2 "$f" "$f.part"
    rm "$f"
    echo "$(basename "$f") split into $(ls "$f".part* | wc -l) parts: cat $(basename "$f").part* > $(basename "$f")" >&2
  fi
done
ls -l "$OUT"
[ -f "$OUT/summary.json" ] && cat "$OUT/summary.json"
exit $status
