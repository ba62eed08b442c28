// The element-wise and per-channel kernels of core.mlp on CUDA (the GEMMs are cuBLAS's).
// Each launcher enqueues on `stream`; all tensors are row-major float32 on the device.
#pragma once

#include "stream.hpp"

#include <cstdint>

namespace idlab::cuda::kernels {

// Per-channel values of BatchNorm1d in train mode, as the CPU keeps them (hidden_block.hpp).
struct BatchNormView {
    const float* gamma;
    const float* beta;
    float* running_mean;
    float* running_var;
    float* mean;    // batch mean of h
    float* invstd;  // 1 / sqrt(biased variance + eps)
    float* scale;   // gamma * invstd
    float* shift;   // beta - mean * scale
    float momentum;
    float eps;
};

// a = leaky(BN(h)) with batch statistics; updates the running statistics (which include
// `bias`, the Linear bias that BN itself cancels) and fills mean/invstd/scale/shift. One kernel.
void bn_leaky_train(const float* h, const float* bias, const BatchNormView& bn, int64_t batch,
                    int64_t width, float slope, float* a, cudaStream_t stream);

// a = leaky(BN(h + bias)) with the running statistics; a may alias h.
void bn_leaky_eval(const float* h, const float* bias, const float* gamma, const float* beta,
                   const float* running_mean, const float* running_var, float eps, int64_t batch,
                   int64_t width, float slope, float* a, cudaStream_t stream);

// a = leaky(h + bias); a may alias h.
void bias_leaky(const float* h, const float* bias, int64_t batch, int64_t width, float slope,
                float* a, cudaStream_t stream);

// The output layer's epilogue, one warp per row: y += bias (none when bias is null; then it
// is plain row normalisation); with `normalize`, keeps y in
// `pre` (if not null) and its norm in `norms` (if not null), then y /= max(|y|, 1e-12).
void output_rows(float* y, const float* bias, int64_t batch, int64_t width, bool normalize,
                 float* pre, float* norms, cudaStream_t stream);

// Back through the row normalisation: g = (df - f (f . df)) / n with f = pre / n.
void normalize_rows_backward(const float* pre, const float* norms, const float* df,
                             int64_t batch, int64_t width, float* g, cudaStream_t stream);

// Back through leaky(BN(h)) of bn_leaky_train: g holds dL/da on entry, dL/dh on exit; writes
// the gradients of gamma, beta and the Linear bias. One kernel.
void leaky_bn_backward(float* g, const float* h, const BatchNormView& bn, int64_t batch,
                       int64_t width, float slope, float* dgamma, float* dbeta, float* dbias,
                       cudaStream_t stream);

// Back through leaky(h + bias) from its output a: g = g * leaky'(a) in place, dbias = column sums.
void leaky_bias_backward(float* g, const float* a, int64_t batch, int64_t width, float slope,
                         float* dbias, cudaStream_t stream);

// sums[c] = sum over rows of g[r, c].
void column_sums(const float* g, int64_t batch, int64_t width, float* sums, cudaStream_t stream);

}  // namespace idlab::cuda::kernels
