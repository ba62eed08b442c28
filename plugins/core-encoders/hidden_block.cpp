#include "hidden_block.hpp"

#include <idlab/vector_clones.hpp>

#include <algorithm>
#include <cmath>

// Every loop below runs over the channels of one row, contiguous in memory, so the compiler
// turns it into vector code; LeakyReLU and its derivative are selects, not branches. This file
// is compiled with -ffp-contract=off: backward recomputes the LeakyReLU input h * scale + shift
// and must get the very bits the forward pass got, so that both agree on its sign.

namespace idlab::core {

namespace {

inline float leaky(float y, float slope) { return y > 0.0f ? y : y * slope; }
inline float leaky_derivative(float y, float slope) { return y > 0.0f ? 1.0f : slope; }

// Rows per block of the blocked sums: a float sum adds this many terms before it goes into a
// double (few enough for float, enough that the double additions cost little).
constexpr int64_t kBlockRows = 64;

template <class T>
void fill(T* p, int64_t n, T value) {
    std::fill(p, p + n, value);
}

// Adds a block's float sums into the double totals and clears them for the next block.
IDLAB_VECTOR_CLONES
void flush_block(float* __restrict block, double* __restrict total, int64_t width) {
    for (int64_t c = 0; c < width; ++c) {
        total[c] += block[c];
        block[c] = 0.0f;
    }
}

// Channel means and sums of squared deviations (M2) of h [batch, width] in one pass over h.
// The sums run over h - shift, where shift is the mean of the first rows: close to the channel
// mean, so that M2 = sum (h - shift)^2 - (sum (h - shift))^2 / batch loses almost nothing to
// cancellation. They run in float over blocks of rows and in double across blocks.
IDLAB_VECTOR_CLONES
void channel_moments(const float* __restrict h, int64_t batch, int64_t width,
                     float* __restrict shift, float* __restrict block_sum,
                     float* __restrict block_sq, double* __restrict mean, double* __restrict m2) {
    const int64_t shift_rows = std::min(kBlockRows, batch);
    fill(shift, width, 0.0f);
    for (int64_t r = 0; r < shift_rows; ++r) {
        const float* row = h + r * width;
        for (int64_t c = 0; c < width; ++c) shift[c] += row[c];
    }
    const float inv_rows = 1.0f / static_cast<float>(shift_rows);
    for (int64_t c = 0; c < width; ++c) shift[c] *= inv_rows;

    double* sum = mean;
    double* sq = m2;
    fill(sum, width, 0.0);
    fill(sq, width, 0.0);
    fill(block_sum, width, 0.0f);
    fill(block_sq, width, 0.0f);
    for (int64_t first = 0; first < batch; first += kBlockRows) {
        const int64_t last = std::min(first + kBlockRows, batch);
        for (int64_t r = first; r < last; ++r) {
            const float* row = h + r * width;
            for (int64_t c = 0; c < width; ++c) {
                const float d = row[c] - shift[c];
                block_sum[c] += d;
                block_sq[c] += d * d;
            }
        }
        flush_block(block_sum, sum, width);
        flush_block(block_sq, sq, width);
    }
    for (int64_t c = 0; c < width; ++c) {
        const double centred = sum[c] / static_cast<double>(batch);  // mean - shift
        m2[c] = std::max(sq[c] - sum[c] * centred, 0.0);
        mean[c] = shift[c] + centred;
    }
}

// a = leaky(h * scale + shift) with per-channel scale and shift.
IDLAB_VECTOR_CLONES
void scale_shift_leaky(const float* h, const float* __restrict scale,
                       const float* __restrict shift, int64_t batch, int64_t width, float slope,
                       float* a) {
    for (int64_t r = 0; r < batch; ++r) {
        const float* hr = h + r * width;
        float* ar = a + r * width;
        for (int64_t c = 0; c < width; ++c) ar[c] = leaky(hr[c] * scale[c] + shift[c], slope);
    }
}

// Pass 1 of the batch-norm backward: sum over rows of dy and of dy * (h - mean), where
// dy = g * leaky'(h * scale + shift).
IDLAB_VECTOR_CLONES
void bn_backward_sums(const float* __restrict g, const float* __restrict h,
                      const float* __restrict mean, const float* __restrict scale,
                      const float* __restrict shift, int64_t batch, int64_t width, float slope,
                      float* __restrict block_dy, float* __restrict block_dy_centred,
                      double* __restrict sum_dy, double* __restrict sum_dy_centred) {
    fill(sum_dy, width, 0.0);
    fill(sum_dy_centred, width, 0.0);
    fill(block_dy, width, 0.0f);
    fill(block_dy_centred, width, 0.0f);
    for (int64_t first = 0; first < batch; first += kBlockRows) {
        const int64_t last = std::min(first + kBlockRows, batch);
        for (int64_t r = first; r < last; ++r) {
            const float* gr = g + r * width;
            const float* hr = h + r * width;
            for (int64_t c = 0; c < width; ++c) {
                const float dy = gr[c] * leaky_derivative(hr[c] * scale[c] + shift[c], slope);
                block_dy[c] += dy;
                block_dy_centred[c] += dy * (hr[c] - mean[c]);
            }
        }
        flush_block(block_dy, sum_dy, width);
        flush_block(block_dy_centred, sum_dy_centred, width);
    }
}

// Pass 2: g = dh = coef * dy - ((h - mean) * slope_h + offset) in place (an affine map of dy
// and the centred h, per channel), and the column sums of dh.
IDLAB_VECTOR_CLONES
void bn_backward_input(float* __restrict g, const float* __restrict h,
                       const float* __restrict mean, const float* __restrict scale,
                       const float* __restrict shift, const float* __restrict coef,
                       const float* __restrict slope_h, const float* __restrict offset,
                       int64_t batch, int64_t width, float slope, float* __restrict block_dh,
                       double* __restrict sum_dh) {
    fill(sum_dh, width, 0.0);
    fill(block_dh, width, 0.0f);
    for (int64_t first = 0; first < batch; first += kBlockRows) {
        const int64_t last = std::min(first + kBlockRows, batch);
        for (int64_t r = first; r < last; ++r) {
            float* gr = g + r * width;
            const float* hr = h + r * width;
            for (int64_t c = 0; c < width; ++c) {
                const float dy = gr[c] * leaky_derivative(hr[c] * scale[c] + shift[c], slope);
                const float dh = coef[c] * dy - ((hr[c] - mean[c]) * slope_h[c] + offset[c]);
                gr[c] = dh;
                block_dh[c] += dh;
            }
        }
        flush_block(block_dh, sum_dh, width);
    }
}

// g = g * leaky'(a) in place (the sign of the output is the sign of the input for slope >= 0),
// and the column sums of the result.
IDLAB_VECTOR_CLONES
void leaky_backward_sums(float* __restrict g, const float* __restrict a, int64_t batch,
                         int64_t width, float slope,
                         float* __restrict block_dh, double* __restrict sum_dh) {
    fill(sum_dh, width, 0.0);
    fill(block_dh, width, 0.0f);
    for (int64_t first = 0; first < batch; first += kBlockRows) {
        const int64_t last = std::min(first + kBlockRows, batch);
        for (int64_t r = first; r < last; ++r) {
            float* gr = g + r * width;
            const float* ar = a + r * width;
            for (int64_t c = 0; c < width; ++c) {
                const float dh = gr[c] * leaky_derivative(ar[c], slope);
                gr[c] = dh;
                block_dh[c] += dh;
            }
        }
        flush_block(block_dh, sum_dh, width);
    }
}

}  // namespace

void bn_leaky_forward_train(const float* h, const float* bias, const BatchNormChannels& bn,
                            int64_t batch, int64_t width, float slope, ChannelScratch s,
                            const BatchNormCache& cache, float* a) {
    double* mean = s.acc0;
    double* m2 = s.acc1;
    channel_moments(h, batch, width, s.f0, s.f1, s.f2, mean, m2);
    const double m = bn.momentum;
    for (int64_t c = 0; c < width; ++c) {
        const double invstd = 1.0 / std::sqrt(m2[c] / batch + bn.eps);
        cache.mean[c] = static_cast<float>(mean[c]);
        cache.invstd[c] = static_cast<float>(invstd);
        cache.scale[c] = bn.gamma[c] * cache.invstd[c];
        cache.shift[c] = bn.beta[c] - cache.mean[c] * cache.scale[c];
        // The bias shifts the mean only; the running variance is the unbiased one.
        bn.running_mean[c] = static_cast<float>((1.0 - m) * bn.running_mean[c] + m * (mean[c] + bias[c]));
        bn.running_var[c] = static_cast<float>((1.0 - m) * bn.running_var[c] + m * m2[c] / (batch - 1));
    }
    scale_shift_leaky(h, cache.scale, cache.shift, batch, width, slope, a);
}

void bn_leaky_forward_eval(const float* h, const float* bias, const float* gamma,
                           const float* beta, const float* running_mean,
                           const float* running_var, float eps, int64_t batch, int64_t width,
                           float slope, ChannelScratch s, float* a) {
    // Fold bias, running statistics and the affine map into one scale and shift per channel.
    float* scale = s.f0;
    float* shift = s.f1;
    for (int64_t c = 0; c < width; ++c) {
        const double sc = gamma[c] / std::sqrt(static_cast<double>(running_var[c]) + eps);
        scale[c] = static_cast<float>(sc);
        shift[c] = static_cast<float>(beta[c] + (static_cast<double>(bias[c]) - running_mean[c]) * sc);
    }
    scale_shift_leaky(h, scale, shift, batch, width, slope, a);
}

IDLAB_VECTOR_CLONES
void bias_leaky_forward(const float* h, const float* bias, int64_t batch, int64_t width,
                        float slope, float* a) {
    for (int64_t r = 0; r < batch; ++r) {
        const float* hr = h + r * width;
        float* ar = a + r * width;
        for (int64_t c = 0; c < width; ++c) ar[c] = leaky(hr[c] + bias[c], slope);
    }
}

void leaky_bn_backward(float* g, const float* h, const BatchNormCache& cache, const float* gamma,
                       int64_t batch, int64_t width, float slope, ChannelScratch s,
                       float* dgamma, float* dbeta, float* dbias) {
    double* sum_dy = s.acc0;
    double* sum_dy_centred = s.acc1;
    bn_backward_sums(g, h, cache.mean, cache.scale, cache.shift, batch, width, slope, s.f0,
                     s.f1, sum_dy, sum_dy_centred);
    // With xhat = (h - mean) invstd:
    //   dh = gamma invstd (dy - mean(dy) - xhat mean(dy xhat))
    //      = coef dy - ((h - mean) slope_h + offset),  coef = gamma invstd,
    //        slope_h = coef invstd mean(dy xhat),  offset = coef mean(dy).
    float* coef = s.f0;
    float* slope_h = s.f1;
    float* offset = s.f2;
    for (int64_t c = 0; c < width; ++c) {
        const double invstd = cache.invstd[c];
        const double sum_dy_xhat = sum_dy_centred[c] * invstd;
        const double k = static_cast<double>(gamma[c]) * invstd;
        const double kh = k * invstd * sum_dy_xhat / batch;
        dbeta[c] = static_cast<float>(sum_dy[c]);
        dgamma[c] = static_cast<float>(sum_dy_xhat);
        coef[c] = static_cast<float>(k);
        slope_h[c] = static_cast<float>(kh);
        offset[c] = static_cast<float>(k * sum_dy[c] / batch);
    }
    double* sum_dh = s.acc0;
    bn_backward_input(g, h, cache.mean, cache.scale, cache.shift, coef, slope_h, offset, batch,
                      width, slope, s.f3, sum_dh);
    // The bias gradient is analytically zero under batch norm; like autograd we report the
    // computed sum, which is zero up to rounding.
    for (int64_t c = 0; c < width; ++c) dbias[c] = static_cast<float>(sum_dh[c]);
}

void leaky_bias_backward(float* g, const float* a, int64_t batch, int64_t width, float slope,
                         ChannelScratch s, float* dbias) {
    leaky_backward_sums(g, a, batch, width, slope, s.f0, s.acc0);
    for (int64_t c = 0; c < width; ++c) dbias[c] = static_cast<float>(s.acc0[c]);
}

}  // namespace idlab::core
