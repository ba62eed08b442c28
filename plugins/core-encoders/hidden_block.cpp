#include "hidden_block.hpp"

#include <idlab/vector_clones.hpp>

#include <algorithm>
#include <cmath>

// Every loop below runs over the channels of one row, contiguous in memory, so the compiler
// turns it into vector code; LeakyReLU and its derivative are selects, not branches. This file
// is compiled with -ffp-contract=off: backward recomputes the LeakyReLU input h * scale + shift
// and must get the very bits the forward pass got, so that both agree on its sign.
//
// The loops that sum over rows take four rows per pass (kRowGroup): the per-channel sums and
// parameters are then loaded and stored once for four rows instead of once per row, which is
// most of these loops' memory traffic at a few hundred channels. The four terms are added one
// after the other, `sum + t0 + t1 + t2 + t3`, which (without contraction) is the row-by-row
// order, so the sums keep the bits a row-by-row loop gives.

namespace idlab::core {

namespace {

inline float leaky(float y, float slope) { return y > 0.0f ? y : y * slope; }
inline float leaky_derivative(float y, float slope) { return y > 0.0f ? 1.0f : slope; }

template <class T>
void fill(T* p, int64_t n, T value) {
    std::fill(p, p + n, value);
}

constexpr int64_t kRowGroup = 4;

}  // namespace

// The block mean first (in float), then the sums of the deviations from it: they are small next
// to a large common offset, so the variance M2 = sum d^2 - (sum d)^2 / n loses almost nothing to
// cancellation.
namespace {
IDLAB_VECTOR_CLONES
void block_moments(const float* __restrict h, int64_t count, int64_t width,
                   float* __restrict mean, float* __restrict sum, float* __restrict sq) {
    fill(mean, width, 0.0f);
    int64_t r = 0;
    for (; r + kRowGroup <= count; r += kRowGroup) {
        const float* r0 = h + r * width;
        const float *r1 = r0 + width, *r2 = r1 + width, *r3 = r2 + width;
        for (int64_t c = 0; c < width; ++c) mean[c] = mean[c] + r0[c] + r1[c] + r2[c] + r3[c];
    }
    for (; r < count; ++r) {
        const float* row = h + r * width;
        for (int64_t c = 0; c < width; ++c) mean[c] += row[c];
    }
    const float inv_count = 1.0f / static_cast<float>(count);
    for (int64_t c = 0; c < width; ++c) mean[c] *= inv_count;
    fill(sum, width, 0.0f);
    fill(sq, width, 0.0f);
    for (r = 0; r + kRowGroup <= count; r += kRowGroup) {
        const float* r0 = h + r * width;
        const float *r1 = r0 + width, *r2 = r1 + width, *r3 = r2 + width;
        for (int64_t c = 0; c < width; ++c) {
            const float m = mean[c];
            const float d0 = r0[c] - m, d1 = r1[c] - m, d2 = r2[c] - m, d3 = r3[c] - m;
            sum[c] = sum[c] + d0 + d1 + d2 + d3;
            sq[c] = sq[c] + d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3;
        }
    }
    for (; r < count; ++r) {
        const float* row = h + r * width;
        for (int64_t c = 0; c < width; ++c) {
            const float d = row[c] - mean[c];
            sum[c] += d;
            sq[c] += d * d;
        }
    }
}
}  // namespace

void bn_block_moments(const float* h, int64_t count, int64_t width, float* moments) {
    block_moments(h, count, width, moments, moments + width, moments + 2 * width);
}

// Block means and M2 combined block after block in double (Chan, Golub and LeVeque's update).
IDLAB_VECTOR_CLONES
void bn_batch_statistics(const float* moments, int64_t rows, int64_t width, const float* bias,
                         const BatchNormChannels& bn, ChannelScratch s, const BatchNormCache* cache) {
    double* __restrict mean = s.acc0;
    double* __restrict m2 = s.acc1;
    double n = 0.0;
    for (int64_t b = 0; b < block_count(rows); ++b) {
        const float* block_mean = moments + b * moments_size(width);
        const float* sum = block_mean + width;
        const float* sq = block_mean + 2 * width;
        const double nb = static_cast<double>(block_size(b, rows));
        const double total = n + nb;
        for (int64_t c = 0; c < width; ++c) {
            const double centred = sum[c] / nb;
            const double mb = block_mean[c] + centred;
            const double m2b = std::max(sq[c] - sum[c] * centred, 0.0);
            if (b == 0) {
                mean[c] = mb;
                m2[c] = m2b;
            } else {
                const double delta = mb - mean[c];
                mean[c] += delta * (nb / total);
                m2[c] += m2b + delta * delta * (n * nb / total);
            }
        }
        n = total;
    }
    float* __restrict scale = s.f0;
    float* __restrict shift = s.f1;
    const double m = bn.momentum;
    for (int64_t c = 0; c < width; ++c) {
        const float mean_f = static_cast<float>(mean[c]);
        const float invstd = static_cast<float>(1.0 / std::sqrt(m2[c] / rows + bn.eps));
        scale[c] = bn.gamma[c] * invstd;
        shift[c] = bn.beta[c] - mean_f * scale[c];
        if (!cache) continue;
        cache->mean[c] = mean_f;
        cache->invstd[c] = invstd;
        cache->scale[c] = scale[c];
        cache->shift[c] = shift[c];
        // The bias shifts the mean only; the running variance is the unbiased one.
        bn.running_mean[c] = static_cast<float>((1.0 - m) * bn.running_mean[c] + m * (mean[c] + bias[c]));
        bn.running_var[c] = static_cast<float>((1.0 - m) * bn.running_var[c] + m * m2[c] / (rows - 1));
    }
}

IDLAB_VECTOR_CLONES
void scale_shift_leaky(const float* h, const float* __restrict scale,
                       const float* __restrict shift, int64_t count, int64_t width, float slope,
                       float* a) {
    for (int64_t r = 0; r < count; ++r) {
        const float* hr = h + r * width;
        float* ar = a + r * width;
        for (int64_t c = 0; c < width; ++c) ar[c] = leaky(hr[c] * scale[c] + shift[c], slope);
    }
}

namespace {
IDLAB_VECTOR_CLONES
void grad_sums(const float* __restrict g, const float* __restrict h, const float* __restrict mean,
               const float* __restrict scale, const float* __restrict shift, int64_t count,
               int64_t width, float slope, float* __restrict sum_dy,
               float* __restrict sum_dy_centred) {
    fill(sum_dy, width, 0.0f);
    fill(sum_dy_centred, width, 0.0f);
    int64_t r = 0;
    for (; r + kRowGroup <= count; r += kRowGroup) {
        const float* g0 = g + r * width;
        const float *g1 = g0 + width, *g2 = g1 + width, *g3 = g2 + width;
        const float* h0 = h + r * width;
        const float *h1 = h0 + width, *h2 = h1 + width, *h3 = h2 + width;
        for (int64_t c = 0; c < width; ++c) {
            const float sc = scale[c], sh = shift[c], m = mean[c];
            const float dy0 = g0[c] * leaky_derivative(h0[c] * sc + sh, slope);
            const float dy1 = g1[c] * leaky_derivative(h1[c] * sc + sh, slope);
            const float dy2 = g2[c] * leaky_derivative(h2[c] * sc + sh, slope);
            const float dy3 = g3[c] * leaky_derivative(h3[c] * sc + sh, slope);
            sum_dy[c] = sum_dy[c] + dy0 + dy1 + dy2 + dy3;
            sum_dy_centred[c] = sum_dy_centred[c] + dy0 * (h0[c] - m) + dy1 * (h1[c] - m) +
                                dy2 * (h2[c] - m) + dy3 * (h3[c] - m);
        }
    }
    for (; r < count; ++r) {
        const float* gr = g + r * width;
        const float* hr = h + r * width;
        for (int64_t c = 0; c < width; ++c) {
            const float dy = gr[c] * leaky_derivative(hr[c] * scale[c] + shift[c], slope);
            sum_dy[c] += dy;
            sum_dy_centred[c] += dy * (hr[c] - mean[c]);
        }
    }
}
}  // namespace

void bn_block_grad_sums(const float* g, const float* h, const BatchNormCache& cache,
                        int64_t count, int64_t width, float slope, float* sums) {
    grad_sums(g, h, cache.mean, cache.scale, cache.shift, count, width, slope, sums, sums + width);
}

// With xhat = (h - mean) invstd:
//   dh = gamma invstd (dy - mean(dy) - xhat mean(dy xhat))
//      = coef dy - ((h - mean) slope_h + offset),  coef = gamma invstd,
//        slope_h = coef invstd mean(dy xhat),  offset = coef mean(dy).
IDLAB_VECTOR_CLONES
void bn_grad_coefficients(const float* sums, int64_t rows, int64_t width,
                          const BatchNormCache& cache, const float* gamma, ChannelScratch s,
                          float* dgamma, float* dbeta) {
    double* __restrict sum_dy = s.acc0;
    double* __restrict sum_dy_centred = s.acc1;
    fill(sum_dy, width, 0.0);
    fill(sum_dy_centred, width, 0.0);
    for (int64_t b = 0; b < block_count(rows); ++b) {
        const float* block = sums + b * grad_sums_size(width);
        for (int64_t c = 0; c < width; ++c) {
            sum_dy[c] += block[c];
            sum_dy_centred[c] += block[width + c];
        }
    }
    float* __restrict coef = s.f0;
    float* __restrict slope_h = s.f1;
    float* __restrict offset = s.f2;
    for (int64_t c = 0; c < width; ++c) {
        const double invstd = cache.invstd[c];
        const double sum_dy_xhat = sum_dy_centred[c] * invstd;
        const double k = static_cast<double>(gamma[c]) * invstd;
        coef[c] = static_cast<float>(k);
        slope_h[c] = static_cast<float>(k * invstd * sum_dy_xhat / rows);
        offset[c] = static_cast<float>(k * sum_dy[c] / rows);
        if (dbeta) dbeta[c] = static_cast<float>(sum_dy[c]);
        if (dgamma) dgamma[c] = static_cast<float>(sum_dy_xhat);
    }
}

namespace {
IDLAB_VECTOR_CLONES
void input_grad(float* __restrict g, const float* __restrict h, const float* __restrict mean,
                const float* __restrict scale, const float* __restrict shift,
                const float* __restrict coef, const float* __restrict slope_h,
                const float* __restrict offset, int64_t count, int64_t width, float slope,
                float* __restrict sum) {
    fill(sum, width, 0.0f);
    auto dh_of = [&](float gv, float hv, int64_t c) {
        const float dy = gv * leaky_derivative(hv * scale[c] + shift[c], slope);
        return coef[c] * dy - ((hv - mean[c]) * slope_h[c] + offset[c]);
    };
    int64_t r = 0;
    for (; r + kRowGroup <= count; r += kRowGroup) {
        float* g0 = g + r * width;
        float *g1 = g0 + width, *g2 = g1 + width, *g3 = g2 + width;
        const float* h0 = h + r * width;
        const float *h1 = h0 + width, *h2 = h1 + width, *h3 = h2 + width;
        for (int64_t c = 0; c < width; ++c) {
            const float d0 = dh_of(g0[c], h0[c], c), d1 = dh_of(g1[c], h1[c], c);
            const float d2 = dh_of(g2[c], h2[c], c), d3 = dh_of(g3[c], h3[c], c);
            g0[c] = d0;
            g1[c] = d1;
            g2[c] = d2;
            g3[c] = d3;
            sum[c] = sum[c] + d0 + d1 + d2 + d3;
        }
    }
    for (; r < count; ++r) {
        float* gr = g + r * width;
        const float* hr = h + r * width;
        for (int64_t c = 0; c < width; ++c) {
            const float dh = dh_of(gr[c], hr[c], c);
            gr[c] = dh;
            sum[c] += dh;
        }
    }
}
}  // namespace

void bn_block_input_grad(float* g, const float* h, const BatchNormCache& cache, ChannelScratch s,
                         int64_t count, int64_t width, float slope, float* dh_sums) {
    input_grad(g, h, cache.mean, cache.scale, cache.shift, s.f0, s.f1, s.f2, count, width, slope,
               dh_sums);
}

IDLAB_VECTOR_CLONES
void bias_leaky_forward(const float* h, const float* bias, int64_t count, int64_t width,
                        float slope, float* a) {
    for (int64_t r = 0; r < count; ++r) {
        const float* hr = h + r * width;
        float* ar = a + r * width;
        for (int64_t c = 0; c < width; ++c) ar[c] = leaky(hr[c] + bias[c], slope);
    }
}

IDLAB_VECTOR_CLONES
void leaky_block_backward(float* __restrict g, const float* __restrict a, int64_t count,
                          int64_t width, float slope, float* __restrict dh_sums) {
    fill(dh_sums, width, 0.0f);
    for (int64_t r = 0; r < count; ++r) {
        float* gr = g + r * width;
        const float* ar = a + r * width;
        for (int64_t c = 0; c < width; ++c) {
            const float dh = gr[c] * leaky_derivative(ar[c], slope);
            gr[c] = dh;
            dh_sums[c] += dh;
        }
    }
}

IDLAB_VECTOR_CLONES
void block_column_sums(const float* __restrict a, int64_t count, int64_t width,
                       float* __restrict sums) {
    fill(sums, width, 0.0f);
    for (int64_t r = 0; r < count; ++r) {
        const float* row = a + r * width;
        for (int64_t c = 0; c < width; ++c) sums[c] += row[c];
    }
}

void combine_block_sums(const float* sums, int64_t blocks, int64_t width, int64_t first,
                        int64_t last, float* out) {
    for (int64_t c = first; c < last; ++c) {
        double total = 0.0;
        for (int64_t b = 0; b < blocks; ++b) total += sums[b * width + c];
        out[c] = static_cast<float>(total);
    }
}

// ---- whole batches

void bn_leaky_forward_train(const float* h, const float* bias, const BatchNormChannels& bn,
                            int64_t batch, int64_t width, float slope, ChannelScratch s,
                            float* block_scratch, const BatchNormCache& cache, float* a) {
    for (int64_t b = 0; b < block_count(batch); ++b)
        bn_block_moments(h + block_first_row(b) * width, block_size(b, batch), width,
                         block_scratch + b * moments_size(width));
    bn_batch_statistics(block_scratch, batch, width, bias, bn, s, &cache);
    scale_shift_leaky(h, cache.scale, cache.shift, batch, width, slope, a);
}

void bn_leaky_forward_eval(const float* h, const float* bias, const float* gamma,
                           const float* beta, const float* running_mean,
                           const float* running_var, float eps, int64_t count, int64_t width,
                           float slope, ChannelScratch s, float* a) {
    // Fold bias, running statistics and the affine map into one scale and shift per channel.
    float* scale = s.f0;
    float* shift = s.f1;
    for (int64_t c = 0; c < width; ++c) {
        const double sc = gamma[c] / std::sqrt(static_cast<double>(running_var[c]) + eps);
        scale[c] = static_cast<float>(sc);
        shift[c] = static_cast<float>(beta[c] + (static_cast<double>(bias[c]) - running_mean[c]) * sc);
    }
    scale_shift_leaky(h, scale, shift, count, width, slope, a);
}

void leaky_bn_backward(float* g, const float* h, const BatchNormCache& cache, const float* gamma,
                       int64_t batch, int64_t width, float slope, ChannelScratch s,
                       float* block_scratch, float* dgamma, float* dbeta, float* dbias) {
    const int64_t blocks = block_count(batch);
    for (int64_t b = 0; b < blocks; ++b) {
        const int64_t at = block_first_row(b) * width;
        bn_block_grad_sums(g + at, h + at, cache, block_size(b, batch), width, slope,
                           block_scratch + b * grad_sums_size(width));
    }
    bn_grad_coefficients(block_scratch, batch, width, cache, gamma, s, dgamma, dbeta);
    for (int64_t b = 0; b < blocks; ++b) {
        const int64_t at = block_first_row(b) * width;
        bn_block_input_grad(g + at, h + at, cache, s, block_size(b, batch), width, slope,
                            block_scratch + b * width);
    }
    // The bias gradient is analytically zero under batch norm; like autograd we report the
    // computed sum, which is zero up to rounding.
    combine_block_sums(block_scratch, blocks, width, 0, width, dbias);
}

void leaky_bias_backward(float* g, const float* a, int64_t batch, int64_t width, float slope,
                         float* block_scratch, float* dbias) {
    const int64_t blocks = block_count(batch);
    for (int64_t b = 0; b < blocks; ++b) {
        const int64_t at = block_first_row(b) * width;
        leaky_block_backward(g + at, a + at, block_size(b, batch), width, slope,
                             block_scratch + b * width);
    }
    combine_block_sums(block_scratch, blocks, width, 0, width, dbias);
}

}  // namespace idlab::core
