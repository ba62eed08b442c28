#include "softmax_cross_entropy.hpp"

#include "fast_exp.hpp"
#include <idlab/vector_clones.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

// The loops below are written for the vectoriser: `omp simd reduction` (compiled with
// -fopenmp-simd, no OpenMP runtime) allows it to split a maximum or a float sum into lanes, which
// it may not do on its own because that reorders float additions. Float lane sums run over
// chunks of kChunk entries and the chunk totals are added in double, so a row of 10^4 classes
// loses no more than a row of 256 would. Every function with such a loop carries
// IDLAB_VECTOR_CLONES itself: a helper without it would not be inlined into the AVX2 clone of its
// caller for sure, and would then run as SSE2 code.

namespace idlab::core {
namespace {

constexpr int64_t kChunk = 256;

IDLAB_VECTOR_CLONES
float row_max(const float* s, int64_t n) {
    float top = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : top)
    for (int64_t j = 0; j < n; ++j) top = s[j] > top ? s[j] : top;
    return top;
}

IDLAB_VECTOR_CLONES
double row_sum(const float* s, int64_t n) {
    double total = 0.0;
    for (int64_t start = 0; start < n; start += kChunk) {
        const int64_t end = std::min(n, start + kChunk);
        float chunk = 0.0f;
#pragma omp simd reduction(+ : chunk)
        for (int64_t j = start; j < end; ++j) chunk += s[j];
        total += chunk;
    }
    return total;
}

// s_j <- exp(beta s_j - shift); returns the sum of the new values.
IDLAB_VECTOR_CLONES
double exp_shifted_in_place(float* s, int64_t n, float beta, float shift) {
    double total = 0.0;
    for (int64_t start = 0; start < n; start += kChunk) {
        const int64_t end = std::min(n, start + kChunk);
        float chunk = 0.0f;
#pragma omp simd reduction(+ : chunk)
        for (int64_t j = start; j < end; ++j) {
            const float e = fast_exp(beta * s[j] - shift);
            s[j] = e;
            chunk += e;
        }
        total += chunk;
    }
    return total;
}

}  // namespace

IDLAB_VECTOR_CLONES
double softmax_cross_entropy_row(float* s, int64_t classes, int64_t target, float beta,
                                 float smoothing, bool want_grad, float grad_scale) {
    const double k = static_cast<double>(classes);
    const double on_target = 1.0 - smoothing;  // weight of the labelled class in q
    const double spread = smoothing / k;       // weight every class gets in q
    const double logit_target = static_cast<double>(beta) * s[target];
    // Only label smoothing needs sum_j log p_j = beta sum_j s_j - classes * lse.
    const double logit_sum = smoothing > 0.0f ? beta * row_sum(s, classes) : 0.0;

    // Subtract the largest logit (beta > 0, so it belongs to the largest score) so that no
    // exponential overflows.
    const float shift = beta * row_max(s, classes);
    const double exp_sum = exp_shifted_in_place(s, classes, beta, shift);
    const double log_sum_exp = shift + std::log(exp_sum);

    // -sum_j q_j log p_j with log p_j = logit_j - lse.
    double loss = -on_target * (logit_target - log_sum_exp);
    if (smoothing > 0.0f) loss -= spread * (logit_sum - k * log_sum_exp);
    if (!want_grad) return loss;

    // grad_j = scale (p_j - q_j). The target class in double: once it is learned, p_y and q_y
    // are both close to 1 and a float difference would lose the small remainder.
    const double target_grad = grad_scale * (s[target] / exp_sum - (on_target + spread));
    const float p_scale = static_cast<float>(grad_scale / exp_sum);
    const float q_scaled = static_cast<float>(grad_scale * spread);
#pragma omp simd
    for (int64_t j = 0; j < classes; ++j) s[j] = p_scale * s[j] - q_scaled;
    s[target] = static_cast<float>(target_grad);
    return loss;
}

double softmax_cross_entropy(float* scores, const int64_t* targets, int64_t batch,
                             int64_t classes, float beta, float smoothing, bool want_grad,
                             float grad_scale) {
    double loss_sum = 0.0;
    for (int64_t r = 0; r < batch; ++r)
        loss_sum += softmax_cross_entropy_row(scores + r * classes, classes, targets[r], beta,
                                              smoothing, want_grad, grad_scale);
    return loss_sum;
}

}  // namespace idlab::core
