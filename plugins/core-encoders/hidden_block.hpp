// The element-wise part of a hidden block, fused into few passes over the activation:
//     (h + bias) -> BatchNorm1d (optional) -> LeakyReLU(slope)
// h is the GEMM output x W^T without bias. All tensors are row-major [rows, width].
//
// A batch is cut into blocks of kBlockRows rows. Everything that sums over the batch (the batch
// statistics, the gradient sums of batch norm, the bias gradients) is summed in float within a
// block and in double across blocks, in block order. So the kernels work on whole blocks, and the
// members of a thread team can each take some blocks (rows) of a layer: the per-block sums they
// leave are combined the same way whoever made them, and the result does not depend on how the
// blocks were shared out. Costs per activation: the training forward reads h three times (two
// passes per block for the moments, then the normalisation) and writes the output once; the
// backward reads the incoming gradient and h twice and writes the gradient once. The normalised
// activation is never stored: backward recomputes it from h and the per-channel values in
// BatchNormCache.
#pragma once

#include <cstdint>

namespace idlab::core {

inline constexpr int64_t kBlockRows = 64;

inline int64_t block_count(int64_t rows) { return (rows + kBlockRows - 1) / kBlockRows; }
// The rows of block b of a batch of `rows`: [first, first + count).
inline int64_t block_first_row(int64_t b) { return b * kBlockRows; }
inline int64_t block_size(int64_t b, int64_t rows) {
    const int64_t left = rows - b * kBlockRows;
    return left < kBlockRows ? left : kBlockRows;
}

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

// Sizes of the per-block sums, in floats, for a layer of `width` channels.
inline int64_t moments_size(int64_t width) { return 3 * width; }
inline int64_t grad_sums_size(int64_t width) { return 2 * width; }

// ---- training forward with batch norm, in three steps:
// 1. For every block of h [count, width]: its channel moments into moments[moments_size(width)]
//    (block mean, then the sums of the deviations from it and of their squares).
void bn_block_moments(const float* h, int64_t count, int64_t width, float* moments);
// 2. From the moments of all blocks of a batch of `rows` (block b at b * moments_size(width)):
//    scale and shift of every channel into s.f0 and s.f1 (biased variance, as PyTorch); when
//    `cache` is not null also the cache for backward and the running statistics (unbiased
//    variance), which one caller per batch must update. Requires rows >= 2.
void bn_batch_statistics(const float* moments, int64_t rows, int64_t width, const float* bias,
                         const BatchNormChannels& bn, ChannelScratch s, const BatchNormCache* cache);
// 3. a = LeakyReLU(h * scale + shift) for rows of h [count, width]. `a` may alias `h`.
void scale_shift_leaky(const float* h, const float* scale, const float* shift, int64_t count,
                       int64_t width, float slope, float* a);

// ---- backward of the above, in three steps, for g = dL/da:
// 1. For every block of g and h [count, width]: the sums of dy and of dy * (h - mean), where
//    dy = g * LeakyReLU'(h * scale + shift), into sums[grad_sums_size(width)].
void bn_block_grad_sums(const float* g, const float* h, const BatchNormCache& cache,
                        int64_t count, int64_t width, float slope, float* sums);
// 2. From the sums of all blocks: the per-channel coefficients of the input gradient into s.f0,
//    s.f1, s.f2; when dgamma and dbeta are not null also those gradients (overwritten).
void bn_grad_coefficients(const float* sums, int64_t rows, int64_t width,
                          const BatchNormCache& cache, const float* gamma, ChannelScratch s,
                          float* dgamma, float* dbeta);
// 3. For a block: g = dL/dh in place, and the block's column sums of dL/dh (the bias gradient's
//    part) into dh_sums[width].
void bn_block_input_grad(float* g, const float* h, const BatchNormCache& cache, ChannelScratch s,
                         int64_t count, int64_t width, float slope, float* dh_sums);

// ---- without batch norm
// a = LeakyReLU(h + bias) for rows of h [count, width]. `a` may alias `h`.
void bias_leaky_forward(const float* h, const float* bias, int64_t count, int64_t width,
                        float slope, float* a);
// For a block of g = dL/da and the block output a: g = dL/dh in place (the sign of the output is
// the sign of the input for slope >= 0), and its column sums into dh_sums[width].
void leaky_block_backward(float* g, const float* a, int64_t count, int64_t width, float slope,
                          float* dh_sums);

// ---- sums over blocks
// Column sums of a block a [count, width] into sums[width] (float).
void block_column_sums(const float* a, int64_t count, int64_t width, float* sums);
// out[c] = the sum over `blocks` blocks (block b at b * width) of sums[c], in double, in block
// order; for channels [first, last).
void combine_block_sums(const float* sums, int64_t blocks, int64_t width, int64_t first,
                        int64_t last, float* out);

// ---- whole batches on one thread (the steps above, block after block)
// Train mode: fills `cache`, updates the running statistics and writes a. Requires batch >= 2.
// `a` must not overlap `h`. `block_scratch` holds block_count(batch) * moments_size(width) floats.
void bn_leaky_forward_train(const float* h, const float* bias, const BatchNormChannels& bn,
                            int64_t batch, int64_t width, float slope, ChannelScratch s,
                            float* block_scratch, const BatchNormCache& cache, float* a);
// Eval mode with the running statistics. `a` may alias `h`.
void bn_leaky_forward_eval(const float* h, const float* bias, const float* gamma,
                           const float* beta, const float* running_mean,
                           const float* running_var, float eps, int64_t count, int64_t width,
                           float slope, ChannelScratch s, float* a);
// Backward of bn_leaky_forward_train: g holds dL/da on entry and dL/dh on exit; writes the
// gradients of gamma, beta and the linear bias (overwrites). `block_scratch` as above.
void leaky_bn_backward(float* g, const float* h, const BatchNormCache& cache, const float* gamma,
                       int64_t batch, int64_t width, float slope, ChannelScratch s,
                       float* block_scratch, float* dgamma, float* dbeta, float* dbias);
// Backward of bias_leaky_forward from its output a: g holds dL/da on entry and dL/dh on exit;
// writes the bias gradient. `block_scratch` holds block_count(batch) * width floats.
void leaky_bias_backward(float* g, const float* a, int64_t batch, int64_t width, float slope,
                         float* block_scratch, float* dbias);

}  // namespace idlab::core
