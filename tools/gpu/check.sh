#!/usr/bin/env bash
# End-to-end GPU check (docs/performance.md, "GPU"): trains a few charlm `tiny` steps on the CPU
# and on the GPU from the same seed and compares the training losses, which must be close (not
# bitwise: cuBLAS and MKL sum in different orders). Run it on a GPU machine set up as the doc says
# (CUDA natives or a system libtorch); it exits non-zero when the GPU run fails or the losses differ.
#
#   tools/gpu/check.sh [STEPS] [RELATIVE_TOLERANCE]      defaults: 20 and 0.02
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STEPS="${1:-20}"
TOL="${2:-0.02}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

run() {  # device
  "$ROOT/axlearn" train --module text.charlm --config tiny --trainer-dir "$WORK/$1" \
    --set device="$1" --set maxStep="$STEPS" --set summaryEveryNSteps=1 --set input.prefetch=0 \
    > "$WORK/$1.log" 2>&1 || { echo "gpu check: the $1 run failed:"; tail -n 5 "$WORK/$1.log"; exit 1; }
}

losses() {  # device -> one "step loss" line per summary of the train writer
  grep -h '"loss"' "$WORK/$1/summaries/train/metrics.jsonl" \
    | sed -E 's/.*"step": *([0-9]+).*"loss": *([-0-9.eE+]+).*/\1 \2/'
}

run cpu
run gpu
paste -d' ' <(losses cpu) <(losses gpu) | awk -v tol="$TOL" '
  { d = $2 - $4; if (d < 0) d = -d; r = d / ($2 > 0 ? $2 : 1); if (r > worst) worst = r;
    printf "step %s  cpu %.5f  gpu %.5f  rel.diff %.2e\n", $1, $2, $4, r; n++ }
  END { if (n == 0) { print "gpu check: no losses were written"; exit 1 }
        printf "worst relative difference %.2e over %d steps (tolerance %s)\n", worst, n, tol;
        exit (worst <= tol) ? 0 : 1 }'
