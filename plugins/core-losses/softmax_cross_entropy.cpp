#include "softmax_cross_entropy.hpp"

#include <algorithm>
#include <cmath>

namespace idlab::core {
namespace {

// Sum of a float row in double, in four independent chains so the additions overlap.
double row_sum(const float* a, int64_t n) {
    double acc[4] = {0.0, 0.0, 0.0, 0.0};
    int64_t j = 0;
    for (; j + 4 <= n; j += 4)
        for (int k = 0; k < 4; ++k) acc[k] += a[j + k];
    for (; j < n; ++j) acc[0] += a[j];
    return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

}  // namespace

double softmax_cross_entropy(float* scores, const int64_t* targets, int64_t batch,
                             int64_t classes, float beta, float smoothing, bool want_grad,
                             float grad_scale) {
    const double k = static_cast<double>(classes);
    const double on_target = 1.0 - smoothing;  // weight of the labelled class in q
    const double spread = smoothing / k;       // weight every class gets in q
    double loss_sum = 0.0;
    for (int64_t r = 0; r < batch; ++r) {
        float* s = scores + r * classes;
        const int64_t y = targets[r];
        const double logit_y = static_cast<double>(beta) * s[y];
        // Only label smoothing needs sum_j log p_j = beta sum_j s_j - classes * lse.
        const double logit_sum = smoothing > 0.0f ? beta * row_sum(s, classes) : 0.0;

        // Subtract the largest logit so no exponential overflows.
        float max_logit = beta * s[0];
        for (int64_t j = 1; j < classes; ++j) max_logit = std::max(max_logit, beta * s[j]);
        for (int64_t j = 0; j < classes; ++j) s[j] = std::exp(beta * s[j] - max_logit);
        const double exp_sum = row_sum(s, classes);
        const double log_sum_exp = max_logit + std::log(exp_sum);

        // -sum_j q_j log p_j with log p_j = logit_j - lse.
        double loss = -on_target * (logit_y - log_sum_exp);
        if (smoothing > 0.0f) loss -= spread * (logit_sum - k * log_sum_exp);
        loss_sum += loss;
        if (!want_grad) continue;

        // grad_j = scale (p_j - q_j). The target class in double: once it is learned, p_y and
        // q_y are both close to 1 and a float difference would lose the small remainder.
        const double target_grad = grad_scale * (s[y] / exp_sum - (on_target + spread));
        const float p_scale = static_cast<float>(grad_scale / exp_sum);
        const float q_scaled = static_cast<float>(grad_scale * spread);
        for (int64_t j = 0; j < classes; ++j) s[j] = p_scale * s[j] - q_scaled;
        s[y] = static_cast<float>(target_grad);
    }
    return loss_sum;
}

}  // namespace idlab::core
