// The element-wise part of a hidden block, fused into few passes over the activation:
//     (h + bias) -> BatchNorm1d (optional) -> LeakyReLU(slope)
// h is the GEMM output x W^T without bias. All tensors are row-major [batch, width].
#pragma once

#include <cstdint>

namespace idlab::core {

// One BatchNorm1d layer's per-channel arrays (each `width` long).
struct BatchNormChannels {
    const float* gamma;
    const float* beta;
    float* running_mean;
    float* running_var;
    float momentum;
    float eps;
};

// Per-channel scratch the kernels use (each `width` long); owned by the caller so the kernels
// never allocate.
struct ChannelScratch {
    double* acc0;
    double* acc1;
    float* f0;
    float* f1;
};

// Train mode with batch statistics (biased variance for normalising, unbiased variance into the
// running estimate, as PyTorch). Writes invstd[width] and xhat for backward, and a = the block
// output. Requires batch >= 2.
void bn_leaky_forward_train(const float* h, const float* bias, const BatchNormChannels& bn,
                            int64_t batch, int64_t width, float slope, ChannelScratch s,
                            float* invstd, float* xhat, float* a);

// Eval mode with the running statistics. `a` may alias `h`.
void bn_leaky_forward_eval(const float* h, const float* bias, const float* gamma,
                           const float* beta, const float* running_mean,
                           const float* running_var, float eps, int64_t batch, int64_t width,
                           float slope, ChannelScratch s, float* a);

// Without batch norm. `a` may alias `h`.
void bias_leaky_forward(const float* h, const float* bias, int64_t batch, int64_t width,
                        float slope, float* a);

// Backward of bn_leaky_forward_train. g holds dL/da on entry and dL/dh on exit; writes the
// gradients of gamma, beta and the linear bias (overwrites).
void leaky_bn_backward(float* g, const float* a, const float* xhat, const float* gamma,
                       const float* invstd, int64_t batch, int64_t width, float slope,
                       ChannelScratch s, float* dgamma, float* dbeta, float* dbias);

// Backward of bias_leaky_forward: g holds dL/da on entry and dL/dh on exit.
void leaky_bias_backward(float* g, const float* a, int64_t batch, int64_t width, float slope,
                         ChannelScratch s, float* dbias);

}  // namespace idlab::core
