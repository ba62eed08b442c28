#include "hidden_block.hpp"

#include <cmath>

namespace idlab::core {

namespace {

inline float leaky(float y, float slope) { return y > 0.0f ? y : slope * y; }

// The LeakyReLU derivative read from its output: with slope >= 0, a > 0 exactly when y > 0.
inline float leaky_grad(float a, float slope) { return a > 0.0f ? 1.0f : slope; }

void zero(double* p, int64_t n) {
    for (int64_t i = 0; i < n; ++i) p[i] = 0.0;
}

}  // namespace

void bn_leaky_forward_train(const float* h, const float* bias, const BatchNormChannels& bn,
                            int64_t batch, int64_t width, float slope, ChannelScratch s,
                            float* invstd, float* xhat, float* a) {
    // Pass 1: channel means (the bias shifts the mean only, so it is added afterwards).
    double* sum = s.acc0;
    zero(sum, width);
    for (int64_t r = 0; r < batch; ++r) {
        const float* row = h + r * width;
        for (int64_t c = 0; c < width; ++c) sum[c] += row[c];
    }
    float* mean = s.f0;
    for (int64_t c = 0; c < width; ++c) mean[c] = static_cast<float>(sum[c] / batch);

    // Pass 2: biased variance around the mean (two-pass for accuracy).
    double* sq = s.acc1;
    zero(sq, width);
    for (int64_t r = 0; r < batch; ++r) {
        const float* row = h + r * width;
        for (int64_t c = 0; c < width; ++c) {
            const double d = static_cast<double>(row[c]) - mean[c];
            sq[c] += d * d;
        }
    }
    const double m = bn.momentum;
    for (int64_t c = 0; c < width; ++c) {
        const double var = sq[c] / batch;
        invstd[c] = static_cast<float>(1.0 / std::sqrt(var + bn.eps));
        const double unbiased = sq[c] / (batch - 1);
        bn.running_mean[c] = static_cast<float>((1.0 - m) * bn.running_mean[c] +
                                                m * (static_cast<double>(mean[c]) + bias[c]));
        bn.running_var[c] = static_cast<float>((1.0 - m) * bn.running_var[c] + m * unbiased);
    }

    // Pass 3: normalise, scale, shift, activate.
    for (int64_t r = 0; r < batch; ++r) {
        const float* hr = h + r * width;
        float* xr = xhat + r * width;
        float* ar = a + r * width;
        for (int64_t c = 0; c < width; ++c) {
            const float xh = (hr[c] - mean[c]) * invstd[c];
            xr[c] = xh;
            ar[c] = leaky(bn.gamma[c] * xh + bn.beta[c], slope);
        }
    }
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
    for (int64_t r = 0; r < batch; ++r) {
        const float* hr = h + r * width;
        float* ar = a + r * width;
        for (int64_t c = 0; c < width; ++c) ar[c] = leaky(hr[c] * scale[c] + shift[c], slope);
    }
}

void bias_leaky_forward(const float* h, const float* bias, int64_t batch, int64_t width,
                        float slope, float* a) {
    for (int64_t r = 0; r < batch; ++r) {
        const float* hr = h + r * width;
        float* ar = a + r * width;
        for (int64_t c = 0; c < width; ++c) ar[c] = leaky(hr[c] + bias[c], slope);
    }
}

void leaky_bn_backward(float* g, const float* a, const float* xhat, const float* gamma,
                       const float* invstd, int64_t batch, int64_t width, float slope,
                       ChannelScratch s, float* dgamma, float* dbeta, float* dbias) {
    // Pass 1: dy = da * leaky'(y) in place; dbeta = sum dy, dgamma = sum dy * xhat.
    double* sum_dy = s.acc0;
    double* sum_dy_xhat = s.acc1;
    zero(sum_dy, width);
    zero(sum_dy_xhat, width);
    for (int64_t r = 0; r < batch; ++r) {
        float* gr = g + r * width;
        const float* ar = a + r * width;
        const float* xr = xhat + r * width;
        for (int64_t c = 0; c < width; ++c) {
            const float dy = gr[c] * leaky_grad(ar[c], slope);
            gr[c] = dy;
            sum_dy[c] += dy;
            sum_dy_xhat[c] += static_cast<double>(dy) * xr[c];
        }
    }
    // Pass 2: dh = gamma * invstd / B * (B dy - sum dy - xhat * sum(dy xhat)).
    float* mean_dy = s.f0;
    float* mean_dy_xhat = s.f1;
    for (int64_t c = 0; c < width; ++c) {
        dbeta[c] = static_cast<float>(sum_dy[c]);
        dgamma[c] = static_cast<float>(sum_dy_xhat[c]);
        mean_dy[c] = static_cast<float>(sum_dy[c] / batch);
        mean_dy_xhat[c] = static_cast<float>(sum_dy_xhat[c] / batch);
    }
    double* sum_dh = s.acc0;
    zero(sum_dh, width);
    for (int64_t r = 0; r < batch; ++r) {
        float* gr = g + r * width;
        const float* xr = xhat + r * width;
        for (int64_t c = 0; c < width; ++c) {
            const float dh = gamma[c] * invstd[c] * (gr[c] - mean_dy[c] - xr[c] * mean_dy_xhat[c]);
            gr[c] = dh;
            sum_dh[c] += dh;
        }
    }
    // The bias gradient is analytically zero under batch norm; like autograd we report the
    // computed sum, which is zero up to rounding.
    for (int64_t c = 0; c < width; ++c) dbias[c] = static_cast<float>(sum_dh[c]);
}

void leaky_bias_backward(float* g, const float* a, int64_t batch, int64_t width, float slope,
                         ChannelScratch s, float* dbias) {
    double* sum = s.acc0;
    zero(sum, width);
    for (int64_t r = 0; r < batch; ++r) {
        float* gr = g + r * width;
        const float* ar = a + r * width;
        for (int64_t c = 0; c < width; ++c) {
            const float dh = gr[c] * leaky_grad(ar[c], slope);
            gr[c] = dh;
            sum[c] += dh;
        }
    }
    for (int64_t c = 0; c < width; ++c) dbias[c] = static_cast<float>(sum[c]);
}

}  // namespace idlab::core
