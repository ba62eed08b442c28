#include "reductions.cuh"

#include "device_api.cuh"

namespace idlab::cuda::kernels {

namespace {

constexpr int kReduceThreads = 1024;

// Sum of v over the block, in a fixed tree order; the total in thread 0.
__device__ double block_sum(double v, double* scratch) {
    scratch[threadIdx.x] = v;
    __syncthreads();
    for (int half = kReduceThreads / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) scratch[threadIdx.x] += scratch[threadIdx.x + half];
        __syncthreads();
    }
    return scratch[0];
}

__global__ void __launch_bounds__(kReduceThreads)
mean_of_rows_kernel(const double* __restrict__ rows, int64_t count, double* __restrict__ out) {
    __shared__ double scratch[kReduceThreads];
    double part = 0.0;
    for (int64_t i = threadIdx.x; i < count; i += kReduceThreads) part += rows[i];
    const double total = block_sum(part, scratch);
    if (threadIdx.x == 0) *out = total / static_cast<double>(count);
}

__global__ void __launch_bounds__(kReduceThreads)
sum_partials_kernel(const double* __restrict__ partials, int64_t count, float* __restrict__ out) {
    __shared__ double scratch[kReduceThreads];
    double part = 0.0;
    for (int64_t i = threadIdx.x; i < count; i += kReduceThreads) part += partials[i];
    const double total = block_sum(part, scratch);
    if (threadIdx.x == 0) *out = static_cast<float>(total);
}

}  // namespace

void mean_of_rows(const double* rows, int64_t count, double* out, cudaStream_t stream) {
    IDLAB_LAUNCH(mean_of_rows_kernel, 1, kReduceThreads, stream, rows, count, out);
    IDLAB_CHECK_LAUNCH("mean_of_rows");
}

void sum_partials(const double* partials, int64_t count, float* out, cudaStream_t stream) {
    IDLAB_LAUNCH(sum_partials_kernel, 1, kReduceThreads, stream, partials, count, out);
    IDLAB_CHECK_LAUNCH("sum_partials");
}

}  // namespace idlab::cuda::kernels
