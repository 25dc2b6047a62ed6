#!/usr/bin/env bash
# Fresh training runs are bit-identical however often the Java garbage collector runs
# (docs/reliability.md, "Gradients and garbage collection"). Two checks, about 10 minutes on 2 cores:
#
#  1. One reference run of text.charlm tiny (batch 8, 60 steps, one intra-op thread), then RUNS
#     fresh runs of the same command with a 4 MB young generation (a collection every few steps):
#     every logged value of every step must equal the reference's.
#  2. The wide model of issue 8 (dim 256, 4 layers, batch 16, 22 steps, prefetch on) WIDE_RUNS
#     times: every run must finish with finite losses and gradient norms, bit-identical to the
#     first. One intra-op thread here too: two OpenMP threads on a busy 2-core machine slow to
#     about 20 s a step, and only one thread makes runs comparable bit for bit.
#
# Usage: tools/reliability/gc_repeat.sh [OUT_DIR]
# Environment: RUNS (default 20), WIDE_RUNS (default 10), GC_OPTS (default -Xmn4m),
#              REPO (default: this checkout; point it at another clone to measure that one).
set -uo pipefail
REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
OUT=${1:-/tmp/axlearn-gc-repeat}
RUNS=${RUNS:-20}
WIDE_RUNS=${WIDE_RUNS:-10}
GC_OPTS=${GC_OPTS:--Xmn4m}
ONE_THREAD="-Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1"
rm -rf "$OUT" && mkdir -p "$OUT"

tiny=(train --module text.charlm --config tiny --set input.batchSize=8 --set summaryEveryNSteps=1
      --set 'evalers[validation].maxBatches=2' --set maxStep=60 --set checkpointer.everyNSteps.n=25)
wide=(train --module text.charlm --config tiny --set model.dim=256 --set model.decoder.numLayers=4
      --set input.batchSize=16 --set maxStep=22 --set summaryEveryNSteps=1)

# compare.py REFERENCE RUN: the first step whose logged values differ (throughput aside), or "same".
cat > "$OUT/compare.py" <<'PY'
import json, sys
def steps(d):
    with open(d + "/summaries/train/metrics.jsonl") as f:
        return [{k: v for k, v in json.loads(l).items() if k not in ("steps_per_second", "goodput")} for l in f if l.strip()]
ref, run = steps(sys.argv[1]), steps(sys.argv[2])
diff = [r["step"] for r, a in zip(ref, run) if r != a]
if len(ref) != len(run):
    print(f"{len(run)} steps logged, the reference has {len(ref)}")
elif diff:
    a = run[diff[0] - 1]
    print(f"{len(diff)} of {len(run)} steps differ from step {diff[0]}: gradient_norm {a.get('gradient_norm')}"
          f" (reference {ref[diff[0] - 1].get('gradient_norm')})")
else:
    print("same")
PY
# finite.py RUN: "finite" if every logged loss and gradient norm is a finite number.
cat > "$OUT/finite.py" <<'PY'
import json, math, sys
bad = []
for l in open(sys.argv[1] + "/summaries/train/metrics.jsonl"):
    j = json.loads(l)
    if any(not isinstance(j.get(k), (int, float)) or not math.isfinite(j[k]) for k in ("loss", "gradient_norm")):
        bad.append(j["step"])
print("finite" if not bad else f"non-finite at steps {bad}")
PY

echo "== $RUNS fresh tiny runs with '$GC_OPTS' against a reference run (one thread, 60 steps) in $REPO"
AXLEARN_JAVA_OPTS="$ONE_THREAD" "$REPO/axlearn" "${tiny[@]}" --trainer-dir "$OUT/tiny-ref" \
  > "$OUT/tiny-ref.log" 2>&1 || { echo "reference run failed: $OUT/tiny-ref.log"; exit 1; }
same=0
for i in $(seq 1 "$RUNS"); do
  d="$OUT/tiny-$i"
  AXLEARN_JAVA_OPTS="$ONE_THREAD $GC_OPTS" "$REPO/axlearn" "${tiny[@]}" --trainer-dir "$d" > "$d.log" 2>&1
  rc=$?
  result=$(python3 "$OUT/compare.py" "$OUT/tiny-ref" "$d" 2>&1 | tail -1)
  [ "$rc" = 0 ] && [ "$result" = same ] && same=$((same + 1))
  echo "tiny run $i: exit $rc, $result"
done
echo "tiny: $same of $RUNS runs bit-identical to the reference"

echo "== $WIDE_RUNS runs of the wide model (dim 256, 4 layers, batch 16, 22 steps, prefetch on)"
finished=0
for i in $(seq 1 "$WIDE_RUNS"); do
  d="$OUT/wide-$i"
  AXLEARN_JAVA_OPTS="$ONE_THREAD" "$REPO/axlearn" "${wide[@]}" --trainer-dir "$d" > "$d.log" 2>&1
  rc=$?
  result=$(python3 "$OUT/finite.py" "$d" 2>&1 | tail -1)
  [ "$i" = 1 ] || result="$result, $(python3 "$OUT/compare.py" "$OUT/wide-1" "$d" 2>&1 | tail -1)"
  case "$rc $result" in "0 finite" | "0 finite, same") finished=$((finished + 1)) ;; esac
  echo "wide run $i: exit $rc, $result$( [ "$rc" = 0 ] || echo ", $(grep -m1 error: "$d.log")")"
done
echo "wide: $finished of $WIDE_RUNS runs finished with finite values, bit-identical to run 1"
[ "$same" = "$RUNS" ] && [ "$finished" = "$WIDE_RUNS" ]
