#!/usr/bin/env bash
# Training speed on the CPU, next to the OpenBLAS sgemm rate of this machine. Not a test.
#
# usage: bench/speed.sh [STEPS] [REPEATS]        (defaults: 300 steps, 3 repeats)
#   env: BUILD=build          the build folder holding bin/idlab and bin/bench_sgemm
#        THREADS="1 2"        OpenBLAS thread counts to measure (run.threads)
#        RECIPES="..."        default: recipes/paper/table2-default-a.toml (DIET, N = 1000)
#                             and recipes/paper/table3-default.toml (supervised, K = 100)
#
# For every thread count it first runs bench_sgemm (one JSON line per thread count: the rate of
# each shape), then every recipe REPEATS times for STEPS steps (evaluation only after the last
# step) and prints one JSON line per recipe and thread count:
#   steps_per_second     best of the repeats (the machine may be shared), and all of them
#   gflop_per_step       the GEMM work of one step, from the resolved recipe (see below)
#   gflops               gflop_per_step * steps_per_second
#   share_of_sgemm_peak  gflops / the best bench_sgemm rate at the same thread count
# steps/s is the run's own figure (summary.json): steps / time spent in training steps, data
# sampling included, evaluations excluded.
#
# FLOPs per step (multiply-add = 2 FLOPs), batch B, Linear widths w_0 = width of x,
# w_1..w_L = encoder.hidden, w_{L+1} = output width, and R head rows of width w_{L+1}:
#   encoder forward     2 B sum_l w_l w_{l+1}
#   encoder backward    2 x forward (weight gradient and input gradient), minus the input
#                       gradient of the first layer (not needed): 2 B w_0 w_1
#   head                3 x 2 B w_{L+1} R (scores, head gradient, feature gradient)
# The element-wise work (bias, batch norm, activations, softmax, Adam) is left out: it is
# memory-bound, not FLOPs. For core.vmf_clusters, x and z have latent_dim columns; the head has
# one row per instance (data.samples) when loss.target = "index" and one per cluster
# (data.clusters) when loss.target = "label".
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-300}
repeats=${2:-3}
build=${BUILD:-build}
threads=(${THREADS:-1 2})
recipes=(${RECIPES:-recipes/paper/table2-default-a.toml recipes/paper/table3-default.toml})
for tool in "$build/bin/idlab" "$build/bin/bench_sgemm"; do
  [ -x "$tool" ] || { echo "speed.sh: $tool not found (build first, or set BUILD)" >&2; exit 2; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Python 3.11+ reads the resolved recipe (tomllib) and does the arithmetic.
report() {  # report RECIPE THREADS SGEMM_JSON RUN_DIR...
  python3 - "$@" <<'EOF'
import json, sys, tomllib
recipe, threads, sgemm_file, run_dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
with open(f"{run_dirs[0]}/recipe.resolved.toml", "rb") as f:
    r = tomllib.load(f)
data, enc, loss = r["data"], r["encoder"], r["loss"]
if data["kind"] != "core.vmf_clusters" or enc["kind"] != "core.mlp":
    sys.exit(f"speed.sh: FLOPs are worked out for core.vmf_clusters + core.mlp only, not {recipe}")
d = data["latent_dim"]
widths = [d] + enc["hidden"] + [enc["out_dim"] or d]
head_rows = {"index": data["samples"], "label": data["clusters"]}[loss["target"]]
batch = r["train"]["batch_size"]
macs = sum(a * b for a, b in zip(widths, widths[1:]))
flops = 2 * batch * (3 * macs - widths[0] * widths[1]) + 3 * 2 * batch * widths[-1] * head_rows
rates = []
for run in run_dirs:
    with open(f"{run}/summary.json") as f:
        rates.append(json.load(f)["steps_per_second"])
with open(sgemm_file) as f:
    peak = max(s["gflops"] for s in json.load(f)["results"])
best = max(rates)
print(json.dumps({"recipe": recipe, "threads": threads, "batch": batch, "steps": r["train"]["steps"],
                  "steps_per_second": round(best, 2),
                  "all_steps_per_second": [round(x, 2) for x in rates],
                  "gflop_per_step": round(flops / 1e9, 4),
                  "gflops": round(best * flops / 1e9, 1),
                  "sgemm_peak_gflops": peak,
                  "share_of_sgemm_peak": round(best * flops / 1e9 / peak, 3)}))
EOF
}

for t in "${threads[@]}"; do
  OPENBLAS_NUM_THREADS=$t "$build/bin/bench_sgemm" > "$out/sgemm-$t.json"
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$out/sgemm-$t.json"
  for recipe in "${recipes[@]}"; do
    runs=()
    for k in $(seq 1 "$repeats"); do
      dir="$out/$(basename "$recipe" .toml)-t$t-$k"
      "$build/bin/idlab" run "$recipe" train.steps="$steps" train.eval_every="$steps" \
        run.threads="$t" --out "$dir" > "$dir.log" 2>&1 ||
        { echo "speed.sh: $recipe failed, see below" >&2; tail -5 "$dir.log" >&2; exit 1; }
      runs+=("$dir")
    done
    report "$recipe" "$t" "$out/sgemm-$t.json" "${runs[@]}"
  done
done
