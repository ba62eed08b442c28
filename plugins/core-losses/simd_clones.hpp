// IDLAB_SIMD_CLONES marks a hot loop function for GCC function multiversioning: it is compiled
// twice, for x86-64-v3 (AVX2 + FMA) and for the baseline x86-64 (SSE2), and the loader picks
// the best one the CPU supports (an ifunc, resolved once). This keeps the build portable (no
// -march=native) while the kernels still get 8-wide vectors and FMAs where they exist.
// Elsewhere (another compiler or architecture, no ifunc) it is empty and the plain build runs.
//
// The two clones may round differently (FMA contraction), so results can differ in the last
// bits between CPUs, as they already do between OpenBLAS's CPU-specific kernels.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define IDLAB_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define IDLAB_SIMD_CLONES
#endif
