// The row-wise part of the cross-entropy: log-softmax of scaled scores, the loss with
// PyTorch-style label smoothing, and its gradient with respect to the logits.
#pragma once

#include <cstdint>

namespace idlab::core {

// scores: [batch, classes] unscaled logits s; the logits are beta * s. targets[r] must lie in
// [0, classes) (checked by the caller). The target distribution is
// q = (1 - smoothing) * onehot(target) + smoothing / classes and the per-row loss is
// -sum_j q_j log softmax(beta * s)_j. Returns the sum of the per-row losses.
// When want_grad, scores is overwritten with grad_scale * (softmax(beta * s) - q), i.e. the
// gradient w.r.t. the logits when grad_scale = 1 / batch; otherwise with scratch values.
// Exponentials are float32; the per-row sums that decide the loss are accumulated in double.
double softmax_cross_entropy(float* scores, const int64_t* targets, int64_t batch,
                             int64_t classes, float beta, float smoothing, bool want_grad,
                             float grad_scale);

}  // namespace idlab::core
