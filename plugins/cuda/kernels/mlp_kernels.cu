#include "mlp_kernels.cuh"

#include "column_tile.cuh"
#include "device_api.cuh"

namespace idlab::cuda::kernels {

namespace {

constexpr int kElementThreads = 256;

unsigned element_blocks(int64_t n) {
    const int64_t blocks = (n + kElementThreads - 1) / kElementThreads;
    return static_cast<unsigned>(blocks < 65535 * 16 ? (blocks > 0 ? blocks : 1) : 65535 * 16);
}

// ------------------------------------------------------------------ batch norm, train

__global__ void __launch_bounds__(kTileThreads)
bn_leaky_train_kernel(const float* __restrict__ h, const float* __restrict__ bias, BatchNormView bn,
                      int64_t batch, int64_t width, float slope, float* __restrict__ a) {
    __shared__ double scratch[kTileThreads];
    const ColumnTile t = column_tile(width);
    const int64_t c = t.channel;

    // Pass 1: the batch mean.
    float part = 0.0f;
    if (t.active)
        for (int64_t r = t.lane; r < batch; r += kLanes) part += h[r * width + c];
    const double mean = column_total(part, scratch) / static_cast<double>(batch);
    // Pass 2: the sum of squared deviations (two passes: no cancellation).
    const float mean_f = static_cast<float>(mean);
    part = 0.0f;
    if (t.active)
        for (int64_t r = t.lane; r < batch; r += kLanes) {
            const float d = h[r * width + c] - mean_f;
            part += d * d;
        }
    const double m2 = column_total(part, scratch);
    if (!t.active) return;  // no block-wide barrier follows

    const float invstd = static_cast<float>(1.0 / sqrt(m2 / static_cast<double>(batch) + bn.eps));
    const float scale = bn.gamma[c] * invstd;
    const float shift = bn.beta[c] - mean_f * scale;
    if (t.lane == 0) {
        const double m = bn.momentum;
        bn.mean[c] = mean_f;
        bn.invstd[c] = invstd;
        bn.scale[c] = scale;
        bn.shift[c] = shift;
        // The Linear bias shifts the mean only; the running variance is the unbiased one.
        bn.running_mean[c] = static_cast<float>((1.0 - m) * bn.running_mean[c] + m * (mean + bias[c]));
        bn.running_var[c] =
            static_cast<float>((1.0 - m) * bn.running_var[c] + m * m2 / static_cast<double>(batch - 1));
    }
    // Pass 3: normalise and activate. fmaf here and in the backward: the same bits, the same sign.
    for (int64_t r = t.lane; r < batch; r += kLanes)
        a[r * width + c] = leaky(fmaf(h[r * width + c], scale, shift), slope);
}

// ------------------------------------------------------------------ batch norm, eval

__global__ void bn_leaky_eval_kernel(const float* h, const float* __restrict__ bias,
                                     const float* __restrict__ gamma, const float* __restrict__ beta,
                                     const float* __restrict__ running_mean,
                                     const float* __restrict__ running_var, float eps, int64_t batch,
                                     int64_t width, float slope, float* a) {
    const int64_t n = batch * width;
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t c = i % width;
        // Bias, running statistics and the affine map folded in double, as on the CPU.
        const double sc = gamma[c] / sqrt(static_cast<double>(running_var[c]) + eps);
        const float scale = static_cast<float>(sc);
        const float shift = static_cast<float>(beta[c] + (static_cast<double>(bias[c]) - running_mean[c]) * sc);
        a[i] = leaky(fmaf(h[i], scale, shift), slope);
    }
}

__global__ void bias_leaky_kernel(const float* h, const float* __restrict__ bias, int64_t batch,
                                  int64_t width, float slope, float* a) {
    const int64_t n = batch * width;
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x)
        a[i] = leaky(h[i] + bias[i % width], slope);
}

// ------------------------------------------------------------------ output rows

constexpr int kRowWarps = 8;  // rows per block, one warp each

__device__ inline double warp_sum(double v) {
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(0xffffffffu, v, offset);
    return __shfl_sync(0xffffffffu, v, 0);
}

__global__ void output_rows_kernel(float* __restrict__ y, const float* __restrict__ bias, int64_t batch,
                                   int64_t width, bool normalize, float* __restrict__ pre,
                                   float* __restrict__ norms) {
    const int lane = threadIdx.x % 32;
    const int64_t r = static_cast<int64_t>(blockIdx.x) * kRowWarps + threadIdx.x / 32;
    if (r >= batch) return;
    float* row = y + r * width;
    double sq = 0.0;
    for (int64_t c = lane; c < width; c += 32) {
        const float v = bias ? row[c] + bias[c] : row[c];
        row[c] = v;
        sq += static_cast<double>(v) * v;
    }
    if (!normalize) return;
    sq = warp_sum(sq);
    const float norm = static_cast<float>(fmax(sqrt(sq), 1e-12));  // like F.normalize
    for (int64_t c = lane; c < width; c += 32) {
        if (pre) pre[r * width + c] = row[c];
        row[c] /= norm;
    }
    if (norms && lane == 0) norms[r] = norm;
}

__global__ void normalize_rows_backward_kernel(const float* __restrict__ pre, const float* __restrict__ norms,
                                               const float* __restrict__ df, int64_t batch,
                                               int64_t width, float* __restrict__ g) {
    const int lane = threadIdx.x % 32;
    const int64_t r = static_cast<int64_t>(blockIdx.x) * kRowWarps + threadIdx.x / 32;
    if (r >= batch) return;
    const float norm = norms[r];
    double dot = 0.0;
    for (int64_t c = lane; c < width; c += 32)
        dot += static_cast<double>(pre[r * width + c] / norm) * df[r * width + c];
    const float radial = static_cast<float>(warp_sum(dot));
    for (int64_t c = lane; c < width; c += 32) {
        const float f = pre[r * width + c] / norm;
        g[r * width + c] = (df[r * width + c] - f * radial) / norm;
    }
}

// ------------------------------------------------------------------ backward

__global__ void __launch_bounds__(kTileThreads)
leaky_bn_backward_kernel(float* __restrict__ g, const float* __restrict__ h, BatchNormView bn,
                         int64_t batch, int64_t width, float slope, float* __restrict__ dgamma,
                         float* __restrict__ dbeta, float* __restrict__ dbias) {
    __shared__ double scratch[kTileThreads];
    const ColumnTile t = column_tile(width);
    const int64_t c = t.channel;
    const float mean = t.active ? bn.mean[c] : 0.0f;
    const float scale = t.active ? bn.scale[c] : 0.0f;
    const float shift = t.active ? bn.shift[c] : 0.0f;

    // Pass 1: sums of dy and dy (h - mean), dy = g leaky'(h scale + shift).
    float part_dy = 0.0f, part_centred = 0.0f;
    if (t.active)
        for (int64_t r = t.lane; r < batch; r += kLanes) {
            const float hv = h[r * width + c];
            const float dy = g[r * width + c] * leaky_derivative(fmaf(hv, scale, shift), slope);
            part_dy += dy;
            part_centred += dy * (hv - mean);
        }
    const double sum_dy = column_total(part_dy, scratch);
    const double sum_centred = column_total(part_centred, scratch);

    // dh = gamma invstd (dy - mean(dy) - xhat mean(dy xhat)) = coef dy - ((h - mean) slope_h + offset)
    float coef = 0.0f, slope_h = 0.0f, offset = 0.0f;
    if (t.active) {
        const double invstd = bn.invstd[c];
        const double sum_dy_xhat = sum_centred * invstd;
        const double k = static_cast<double>(bn.gamma[c]) * invstd;
        coef = static_cast<float>(k);
        slope_h = static_cast<float>(k * invstd * sum_dy_xhat / static_cast<double>(batch));
        offset = static_cast<float>(k * sum_dy / static_cast<double>(batch));
        if (t.lane == 0) {
            dbeta[c] = static_cast<float>(sum_dy);
            dgamma[c] = static_cast<float>(sum_dy_xhat);
        }
    }
    // Pass 2: dh in place, and its column sums (the Linear bias gradient: zero up to rounding,
    // reported as computed, like autograd).
    float part_dh = 0.0f;
    if (t.active)
        for (int64_t r = t.lane; r < batch; r += kLanes) {
            const float hv = h[r * width + c];
            const float dy = g[r * width + c] * leaky_derivative(fmaf(hv, scale, shift), slope);
            const float dh = coef * dy - ((hv - mean) * slope_h + offset);
            g[r * width + c] = dh;
            part_dh += dh;
        }
    const double sum_dh = column_total(part_dh, scratch);
    if (t.active && t.lane == 0) dbias[c] = static_cast<float>(sum_dh);
}

__global__ void __launch_bounds__(kTileThreads)
leaky_bias_backward_kernel(float* __restrict__ g, const float* __restrict__ a, int64_t batch,
                           int64_t width, float slope, float* __restrict__ dbias) {
    __shared__ double scratch[kTileThreads];
    const ColumnTile t = column_tile(width);
    float part = 0.0f;
    if (t.active)
        for (int64_t r = t.lane; r < batch; r += kLanes) {
            const int64_t i = r * width + t.channel;
            const float dh = g[i] * leaky_derivative(a[i], slope);
            g[i] = dh;
            part += dh;
        }
    const double sum = column_total(part, scratch);
    if (t.active && t.lane == 0) dbias[t.channel] = static_cast<float>(sum);
}

__global__ void __launch_bounds__(kTileThreads)
column_sums_kernel(const float* __restrict__ g, int64_t batch, int64_t width, float* __restrict__ sums) {
    __shared__ double scratch[kTileThreads];
    const ColumnTile t = column_tile(width);
    float part = 0.0f;
    if (t.active)
        for (int64_t r = t.lane; r < batch; r += kLanes) part += g[r * width + t.channel];
    const double sum = column_total(part, scratch);
    if (t.active && t.lane == 0) sums[t.channel] = static_cast<float>(sum);
}

unsigned row_blocks(int64_t batch) { return static_cast<unsigned>((batch + kRowWarps - 1) / kRowWarps); }

}  // namespace

void bn_leaky_train(const float* h, const float* bias, const BatchNormView& bn, int64_t batch,
                    int64_t width, float slope, float* a, cudaStream_t stream) {
    IDLAB_LAUNCH(bn_leaky_train_kernel, column_tile_blocks(width), kTileThreads, stream,
                 h, bias, bn, batch, width, slope, a);
    IDLAB_CHECK_LAUNCH("bn_leaky_train");
}

void bn_leaky_eval(const float* h, const float* bias, const float* gamma, const float* beta,
                   const float* running_mean, const float* running_var, float eps, int64_t batch,
                   int64_t width, float slope, float* a, cudaStream_t stream) {
    IDLAB_LAUNCH(bn_leaky_eval_kernel, element_blocks(batch * width), kElementThreads, stream,
                 h, bias, gamma, beta, running_mean, running_var, eps, batch, width, slope, a);
    IDLAB_CHECK_LAUNCH("bn_leaky_eval");
}

void bias_leaky(const float* h, const float* bias, int64_t batch, int64_t width, float slope,
                float* a, cudaStream_t stream) {
    IDLAB_LAUNCH(bias_leaky_kernel, element_blocks(batch * width), kElementThreads, stream,
                 h, bias, batch, width, slope, a);
    IDLAB_CHECK_LAUNCH("bias_leaky");
}

void output_rows(float* y, const float* bias, int64_t batch, int64_t width, bool normalize,
                 float* pre, float* norms, cudaStream_t stream) {
    IDLAB_LAUNCH(output_rows_kernel, row_blocks(batch), kRowWarps * 32, stream,
                 y, bias, batch, width, normalize, pre, norms);
    IDLAB_CHECK_LAUNCH("output_rows");
}

void normalize_rows_backward(const float* pre, const float* norms, const float* df,
                             int64_t batch, int64_t width, float* g, cudaStream_t stream) {
    IDLAB_LAUNCH(normalize_rows_backward_kernel, row_blocks(batch), kRowWarps * 32, stream,
                 pre, norms, df, batch, width, g);
    IDLAB_CHECK_LAUNCH("normalize_rows_backward");
}

void leaky_bn_backward(float* g, const float* h, const BatchNormView& bn, int64_t batch,
                       int64_t width, float slope, float* dgamma, float* dbeta, float* dbias,
                       cudaStream_t stream) {
    IDLAB_LAUNCH(leaky_bn_backward_kernel, column_tile_blocks(width), kTileThreads, stream,
                 g, h, bn, batch, width, slope, dgamma, dbeta, dbias);
    IDLAB_CHECK_LAUNCH("leaky_bn_backward");
}

void leaky_bias_backward(float* g, const float* a, int64_t batch, int64_t width, float slope,
                         float* dbias, cudaStream_t stream) {
    IDLAB_LAUNCH(leaky_bias_backward_kernel, column_tile_blocks(width), kTileThreads, stream,
                 g, a, batch, width, slope, dbias);
    IDLAB_CHECK_LAUNCH("leaky_bias_backward");
}

void column_sums(const float* g, int64_t batch, int64_t width, float* sums, cudaStream_t stream) {
    IDLAB_LAUNCH(column_sums_kernel, column_tile_blocks(width), kTileThreads, stream,
                 g, batch, width, sums);
    IDLAB_CHECK_LAUNCH("column_sums");
}

}  // namespace idlab::cuda::kernels
