#!/usr/bin/env bash
# Side-by-side training-step time of an image classifier: axlearn-jvm (ResNetBenchmark) and
# PyTorch eager (resnet_step.py), alternated ROUNDS times in the same environment and threads.
#
#   tools/bench/compare_resnet.sh [resnet-tiny|resnet18] [batch] [steps] [rounds]
#
# Both use 2 intra-op threads. oneDNN: ours as the engine decides (capped at AVX only on an AMD CPU
# whose uncapped convolutions fail OnednnCheck's self-check), PyTorch uncapped; export
# ONEDNN_MAX_CPU_ISA to give both the same cap. Prints one line per run; docs/performance.md records
# them.
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=${1:-resnet-tiny}
BATCH=${2:-128}
STEPS=${3:-20}
ROUNDS=${4:-3}
source tools/bench/ensure_torch.sh
ensure_torch
for r in $(seq "$ROUNDS"); do
  ./axlearn run-class io.axlearn.examples.bench.ResNetBenchmark "$MODEL" "$BATCH" "$STEPS" 2>&1 | grep -E "^axlearn|^settings"
  /usr/bin/python3 tools/bench/resnet_step.py --model "$MODEL" --batch "$BATCH" --steps "$STEPS" --threads 2
done
