#!/usr/bin/env bash
# Resident memory of a real text.charlm `tiny` run (its own batch, evals and checkpoints), sampled
# every few seconds beside the step the run has summarised. Prints "step rss_mb" lines and, at the
# end, the RSS at the last sample against the first sample at or after step 500.
#
#   tools/reliability/memory_tiny.sh [MAX_STEP (5000)] [DIR (/tmp/axlearn-memory)] [--set ...]
#
# The launcher's settings apply (GLIBC_TUNABLES etc.); set GLIBC_TUNABLES yourself to compare.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
MAX_STEP="${1:-5000}"; DIR="${2:-/tmp/axlearn-memory}"; shift $(( $# > 2 ? 2 : $# ))
rm -rf "$DIR"
"$ROOT/axlearn" train --module text.charlm --config tiny --trainer-dir "$DIR" \
  --set maxStep="$MAX_STEP" --set learner.optimizer.learningRate.maxStep="$MAX_STEP" \
  --set summaryEveryNSteps=10 "$@" > "$DIR.log" 2>&1 &
LAUNCHER=$!
PID=""
for _ in $(seq 1 600); do
  PID=$(pgrep -P "$LAUNCHER" java || true)
  [ -z "$PID" ] && PID=$(pgrep -f "axlearn.jar train .*$DIR" | head -1 || true)
  [ -n "$PID" ] && break
  sleep 1
done
[ -n "$PID" ] || { echo "no java process found; see $DIR.log" >&2; exit 1; }
OUT="$DIR.rss"
: > "$OUT"
while kill -0 "$PID" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$PID/status" 2>/dev/null || true)
  step=$(tail -n 1 "$DIR/summaries/train/metrics.jsonl" 2>/dev/null | sed -n 's/.*"step":\([0-9]*\).*/\1/p' || true)
  [ -n "$rss" ] && [ -n "$step" ] && echo "$step $rss" | tee -a "$OUT"
  sleep 5
done
wait "$LAUNCHER" || { echo "training failed; see $DIR.log" >&2; tail -3 "$DIR.log" >&2; exit 1; }
awk 'BEGIN {ref = -1} $1 >= 500 && ref < 0 {ref = $2; refstep = $1} {last = $2; laststep = $1}
     END {printf "rss at step %d: %d MB; at step %d: %d MB; change %+.1f%%\n", refstep, ref, laststep, last, 100 * (last - ref) / ref}' "$OUT"
