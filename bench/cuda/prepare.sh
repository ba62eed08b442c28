#!/usr/bin/env bash
# Packs what bench/cuda/run.sh needs on a GPU machine whose image has CUDA and PyTorch but not
# idlab's build dependencies (TOML++, spdlog, Boost, OpenBLAS, LAPACKE, Catch2): the binaries
# built here (idlab, the plugins a DIET or supervised run loads, the two GPU test binaries) and
# the shared libraries they need beyond the C and C++ runtimes, into one compressed archive in
# .gpu-carry/ (in .gitignore). Carry that folder; run.sh unpacks it and uses it instead of
# building.
#
# usage: bench/cuda/prepare.sh            env: BUILD=build (a build with the CUDA plugin)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/idlab-gpu/bin" "$stage/idlab-gpu/lib/idlab/plugins" .gpu-carry

files=("$build/bin/idlab" "$build/bin/test_cuda_components" "$build/bin/test_cuda_pipeline")
for p in core-data core-encoders core-losses core-optim core-metrics cuda; do
  files+=("$build/lib/idlab/plugins/libidlab-$p.so")
done
for f in "${files[@]}"; do
  [ -e "$f" ] || { echo "prepare.sh: $f not found (build with nvcc first: cmake --build $build)" >&2; exit 2; }
done
cp "${files[@]:0:3}" "$stage/idlab-gpu/bin/"
cp "${files[@]:3}" "$stage/idlab-gpu/lib/idlab/plugins/"
# Every shared library they load but the C and C++ runtimes (the GPU machine has its own,
# newer ones); cuBLAS and the CUDA driver come from the GPU machine.
ldd "${files[@]}" | awk '/=>/ {print $3}' | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so*|libm.so*|libstdc++*|libgcc_s*|libpthread*|libdl.so*|librt.so*|ld-linux*|libcuda.so*|libcublas*) ;;
    *) cp -L "$lib" "$stage/idlab-gpu/lib/" ;;
  esac
done
tar -C "$stage" -cJf .gpu-carry/idlab-gpu.tar.xz idlab-gpu
echo "prepare.sh: .gpu-carry/idlab-gpu.tar.xz ($(du -h .gpu-carry/idlab-gpu.tar.xz | cut -f1)); carry .gpu-carry and run bench/cuda/run.sh there" >&2
