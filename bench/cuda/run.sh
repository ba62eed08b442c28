#!/usr/bin/env bash
# The CUDA plugin on a GPU machine, in one go: build, the GPU tests (CPU/GPU parity of every
# component, and whole runs next to the CPU's), then the speed of the default DIET and
# supervised recipes with run.device = "cuda" next to the same step in PyTorch eager on the
# same GPU. Not a test. Prints JSON lines on stdout (test output goes to stderr).
#
# usage: bench/cuda/run.sh [STEPS] [REPEATS]      (defaults: 3000 steps, 3 repeats)
#   With .gpu-carry/idlab-gpu.tar.xz present (bench/cuda/prepare.sh, run where idlab builds),
#   the binaries come from it; otherwise the script builds (it needs idlab's build
#   dependencies, which the GPU machines of this workplace lack).
#   env: BUILD=build-cuda     build folder (configured with IDLAB_WITH_CUDA=ON if needed)
#        SKIP_BUILD=1         use BUILD as it is
#        SKIP_TESTS=1         speed only
#        PYTHON=python3       the Python with torch, for bench/cuda/torch_step.py
#        OUT=DIR              also copy every run folder and the test logs there
#
# JSON lines:
#   {"kind": "gpu", ...}                       nvidia-smi's name, memory and driver
#   {"kind": "tests", "suite": ..., "ok": ...} each GPU test binary, its exit status
#   {"kind": "idlab", "recipe": ..., "graphs": true|false, "steps_per_second": best,
#    "all_steps_per_second": [...], "loss": ..., "linear_r2": ...}
#                                              steps/s is summary.json's: steps / time in training
#                                              steps (sampling included; the device is waited
#                                              for before the clock stops), evaluation excluded
#   {"impl": "pytorch-eager", ...}             bench/cuda/torch_step.py, sampling included and not
#   {"kind": "ratio", "recipe": ..., "idlab_over_pytorch_eager": ...}
#                                              best idlab (graphs on) / PyTorch eager with sampling
set -euo pipefail
cd "$(dirname "$0")/../.."
steps=${1:-3000}
repeats=${2:-3}
build=${BUILD:-build-cuda}
python=${PYTHON:-python3}
out=${OUT:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log() { echo "cuda/run.sh: $*" >&2; }

if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader |
    head -1 | "$python" -c 'import json,sys; n,m,d=[s.strip() for s in sys.stdin.read().split(",")]; print(json.dumps({"kind":"gpu","name":n,"memory":m,"driver":d}))'
fi

if [ -f .gpu-carry/idlab-gpu.tar.xz ]; then
  log "using the build carried in .gpu-carry/idlab-gpu.tar.xz"
  tar -C "$work" -xJf .gpu-carry/idlab-gpu.tar.xz
  build="$work/idlab-gpu"
  export IDLAB_TEST_PLUGIN_DIR="$build/lib/idlab/plugins" IDLAB_TEST_WORK_DIR="$work/test-work"
  export LD_LIBRARY_PATH="$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  SKIP_BUILD=1
fi
# cuBLAS: the toolkit's, or the one PyTorch brought.
for dir in /usr/local/cuda/lib64 $("$python" -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2> /dev/null); do
  if ls "$dir"/libcublas.so.* > /dev/null 2>&1; then
    export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    break
  fi
done

if [ -z "${SKIP_BUILD:-}" ]; then
  log "building into $build (IDLAB_WITH_CUDA=ON)"
  launcher=()
  command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DIDLAB_WITH_CUDA=ON -DIDLAB_BUILD_BENCH=OFF \
    "${launcher[@]}" > "$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; exit 1; }
  cmake --build "$build" -j"$(nproc)" --target idlab core-data core-encoders core-losses core-optim \
    core-metrics cuda test_cuda_components test_cuda_pipeline > "$work/build.log" 2>&1 ||
    { tail -40 "$work/build.log" >&2; exit 1; }
fi
for tool in "$build/bin/idlab" "$build/lib/idlab/plugins/libidlab-cuda.so"; do
  [ -e "$tool" ] || { log "$tool not found (build first, or unset SKIP_BUILD)"; exit 2; }
done
"$build/bin/idlab" plugins 2>&1 | grep '^idlab.cuda ' >&2 || true

if [ -z "${SKIP_TESTS:-}" ]; then
  for suite in test_cuda_components test_cuda_pipeline; do
    log "running $suite"
    status=0
    "$build/bin/$suite" --durations yes > "$work/$suite.log" 2>&1 || status=$?
    cat "$work/$suite.log" >&2
    [ -n "$out" ] && mkdir -p "$out" && cp "$work/$suite.log" "$out/"
    echo "{\"kind\": \"tests\", \"suite\": \"$suite\", \"ok\": $([ $status -eq 0 ] && echo true || echo false), \"exit_status\": $status}"
  done
fi

# idlab: every recipe with graphs on and off, REPEATS times, evaluation after the last step only.
summarize() {  # summarize RECIPE GRAPHS RUN_DIR...
  "$python" - "$@" <<'PY'
import json, sys
recipe, graphs, dirs = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
rates, last = [], None
for d in dirs:
    with open(f"{d}/summary.json") as f:
        last = json.load(f)
    rates.append(last["steps_per_second"])
print(json.dumps({"kind": "idlab", "recipe": recipe, "device": "cuda", "graphs": graphs,
                  "steps": last["steps"], "steps_per_second": round(max(rates), 1),
                  "all_steps_per_second": [round(r, 1) for r in rates], "loss": last.get("loss"),
                  "linear_r2": last.get("linear_r2")}))
PY
}
for recipe in recipes/paper/table2-default-a.toml recipes/paper/table3-default.toml; do
  for graphs in 1 0; do
    runs=()
    for k in $(seq 1 "$repeats"); do
      dir="$work/$(basename "$recipe" .toml)-graphs$graphs-$k"
      IDLAB_CUDA_GRAPHS=$graphs "$build/bin/idlab" run "$recipe" run.device=cuda train.steps="$steps" \
        train.eval_every="$steps" --out "$dir" > "$dir.log" 2>&1 ||
        { log "$recipe failed:"; tail -20 "$dir.log" >&2; exit 1; }
      runs+=("$dir")
    done
    summarize "$(basename "$recipe" .toml)" "$graphs" "${runs[@]}" | tee -a "$work/idlab.jsonl"
    [ -n "$out" ] && mkdir -p "$out/runs" && cp -r "${runs[@]}" "$out/runs/"
  done
done

# PyTorch eager, the same step on the same GPU.
if "$python" -c 'import torch; assert torch.cuda.is_available()' 2> /dev/null; then
  "$python" bench/cuda/torch_step.py --steps 1000 | tee "$work/torch.jsonl"
  "$python" bench/cuda/torch_step.py --steps 1000 --no-sampling
  "$python" bench/cuda/torch_step.py --steps 1000 --fused-adam
  "$python" - "$work/idlab.jsonl" "$work/torch.jsonl" <<'PY'
import json, sys
idlab = [json.loads(l) for l in open(sys.argv[1])]
torch = {r["recipe"]: r for r in map(json.loads, open(sys.argv[2]))}
for r in idlab:
    if r["graphs"] and r["recipe"] in torch:
        ratio = r["steps_per_second"] / torch[r["recipe"]]["steps_per_second"]
        print(json.dumps({"kind": "ratio", "recipe": r["recipe"], "idlab_steps_per_second": r["steps_per_second"],
                          "pytorch_eager_steps_per_second": torch[r["recipe"]]["steps_per_second"],
                          "idlab_over_pytorch_eager": round(ratio, 2), "target": 5.0}))
PY
else
  log "no PyTorch with CUDA for $python: skipping the reference"
fi
