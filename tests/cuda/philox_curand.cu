// The SDK's Philox4x32-10 (idlab/philox.hpp, what every idlab sampler draws from) against
// cuRAND's own implementation of the generator, on the GPU.
#include <idlab/philox.hpp>

#include <curand_philox4x32_x.h>

#include <cuda_runtime.h>

#include <cstdint>

namespace {

__global__ void compare(uint64_t n, unsigned long long* mismatches) {
    const uint64_t i = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x;
    if (i >= n) return;
    // Counters and keys spread over all four (two) words.
    const uint32_t a = static_cast<uint32_t>(i * 2654435761u), b = static_cast<uint32_t>(i >> 7);
    idlab::PhiloxCounter c{{a, b ^ 0x9e3779b9u, static_cast<uint32_t>(i), 0xffffffffu - a}};
    idlab::PhiloxKey k{{b * 40503u, a ^ 0x5bd1e995u}};
    const idlab::PhiloxCounter ours = idlab::philox4x32_10(c, k);
    const uint4 theirs = curand_Philox4x32_10(make_uint4(c.w[0], c.w[1], c.w[2], c.w[3]), make_uint2(k.w[0], k.w[1]));
    if (ours.w[0] != theirs.x || ours.w[1] != theirs.y || ours.w[2] != theirs.z || ours.w[3] != theirs.w)
        atomicAdd(mismatches, 1ull);
}

}  // namespace

// How many of n (counter, key) pairs give other words than cuRAND does, or -1 when the GPU failed.
long long philox_mismatches_against_curand(uint64_t n) {
    unsigned long long* d = nullptr;
    if (cudaMalloc(&d, sizeof *d) != cudaSuccess) return -1;
    cudaMemset(d, 0, sizeof *d);
    compare<<<static_cast<unsigned>((n + 255) / 256), 256>>>(n, d);
    unsigned long long h = 0;
    const bool ok = cudaMemcpy(&h, d, sizeof h, cudaMemcpyDeviceToHost) == cudaSuccess;
    cudaFree(d);
    return ok ? static_cast<long long>(h) : -1;
}
