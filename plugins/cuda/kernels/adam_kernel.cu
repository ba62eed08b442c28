// Compiled with --fmad=false: the update is the CPU's float expression, operation by operation.
#include "adam_kernel.cuh"

#include "device_api.cuh"

namespace idlab::cuda::kernels {

namespace {

constexpr int kThreads = 256;

template <bool kWeightDecay>
__global__ void __launch_bounds__(kThreads)
adam_kernel(AdamTensors tensors, const AdamChunk* __restrict__ chunks, AdamScalars k, int64_t t,
            int64_t* __restrict__ step) {
    const AdamChunk chunk = chunks[blockIdx.x];
    float* p = tensors.values[chunk.tensor] + chunk.start;
    const float* grad = tensors.grads[chunk.tensor] + chunk.start;
    float* m = tensors.exp_avg[chunk.tensor] + chunk.start;
    float* v = tensors.exp_avg_sq[chunk.tensor] + chunk.start;
    for (int i = threadIdx.x; i < chunk.count; i += kThreads) {
        const float g = kWeightDecay ? grad[i] + k.weight_decay * p[i] : grad[i];
        const float mi = k.b1 * m[i] + k.one_minus_b1 * g;
        const float vi = k.b2 * v[i] + k.one_minus_b2 * g * g;
        m[i] = mi;
        v[i] = vi;
        p[i] += k.neg_step_size * (mi / (sqrtf(vi) / k.bc2_sqrt + k.eps));
    }
    if (blockIdx.x == 0 && threadIdx.x == 0) *step = t;
}

}  // namespace

void adam_step(const AdamTensors& tensors, const AdamChunk* chunks, int64_t chunk_count,
               const AdamScalars& k, int64_t t, int64_t* step, cudaStream_t stream) {
    if (chunk_count == 0) return;
    const unsigned blocks = static_cast<unsigned>(chunk_count);
    if (k.weight_decay != 0.0f)
        IDLAB_LAUNCH(adam_kernel<true>, blocks, kThreads, stream, tensors, chunks, k, t, step);
    else
        IDLAB_LAUNCH(adam_kernel<false>, blocks, kThreads, stream, tensors, chunks, k, t, step);
    IDLAB_CHECK_LAUNCH("adam_step");
}

}  // namespace idlab::cuda::kernels
