// The fused InfoNCE of core.infonce on CUDA (features up to kMaxDim = 64 wide). Anchors h
// (rows [0, B) of the stacked features), positives p (rows [B, 2B)), negatives of anchor i all
// anchors h_k; logits L_ik = sim(h_i, h_k) / tau and L_i+ = sim(h_i, p_i) / tau, sim the dot
// product or minus the squared distance. Like the CPU loss (plugins/core-losses/infonce.cpp),
// with A_ik = softmax_ik / B, a_i = (softmax_i+ - 1) / B, c_k = sum_i A_ik and coef = 1/tau
// (dot) or 2/tau (distance):
//   dh_m = coef [ (A H)_m + (A^T H)_m - [distance] c_m h_m + a_m p_m ]
//   dp_m = coef a_m (dot: h_m, distance: h_m - p_m)
// anchors() sweeps the negatives per anchor (loss, log-sum-exp, the anchor-role terms and dp);
// negatives() sweeps the anchors per negative (the (A^T H) and c terms). The B x B logits are
// never stored.
#pragma once

#include "stream.hpp"

#include <cstdint>

namespace idlab::cuda::kernels {

struct InfoNceProblem {
    const float* features;  // [2B, dim]
    int64_t batch, dim;     // B
    float inv_tau;
    bool distance;
};

// row_loss[i] and lse[i]; with dfeatures ([2B, dim]) not null, writes the anchor-role part of
// dh and all of dp.
void infonce_anchors(const InfoNceProblem& p, double* row_loss, float* lse, float* dfeatures,
                     cudaStream_t stream);

// Adds the negative-role part to dh (rows [0, B) of dfeatures), from the stored lse.
void infonce_negatives(const InfoNceProblem& p, const float* lse, float* dfeatures,
                       cudaStream_t stream);

}  // namespace idlab::cuda::kernels
