#include "infonce_kernels.cuh"

#include "online_softmax.cuh"
#include "device_api.cuh"

namespace idlab::cuda::kernels {

namespace {

constexpr int kWarps = kSweepThreads / 32;

template <int D>
__device__ inline float similarity(const float (&a)[D], const float (&b)[D], bool distance) {
    return distance ? neg_sq_distance<D>(a, b) : dot_row<D>(a, b);
}

template <int D>
__global__ void __launch_bounds__(kSweepThreads)
anchors_kernel(InfoNceProblem p, double* __restrict__ row_loss, float* __restrict__ lse_out,
               float* __restrict__ df) {
    constexpr int R = kQueriesPerBlock<D>;
    __shared__ float rows[R][D];
    __shared__ float warp_m[kWarps][R];
    __shared__ double warp_s[kWarps][R];
    __shared__ float warp_acc[kWarps][R][D];

    const int dim = static_cast<int>(p.dim);
    const int64_t B = p.batch;
    const int64_t first = static_cast<int64_t>(blockIdx.x) * R;
    const bool with_rows = df != nullptr;
    for (int i = threadIdx.x; i < R * D; i += kSweepThreads) {
        const int rr = i / D, k = i % D;
        const int64_t r = first + rr;
        rows[rr][k] = (r < B && k < dim) ? p.features[r * dim + k] : 0.0f;
    }
    __syncthreads();

    SoftmaxState<D> st[R];
#pragma unroll
    for (int rr = 0; rr < R; ++rr) st[rr].clear();
    for (int64_t k = threadIdx.x; k < B; k += kSweepThreads) {
        float hk[D];
        load_row<D>(p.features + k * dim, dim, hk);
#pragma unroll
        for (int rr = 0; rr < R; ++rr) {
            float hi[D];
#pragma unroll
            for (int c = 0; c < D; ++c) hi[c] = rows[rr][c];
            st[rr].add(similarity<D>(hi, hk, p.distance) * p.inv_tau, hk, with_rows);
        }
    }
    publish_warp_states<D, R, kWarps>(st, with_rows, warp_m, warp_s, warp_acc);
    __syncthreads();
    if (threadIdx.x >= R) return;

    const int rr = threadIdx.x;
    const int64_t i = first + rr;
    if (i >= B) return;
    float hi[D], pi[D];
#pragma unroll
    for (int c = 0; c < D; ++c) hi[c] = rows[rr][c];
    load_row<D>(p.features + (B + i) * dim, dim, pi);
    // The positive's logit starts the total; the negatives' partial states merge into it.
    const float positive = similarity<D>(hi, pi, p.distance) * p.inv_tau;
    SoftmaxState<D> total;
    total.clear();
    float none[D];
#pragma unroll
    for (int c = 0; c < D; ++c) none[c] = 0.0f;
    total.merge(positive, 1.0, none, with_rows);  // the positive adds nothing to A H
    merge_warp_states<D, R, kWarps>(total, rr, with_rows, warp_m, warp_s, warp_acc);
    const double lse = static_cast<double>(total.m) + log(total.s);
    lse_out[i] = static_cast<float>(lse);
    row_loss[i] = lse - positive;
    if (!df) return;
    const float coef = p.distance ? 2.0f * p.inv_tau : p.inv_tau;
    const float inv_b = 1.0f / static_cast<float>(B);
    const float a = (expf(positive - static_cast<float>(lse)) - 1.0f) * inv_b;
    const float ah_scale = static_cast<float>(1.0 / total.s) * inv_b;  // A_ik = exp(L - m) / (s B)
    for (int c = 0; c < dim; ++c) {
        df[i * dim + c] = coef * (total.acc[c] * ah_scale + a * pi[c]);
        df[(B + i) * dim + c] = coef * a * (p.distance ? hi[c] - pi[c] : hi[c]);
    }
}

template <int D>
__global__ void __launch_bounds__(32 * kBankLanes<D>)
negatives_kernel(InfoNceProblem p, const float* __restrict__ lse, float* __restrict__ df) {
    constexpr int L = kBankLanes<D>;
    __shared__ float part[L][32][D + 1];
    __shared__ float column[L][32];
    const int dim = static_cast<int>(p.dim);
    const int64_t B = p.batch;
    const int col = threadIdx.x % 32, lane = threadIdx.x / 32;
    const int64_t k = static_cast<int64_t>(blockIdx.x) * 32 + col;
    const bool active = k < B;

    float hk[D];
    if (active) load_row<D>(p.features + k * dim, dim, hk);
    else
#pragma unroll
        for (int c = 0; c < D; ++c) hk[c] = 0.0f;
    float acc[D];
#pragma unroll
    for (int c = 0; c < D; ++c) acc[c] = 0.0f;
    float csum = 0.0f;
    if (active)
        for (int64_t i = lane; i < B; i += L) {
            float hi[D];
            load_row<D>(p.features + i * dim, dim, hi);
            // The same logit as anchors_kernel computed: sim(h_i, h_k) / tau, same operand order.
            const float a = expf(similarity<D>(hi, hk, p.distance) * p.inv_tau - lse[i]);
            csum += a;
#pragma unroll
            for (int c = 0; c < D; ++c) acc[c] = fmaf(a, hi[c], acc[c]);
        }
#pragma unroll
    for (int c = 0; c < D; ++c) part[lane][col][c] = acc[c];
    column[lane][col] = csum;
    __syncthreads();
    if (lane != 0 || !active) return;
    float total_c = 0.0f;
    for (int l = 0; l < L; ++l) total_c += column[l][col];
    const float coef = p.distance ? 2.0f * p.inv_tau : p.inv_tau;
    const float inv_b = 1.0f / static_cast<float>(B);
    for (int c = 0; c < dim; ++c) {
        float total = 0.0f;
        for (int l = 0; l < L; ++l) total += part[l][col][c];
        float term = total * inv_b;                       // (A^T H)_k
        if (p.distance) term -= total_c * inv_b * hk[c];  // - c_k h_k
        df[k * dim + c] += coef * term;
    }
}

}  // namespace

void infonce_anchors(const InfoNceProblem& p, double* row_loss, float* lse, float* dfeatures,
                     cudaStream_t stream) {
    dispatch_width(p.dim, [&](auto width) {
        constexpr int D = decltype(width)::value;
        constexpr int R = kQueriesPerBlock<D>;
        const unsigned blocks = static_cast<unsigned>((p.batch + R - 1) / R);
        IDLAB_LAUNCH(anchors_kernel<D>, blocks, kSweepThreads, stream, p, row_loss, lse, dfeatures);
    });
    IDLAB_CHECK_LAUNCH("infonce_anchors");
}

void infonce_negatives(const InfoNceProblem& p, const float* lse, float* dfeatures, cudaStream_t stream) {
    dispatch_width(p.dim, [&](auto width) {
        constexpr int D = decltype(width)::value;
        const unsigned blocks = static_cast<unsigned>((p.batch + 31) / 32);
        IDLAB_LAUNCH(negatives_kernel<D>, blocks, 32 * kBankLanes<D>, stream, p, lse, dfeatures);
    });
    IDLAB_CHECK_LAUNCH("infonce_negatives");
}

}  // namespace idlab::cuda::kernels
