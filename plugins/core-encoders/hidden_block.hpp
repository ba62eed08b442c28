// The element-wise part of a hidden block, fused into few passes over the activation:
//     (h + bias) -> BatchNorm1d (optional) -> LeakyReLU(slope)
// h is the GEMM output x W^T without bias. All tensors are row-major [batch, width].
//
// Costs per [batch, width] activation: the training forward reads h twice and writes the output
// once; the backward reads the incoming gradient and h twice and writes the gradient once. The
// normalised activation is never stored: backward recomputes it from h and the per-channel
// values in BatchNormCache. Sums run in float over blocks of rows and in double across blocks.
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

// What a training forward leaves per channel for backward (each `width` long, caller-owned).
struct BatchNormCache {
    float* mean;    // batch mean of h
    float* invstd;  // 1 / sqrt(biased batch variance + eps)
    float* scale;   // gamma * invstd
    float* shift;   // beta - mean * scale: the LeakyReLU input is h * scale + shift
};

// Per-channel scratch the kernels use (each `width` long); owned by the caller so the kernels
// never allocate.
struct ChannelScratch {
    double* acc0;
    double* acc1;
    float* f0;
    float* f1;
    float* f2;
    float* f3;
};

// Train mode with batch statistics (biased variance for normalising, unbiased variance into the
// running estimate, as PyTorch). Fills `cache` and writes a = the block output. Requires
// batch >= 2. `a` must not overlap `h`.
void bn_leaky_forward_train(const float* h, const float* bias, const BatchNormChannels& bn,
                            int64_t batch, int64_t width, float slope, ChannelScratch s,
                            const BatchNormCache& cache, float* a);

// Eval mode with the running statistics. `a` may alias `h`.
void bn_leaky_forward_eval(const float* h, const float* bias, const float* gamma,
                           const float* beta, const float* running_mean,
                           const float* running_var, float eps, int64_t batch, int64_t width,
                           float slope, ChannelScratch s, float* a);

// Without batch norm. `a` may alias `h`.
void bias_leaky_forward(const float* h, const float* bias, int64_t batch, int64_t width,
                        float slope, float* a);

// Backward of bn_leaky_forward_train, from its input h and cache. g holds dL/da on entry and
// dL/dh on exit; writes the gradients of gamma, beta and the linear bias (overwrites).
void leaky_bn_backward(float* g, const float* h, const BatchNormCache& cache, const float* gamma,
                       int64_t batch, int64_t width, float slope, ChannelScratch s,
                       float* dgamma, float* dbeta, float* dbias);

// Backward of bias_leaky_forward, from its output a: g holds dL/da on entry and dL/dh on exit.
void leaky_bias_backward(float* g, const float* a, int64_t batch, int64_t width, float slope,
                         ChannelScratch s, float* dbias);

}  // namespace idlab::core
