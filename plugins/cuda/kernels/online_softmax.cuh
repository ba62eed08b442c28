// The building blocks of the fused softmax cross-entropies (cross_entropy_kernels.cu,
// infonce_kernels.cu). For a query row q and a bank of rows b_j (the head's rows w_j, or the
// batch's anchors h_k) with logits l_j, one sweep over the bank keeps, per query, the running
// maximum m, the sum s = sum_j exp(l_j - m) and acc = sum_j exp(l_j - m) b_j, rescaled whenever
// m grows (the "online softmax"). That gives the log-sum-exp and E_softmax[b] in one pass, and
// the logits are recomputed where a gradient needs them: the [queries, bank] probabilities are
// never written to memory. Partial states of the threads of a block merge in a fixed order, so
// results are the same on every run.
//
// Features are at most kMaxDim wide; a kernel is compiled for D = 8, 16, 32 and 64 (the next
// padding up from the actual width) and keeps a row in D registers.
#pragma once

#include "device_api.cuh"

#include <math.h>
#include <stdint.h>

#include <type_traits>

namespace idlab::cuda::kernels {

constexpr int kMaxDim = 64;

// A row of `dim` floats read into D registers, zero beyond dim.
template <int D>
__device__ inline void load_row(const float* __restrict__ p, int dim, float (&out)[D]) {
#pragma unroll
    for (int k = 0; k < D; ++k) out[k] = k < dim ? p[k] : 0.0f;
}

template <int D>
__device__ inline float dot_row(const float (&a)[D], const float (&b)[D]) {
    float s = 0.0f;
#pragma unroll
    for (int k = 0; k < D; ++k) s = fmaf(a[k], b[k], s);
    return s;
}

// -|a - b|^2, exactly 0 for a row against itself.
template <int D>
__device__ inline float neg_sq_distance(const float (&a)[D], const float (&b)[D]) {
    float s = 0.0f;
#pragma unroll
    for (int k = 0; k < D; ++k) {
        const float d = a[k] - b[k];
        s = fmaf(d, d, s);
    }
    return -s;
}

template <int D>
struct SoftmaxState {
    float m;       // running maximum logit (-inf: nothing seen)
    double s;      // sum of exp(l - m)
    float acc[D];  // sum of exp(l - m) * row (when gradients are wanted)

    __device__ void clear() {
        m = -INFINITY;
        s = 0.0;
#pragma unroll
        for (int k = 0; k < D; ++k) acc[k] = 0.0f;
    }

    // Adds logit l of `row` (row used only when with_rows).
    __device__ void add(float l, const float (&row)[D], bool with_rows) {
        if (l > m) {
            const float rescale = expf(m - l);  // 0 for the first logit
            s = s * rescale + 1.0;
            if (with_rows) {
#pragma unroll
                for (int k = 0; k < D; ++k) acc[k] = fmaf(acc[k], rescale, row[k]);
            }
            m = l;
        } else {
            const float e = expf(l - m);
            s += e;
            if (with_rows) {
#pragma unroll
                for (int k = 0; k < D; ++k) acc[k] = fmaf(e, row[k], acc[k]);
            }
        }
    }

    // Merges another partial state into this one.
    __device__ void merge(float om, double os, const float (&oacc)[D], bool with_rows) {
        if (om == -INFINITY) return;
        if (m == -INFINITY) {
            m = om;
            s = os;
#pragma unroll
            for (int k = 0; k < D; ++k) acc[k] = oacc[k];
            return;
        }
        const float top = fmaxf(m, om);
        const float a = expf(m - top), b = expf(om - top);
        s = s * a + os * b;
        if (with_rows) {
#pragma unroll
            for (int k = 0; k < D; ++k) acc[k] = acc[k] * a + oacc[k] * b;
        }
        m = top;
    }
};

// Merges the states of a warp's 32 lanes (fixed butterfly order); lane 0 ends with the total.
template <int D>
__device__ inline void warp_merge(SoftmaxState<D>& st, bool with_rows) {
    for (int offset = 16; offset > 0; offset /= 2) {
        const float om = __shfl_down_sync(0xffffffffu, st.m, offset);
        const double os = __shfl_down_sync(0xffffffffu, st.s, offset);
        float oacc[D];
#pragma unroll
        for (int k = 0; k < D; ++k) oacc[k] = with_rows ? __shfl_down_sync(0xffffffffu, st.acc[k], offset) : 0.0f;
        st.merge(om, os, oacc, with_rows);
    }
}

// The block-level end of a query sweep, where every thread holds partial states st[rr] for the
// block's R queries: merges them over each warp and lane 0 publishes the warp's states.
// The caller then synchronises the block and merges the W warps' states with merge_warp_states.
template <int D, int R, int W>
__device__ inline void publish_warp_states(SoftmaxState<D> (&st)[R], bool with_rows,
                                           float (&warp_m)[W][R], double (&warp_s)[W][R],
                                           float (&warp_acc)[W][R][D]) {
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
#pragma unroll
    for (int rr = 0; rr < R; ++rr) {
        warp_merge<D>(st[rr], with_rows);
        if (lane == 0) {
            warp_m[warp][rr] = st[rr].m;
            warp_s[warp][rr] = st[rr].s;
#pragma unroll
            for (int k = 0; k < D; ++k) warp_acc[warp][rr][k] = st[rr].acc[k];
        }
    }
}

// Merges the published states of query rr, warp by warp in a fixed order, into `total`.
template <int D, int R, int W>
__device__ inline void merge_warp_states(SoftmaxState<D>& total, int rr, bool with_rows,
                                         const float (&warp_m)[W][R], const double (&warp_s)[W][R],
                                         const float (&warp_acc)[W][R][D]) {
    for (int w = 0; w < W; ++w) {
        float acc[D];
#pragma unroll
        for (int k = 0; k < D; ++k) acc[k] = warp_acc[w][rr][k];
        total.merge(warp_m[w][rr], warp_s[w][rr], acc, with_rows);
    }
}

// Rows per block of a query sweep, and row lanes per block of a bank sweep, for width D.
template <int D>
constexpr int kQueriesPerBlock = D >= 64 ? 1 : 64 / D;
template <int D>
constexpr int kBankLanes = D >= 32 ? 128 / D : 8;

constexpr int kSweepThreads = 256;  // threads of a query sweep (8 warps)

// Calls f(std::integral_constant<int, D>{}) with D the padded width for `dim` (<= kMaxDim).
template <class F>
void dispatch_width(int64_t dim, F&& f) {
    if (dim <= 8) f(std::integral_constant<int, 8>{});
    else if (dim <= 16) f(std::integral_constant<int, 16>{});
    else if (dim <= 32) f(std::integral_constant<int, 32>{});
    else f(std::integral_constant<int, 64>{});
}

}  // namespace idlab::cuda::kernels
