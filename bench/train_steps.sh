#!/usr/bin/env bash
# Training throughput of a recipe: runs it for a fixed number of steps (data sampling included,
# evaluation excluded from steps/s) at each OpenBLAS thread count and prints JSON lines.
# usage: bench/train_steps.sh [RECIPE] [STEPS] [THREADS...]
set -euo pipefail
cd "$(dirname "$0")/.."
recipe=${1:-recipes/paper/table3-default.toml}
steps=${2:-300}
shift $(( $# > 2 ? 2 : $# )) || true
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 2)
out=$(mktemp -d)
for t in "${threads[@]}"; do
  build/bin/idlab run "$recipe" train.steps="$steps" train.eval_every="$steps" run.threads="$t" \
    --out "$out/t$t" >/dev/null 2>&1
  sps=$(grep -o '"steps_per_second": [0-9.e+-]*' "$out/t$t/summary.json" | cut -d' ' -f2)
  echo "{\"recipe\": \"$recipe\", \"steps\": $steps, \"threads\": $t, \"steps_per_second\": $sps}"
done
rm -rf "$out"
