// The row-wise part of the cross-entropy: log-softmax of scaled scores, the loss with
// PyTorch-style label smoothing, and its gradient with respect to the logits.
#pragma once

#include <cstdint>

namespace idlab::core {

// One row: scores s[0, classes) are unscaled, the logits are beta * s (beta > 0), and
// target lies in [0, classes) (checked by the caller). The target distribution is
// q = (1 - smoothing) * onehot(target) + smoothing / classes; the function returns the row's
// loss -sum_j q_j log softmax(beta * s)_j. When want_grad, s is overwritten with
// grad_scale * (softmax(beta * s) - q), i.e. d loss / d logits times grad_scale; otherwise with
// scratch values.
// Three passes over the row (maximum; exponentials and their sum; gradient), vectorised; the
// exponentials are float32 (fast_exp.hpp), the sums that decide the loss are kept in double.
double softmax_cross_entropy_row(float* s, int64_t classes, int64_t target, float beta,
                                 float smoothing, bool want_grad, float grad_scale);

// softmax_cross_entropy_row for each row of scores [batch, classes] with its targets[r];
// returns the sum of the row losses.
double softmax_cross_entropy(float* scores, const int64_t* targets, int64_t batch,
                             int64_t classes, float beta, float smoothing, bool want_grad,
                             float grad_scale);

}  // namespace idlab::core
