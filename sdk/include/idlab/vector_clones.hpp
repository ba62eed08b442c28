// idlab SDK helper for plugin authors: portable multiversioned hot loops.
// IDLAB_VECTOR_CLONES compiles a hot loop function twice with GCC function multiversioning: for
// x86-64-v3 (AVX2 + FMA, 8 floats per vector) and for the baseline x86-64 (SSE2). The dynamic
// loader picks the best clone the CPU supports, once, so the build stays portable (no
// -march=native). With another compiler, architecture or C library the macro is empty.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define IDLAB_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define IDLAB_VECTOR_CLONES
#endif
// The two clones may round differently (FMA contraction), so results can differ in the last
// bits between CPUs, as they already do between OpenBLAS's CPU-specific kernels.
