#include "batch_norm2d.hpp"

#include <cmath>

namespace idlab::cnn {

BatchNorm2d::BatchNorm2d(int64_t channels, float momentum, float eps)
    : momentum_(momentum), eps_(eps) {
    gamma.assign(channels, 1.0f);
    beta.assign(channels, 0.0f);
    grad_gamma.assign(channels, 0.0f);
    grad_beta.assign(channels, 0.0f);
    running_mean.assign(channels, 0.0f);
    running_var.assign(channels, 1.0f);
    batch_mean_.assign(channels, 0.0f);
    batch_invstd_.assign(channels, 0.0f);
}

void BatchNorm2d::forward_train(const float* h, int64_t batch, int64_t plane, float* y) {
    const int64_t channels = this->channels();
    const double count = static_cast<double>(batch * plane);
    const double m = momentum_;
    for (int64_t c = 0; c < channels; ++c) {
        double sum = 0.0;
        for (int64_t n = 0; n < batch; ++n) {
            const float* p = h + (n * channels + c) * plane;
            for (int64_t i = 0; i < plane; ++i) sum += p[i];
        }
        const double mean = sum / count;
        double squares = 0.0;  // around the mean: accurate even when the mean is large
        for (int64_t n = 0; n < batch; ++n) {
            const float* p = h + (n * channels + c) * plane;
            for (int64_t i = 0; i < plane; ++i) {
                const double d = p[i] - mean;
                squares += d * d;
            }
        }
        const double invstd = 1.0 / std::sqrt(squares / count + eps_);
        batch_mean_[c] = static_cast<float>(mean);
        batch_invstd_[c] = static_cast<float>(invstd);
        running_mean[c] = static_cast<float>((1.0 - m) * running_mean[c] + m * mean);
        running_var[c] = static_cast<float>((1.0 - m) * running_var[c] + m * squares / (count - 1.0));

        const float scale = static_cast<float>(gamma[c] * invstd);
        const float shift = static_cast<float>(beta[c] - mean * gamma[c] * invstd);
        for (int64_t n = 0; n < batch; ++n) {
            const float* p = h + (n * channels + c) * plane;
            float* q = y + (n * channels + c) * plane;
            for (int64_t i = 0; i < plane; ++i) q[i] = p[i] * scale + shift;
        }
    }
}

void BatchNorm2d::forward_eval(const float* h, int64_t batch, int64_t plane, float* y) const {
    const int64_t channels = this->channels();
    for (int64_t c = 0; c < channels; ++c) {
        const double invstd = 1.0 / std::sqrt(static_cast<double>(running_var[c]) + eps_);
        const float scale = static_cast<float>(gamma[c] * invstd);
        const float shift = static_cast<float>(beta[c] - running_mean[c] * gamma[c] * invstd);
        for (int64_t n = 0; n < batch; ++n) {
            const float* p = h + (n * channels + c) * plane;
            float* q = y + (n * channels + c) * plane;
            for (int64_t i = 0; i < plane; ++i) q[i] = p[i] * scale + shift;
        }
    }
}

void BatchNorm2d::backward(const float* h, float* g, int64_t batch, int64_t plane) {
    const int64_t channels = this->channels();
    const double count = static_cast<double>(batch * plane);
    for (int64_t c = 0; c < channels; ++c) {
        const float mean = batch_mean_[c], invstd = batch_invstd_[c];
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int64_t n = 0; n < batch; ++n) {
            const float* hp = h + (n * channels + c) * plane;
            const float* gp = g + (n * channels + c) * plane;
            for (int64_t i = 0; i < plane; ++i) {
                sum_dy += gp[i];
                sum_dy_xhat += static_cast<double>(gp[i]) * ((hp[i] - mean) * invstd);
            }
        }
        grad_beta[c] = static_cast<float>(sum_dy);
        grad_gamma[c] = static_cast<float>(sum_dy_xhat);
        // dh = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat))
        const float coef = gamma[c] * invstd;
        const float mean_dy = static_cast<float>(sum_dy / count);
        const float mean_dy_xhat = static_cast<float>(sum_dy_xhat / count);
        for (int64_t n = 0; n < batch; ++n) {
            const float* hp = h + (n * channels + c) * plane;
            float* gp = g + (n * channels + c) * plane;
            for (int64_t i = 0; i < plane; ++i) {
                const float xhat = (hp[i] - mean) * invstd;
                gp[i] = coef * (gp[i] - mean_dy - xhat * mean_dy_xhat);
            }
        }
    }
}

}  // namespace idlab::cnn
