#!/usr/bin/env bash
# Runs the paper's Table 4 (DisLib, §4.2) from recipes/table4/: for every dataset whose files
# are present, the x, MLP and CNN columns over SEEDS; then prints the numbers next to the
# paper's (bench/table4_summary.py). The recipes carry the final protocol: 100 epochs, the
# checkpoint of best validation accuracy kept (train.keep_best), early stop once it exceeds
# 0.999 (train.stop_metric / stop_above).
#
# usage: bench/table4.sh OUT_DIR [SEEDS] [DATASETS] [stage.key=value ...]
#   SEEDS     default "42 43 44" (the paper reports 3 seeds; csi uses 42 + rep)
#   DATASETS  default "all": cars3d dsprites shapes3d mpi3d mpi3d-real smallnorb whose files
#             are under $IDLAB_DATA (default ../shared/data), and dsprites-like (always)
#   TABLE4_COLUMNS  environment, default "x mlp cnn"
#   overrides apply to every run, e.g. train.steps=40 for a shorter budget
# Runs go to OUT_DIR/<recipe>/seed<S>/; rerunning skips runs that have a summary.json without
# an error. Environment: IDLAB (the binary, default build/bin/idlab), THREADS (run.threads,
# default 0: every core), NICE (default 19).
# Summary only: bench/table4_summary.py OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n '2,19p' "$0"; exit 2; }
out=$1
seeds=${2:-"42 43 44"}
datasets=${3:-all}
shift $(( $# < 3 ? $# : 3 ))
overrides=("$@")
export IDLAB_DATA=${IDLAB_DATA:-$(cd .. && pwd)/shared/data}
columns=${TABLE4_COLUMNS:-"x mlp cnn"}

# The file that tells a dataset is present, under $IDLAB_DATA.
marker() {
  case $1 in
    cars3d) echo cars3d/raw/list.txt ;;
    dsprites) echo dsprites/dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz ;;
    shapes3d) echo shapes3d/3dshapes.h5 ;;
    mpi3d) echo mpi3d/mpi3d_toy.npz ;;
    mpi3d-real) echo mpi3d/mpi3d_real.npz ;;
    smallnorb) echo smallnorb/smallnorb-5x46789x9x18x6x2x96x96-training-dat.mat ;;
    dsprites-like) echo "" ;;
    *) echo "unknown dataset '$1'" >&2; exit 2 ;;
  esac
}

[ "$datasets" = all ] && datasets="cars3d dsprites shapes3d mpi3d mpi3d-real smallnorb dsprites-like"
mkdir -p "$out"
for ds in $datasets; do
  m=$(marker "$ds")
  if [ -n "$m" ] && [ ! -e "$IDLAB_DATA/$m" ]; then
    echo "skipped $ds: no $IDLAB_DATA/$m (see docs/images.md for where it is published)"
    continue
  fi
  for column in $columns; do
    recipe=recipes/table4/$ds-$column.toml
    for seed in $seeds; do
      dir=$out/$ds-$column/seed$seed
      if [ -f "$dir/summary.json" ] && ! grep -q '"error"' "$dir/summary.json"; then continue; fi
      rm -rf "$dir"
      mkdir -p "$(dirname "$dir")"
      echo "running $recipe seed $seed -> $dir"
      nice -n "${NICE:-19}" "${IDLAB:-build/bin/idlab}" run "$recipe" run.seed="$seed" run.threads="${THREADS:-0}" \
        "${overrides[@]}" --out "$dir" > "$dir.stdout" 2>&1 || echo "failed: $recipe seed $seed (see $dir.stdout)" >&2
    done
  done
done
python3 bench/table4_summary.py "$out"
