#include "cross_entropy_kernels.cuh"

#include "online_softmax.cuh"
#include "device_api.cuh"

namespace idlab::cuda::kernels {

namespace {

constexpr int kWarps = kSweepThreads / 32;

// One block per kQueriesPerBlock<D> samples; each thread sweeps every 256th class.
template <int D>
__global__ void __launch_bounds__(kSweepThreads)
rows_kernel(CrossEntropyProblem p, double* __restrict__ row_loss, float* __restrict__ lse_out,
            float* __restrict__ df) {
    constexpr int R = kQueriesPerBlock<D>;
    __shared__ float rows[R][D];
    __shared__ float warp_m[kWarps][R];
    __shared__ double warp_s[kWarps][R];
    __shared__ float warp_acc[kWarps][R][D];

    const int dim = static_cast<int>(p.dim);
    const int64_t first = static_cast<int64_t>(blockIdx.x) * R;
    const bool with_rows = df != nullptr;
    const float beta = *p.beta;
    for (int i = threadIdx.x; i < R * D; i += kSweepThreads) {
        const int rr = i / D, k = i % D;
        const int64_t r = first + rr;
        rows[rr][k] = (r < p.batch && k < dim) ? p.features[r * dim + k] : 0.0f;
    }
    __syncthreads();

    SoftmaxState<D> st[R];
#pragma unroll
    for (int rr = 0; rr < R; ++rr) st[rr].clear();
    for (int64_t j = threadIdx.x; j < p.classes; j += kSweepThreads) {
        float w[D];
        load_row<D>(p.head + j * dim, dim, w);
#pragma unroll
        for (int rr = 0; rr < R; ++rr) {
            float f[D];
#pragma unroll
            for (int k = 0; k < D; ++k) f[k] = rows[rr][k];
            st[rr].add(beta * dot_row<D>(w, f), w, with_rows);
        }
    }
    publish_warp_states<D, R, kWarps>(st, with_rows, warp_m, warp_s, warp_acc);
    __syncthreads();
    if (threadIdx.x >= R) return;

    // Thread rr finishes sample first + rr.
    const int rr = threadIdx.x;
    const int64_t r = first + rr;
    if (r >= p.batch) return;
    SoftmaxState<D> total;
    total.clear();
    merge_warp_states<D, R, kWarps>(total, rr, with_rows, warp_m, warp_s, warp_acc);
    const double lse = static_cast<double>(total.m) + log(total.s);
    lse_out[r] = static_cast<float>(lse);
    float f[D];
#pragma unroll
    for (int k = 0; k < D; ++k) f[k] = rows[rr][k];
    const int64_t t = p.targets[r];
    if (t < 0 || t >= p.classes) {  // reported by the host as a non-finite loss at this step
        row_loss[r] = NAN;
        if (df)
            for (int k = 0; k < dim; ++k) df[r * dim + k] = 0.0f;
        return;
    }
    float wt[D];
    load_row<D>(p.head + t * dim, dim, wt);
    const double eps = p.smoothing;
    const double rest = eps / static_cast<double>(p.classes);
    double loss = lse - (1.0 - eps) * (beta * dot_row<D>(wt, f));
    if (eps > 0.0) {
        float ws[D];
        load_row<D>(p.head_sum, dim, ws);
        loss -= rest * (beta * dot_row<D>(ws, f));
    }
    row_loss[r] = loss;
    if (!df) return;
    // d loss / d f = beta / batch * (E_p[w] - (1 - eps) w_t - eps / classes * sum_j w_j)
    const float scale = beta / static_cast<float>(p.batch);
    const float inv_s = static_cast<float>(1.0 / total.s);
    for (int k = 0; k < dim; ++k) {
        float expected_q = static_cast<float>(1.0 - eps) * wt[k];
        if (eps > 0.0) expected_q += static_cast<float>(rest) * p.head_sum[k];
        df[r * dim + k] = scale * (total.acc[k] * inv_s - expected_q);
    }
}

// One block per 32 classes; its kBankLanes<D> row lanes share the samples.
template <int D>
__global__ void __launch_bounds__(32 * kBankLanes<D>)
head_grad_kernel(CrossEntropyProblem p, const float* __restrict__ lse, float* __restrict__ head_grad,
                 double* __restrict__ partials) {
    constexpr int L = kBankLanes<D>;
    __shared__ float part[L][32][D + 1];
    __shared__ double dots[32];
    const int dim = static_cast<int>(p.dim);
    const int cls = threadIdx.x % 32, lane = threadIdx.x / 32;
    const int64_t j = static_cast<int64_t>(blockIdx.x) * 32 + cls;
    const bool active = j < p.classes;
    const float beta = *p.beta;
    const float rest = p.smoothing / static_cast<float>(p.classes);
    const float hit = (1.0f - p.smoothing) + rest;

    float w[D];
    if (active) load_row<D>(p.head + j * dim, dim, w);
    else
#pragma unroll
        for (int k = 0; k < D; ++k) w[k] = 0.0f;
    float acc[D];
#pragma unroll
    for (int k = 0; k < D; ++k) acc[k] = 0.0f;
    if (active)
        for (int64_t r = lane; r < p.batch; r += L) {
            float f[D];
            load_row<D>(p.features + r * dim, dim, f);
            const float prob = expf(beta * dot_row<D>(w, f) - lse[r]);
            const float g = prob - (p.targets[r] == j ? hit : rest);
#pragma unroll
            for (int k = 0; k < D; ++k) acc[k] = fmaf(g, f[k], acc[k]);
        }
#pragma unroll
    for (int k = 0; k < D; ++k) part[lane][cls][k] = acc[k];
    __syncthreads();
    if (lane == 0) {
        double dot = 0.0;
        if (active) {
            const float inv_batch = 1.0f / static_cast<float>(p.batch);
            for (int k = 0; k < dim; ++k) {
                float total = 0.0f;
                for (int l = 0; l < L; ++l) total += part[l][cls][k];
                const float g = total * inv_batch;  // (G^T f)_jk
                head_grad[j * dim + k] = beta * g;
                dot += static_cast<double>(g) * w[k];
            }
        }
        dots[cls] = dot;
    }
    if (!partials) return;
    __syncthreads();
    if (threadIdx.x == 0) {
        double sum = 0.0;
        for (int c = 0; c < 32; ++c) sum += dots[c];
        partials[blockIdx.x] = sum;
    }
}

}  // namespace

void cross_entropy_rows(const CrossEntropyProblem& p, double* row_loss, float* lse,
                        float* dfeatures, cudaStream_t stream) {
    dispatch_width(p.dim, [&](auto width) {
        constexpr int D = decltype(width)::value;
        constexpr int R = kQueriesPerBlock<D>;
        const unsigned blocks = static_cast<unsigned>((p.batch + R - 1) / R);
        IDLAB_LAUNCH(rows_kernel<D>, blocks, kSweepThreads, stream, p, row_loss, lse, dfeatures);
    });
    IDLAB_CHECK_LAUNCH("cross_entropy_rows");
}

int64_t cross_entropy_head_blocks(int64_t classes) { return (classes + 31) / 32; }

void cross_entropy_head_grad(const CrossEntropyProblem& p, const float* lse, float* head_grad,
                             double* partials, cudaStream_t stream) {
    dispatch_width(p.dim, [&](auto width) {
        constexpr int D = decltype(width)::value;
        const unsigned blocks = static_cast<unsigned>(cross_entropy_head_blocks(p.classes));
        IDLAB_LAUNCH(head_grad_kernel<D>, blocks, 32 * kBankLanes<D>, stream,
                     p, lse, head_grad, partials);
    });
    IDLAB_CHECK_LAUNCH("cross_entropy_head_grad");
}

}  // namespace idlab::cuda::kernels
