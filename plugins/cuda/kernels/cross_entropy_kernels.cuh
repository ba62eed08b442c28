// The fused softmax cross-entropy of core.cross_entropy on CUDA, for features up to
// kMaxDim (64) wide and any number of classes (DIET: one per instance, up to 1e5 and more).
// Nothing of size [batch, classes] is ever stored:
//   rows():       one sweep over the classes per sample: log-sum-exp, the row loss and, for
//                 training, d loss / d features = beta / batch (E_p[w] - E_q[w]);
//   head_grad():  one sweep over the samples per class: d loss / d W = beta G^T f, G the
//                 softmax minus the target distribution, recomputed from the stored
//                 log-sum-exps; with learn_temperature also the per-block parts of dL/dbeta.
// The target distribution is PyTorch's label smoothing, q = (1 - eps) onehot + eps / classes.
#pragma once

#include "stream.hpp"

#include <cstdint>

namespace idlab::cuda::kernels {

struct CrossEntropyProblem {
    const float* features;  // [batch, dim] (unit rows with normalize_features)
    const float* head;      // [classes, dim]
    const int64_t* targets; // [batch]
    const float* beta;      // the inverse temperature, on the device (trainable)
    const float* head_sum;  // [dim] column sums of the head (needed when smoothing > 0)
    int64_t batch, classes, dim;
    float smoothing;
};

// row_loss[r] (NaN for a target outside [0, classes)) and lse[r]; with dfeatures not null,
// the gradient with respect to the features it read.
void cross_entropy_rows(const CrossEntropyProblem& p, double* row_loss, float* lse,
                        float* dfeatures, cudaStream_t stream);

// Blocks head_grad() launches (the length of `partials`).
int64_t cross_entropy_head_blocks(int64_t classes);

// head_grad[j] = beta * sum_r G_rj f_r; with partials not null, partials[b] = the part of
// sum_j <G^T f, w_j> (dL/dbeta) of block b's classes.
void cross_entropy_head_grad(const CrossEntropyProblem& p, const float* lse, float* head_grad,
                             double* partials, cudaStream_t stream);

}  // namespace idlab::cuda::kernels
