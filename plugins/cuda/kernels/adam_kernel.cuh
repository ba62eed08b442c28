// core.adam on CUDA: one kernel updates every parameter of the run. The parameters are cut
// into chunks of kAdamChunk elements; block b updates chunk b, whatever tensor it belongs to.
#pragma once

#include "stream.hpp"

#include <cstdint>

namespace idlab::cuda::kernels {

constexpr int64_t kAdamChunk = 4096;

// Where each bound parameter lives (device arrays, one entry per parameter).
struct AdamTensors {
    float* const* values;
    const float* const* grads;
    float* const* exp_avg;
    float* const* exp_avg_sq;
};

// One chunk: elements [start, start + count) of parameter `tensor`.
struct AdamChunk {
    int32_t tensor;
    int32_t count;
    int64_t start;
};

// The per-step constants, computed on the host in double and rounded to float, as the CPU
// optimizer does (plugins/core-optim/adam.cpp).
struct AdamScalars {
    float b1, b2, one_minus_b1, one_minus_b2;
    float neg_step_size;  // -lr / (1 - beta1^t)
    float bc2_sqrt;       // sqrt(1 - beta2^t)
    float eps, weight_decay;
};

// Updates every chunk; also stores the step count t in *step (the optimizer's state tensor).
void adam_step(const AdamTensors& tensors, const AdamChunk* chunks, int64_t chunk_count,
               const AdamScalars& k, int64_t t, int64_t* step, cudaStream_t stream);

}  // namespace idlab::cuda::kernels
