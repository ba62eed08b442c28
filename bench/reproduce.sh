#!/usr/bin/env bash
# Runs paper recipes for several seeds and collects their summaries (the runs behind
# docs/results.md). Jobs run J at a time, each with one OpenBLAS thread.
#
# usage: bench/reproduce.sh OUT_DIR STEPS "SEEDS" JOBS RECIPE...
#   STEPS  train.steps for every run ("paper" keeps each recipe's own count)
#   SEEDS  e.g. "0 1 2"
# Each run goes to OUT_DIR/<recipe name>/seed<S>/; rerunning skips runs with a summary.json
# and resumes interrupted ones from their checkpoint.ckpt (idlab run --resume).
# IDLAB=path/to/idlab picks another build (e.g. an installed copy while you rebuild).
# Then: bench/summarize.sh OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 5 ] || { sed -n '2,9p' "$0"; exit 2; }
out=$1; steps=$2; seeds=$3; jobs=$4; shift 4
mkdir -p "$out"

run_one() {
  local recipe=$1 seed=$2 dir
  dir="$out/$(basename "$recipe" .toml)/seed$seed"
  if [ -f "$dir/summary.json" ] && ! grep -q '"error"' "$dir/summary.json"; then return 0; fi
  if [ -f "$dir/checkpoint.ckpt" ] && [ -f "$dir/recipe.resolved.toml" ]; then
    "${IDLAB:-build/bin/idlab}" run --resume "$dir" >> "$dir.stdout" 2>&1 ||
      echo "failed: $recipe seed $seed (see $dir.stdout)" >&2
    return 0
  fi
  local extra=()
  [ "$steps" = paper ] || extra+=("train.steps=$steps")
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  "${IDLAB:-build/bin/idlab}" run "$recipe" run.seed="$seed" run.threads=1 "${extra[@]}" --out "$dir" \
    > "$dir.stdout" 2>&1 || echo "failed: $recipe seed $seed (see $dir.stdout)" >&2
}

running=0
for recipe in "$@"; do
  for seed in $seeds; do
    run_one "$recipe" "$seed" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
  done
done
wait
echo "done: $out"
