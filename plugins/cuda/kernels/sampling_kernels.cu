// Compiled with --fmad=false: every double expression of the samplers is evaluated as the CPU
// evaluates it (no fused multiply-adds), so that only the device's libm can differ.
#include "sampling_kernels.cuh"

#include "device_api.cuh"

namespace idlab::cuda::kernels {

namespace {

constexpr int kThreads = 128;

// Row j of a [dim, batch] scratch block: element k at base[k * batch + j] (coalesced).
__device__ inline StridedRow scratch_row(double* base, int64_t batch, int64_t j) {
    return StridedRow{base + j, batch};
}

__global__ void __launch_bounds__(kThreads)
clusters_kernel(ClusterSampler s, idlab_rng_t rng, int64_t batch, double* scratch, float* x,
                float* z, int64_t* label, int64_t* index) {
    const int64_t j = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
    if (j >= batch) return;
    const int64_t block = s.dim * batch;
    const SampleScratch w{scratch_row(scratch, batch, j), scratch_row(scratch + block, batch, j),
                          scratch_row(scratch + 2 * block, batch, j)};
    cluster_sample(s, rng, j, w, x, z, label, index);
}

__global__ void __launch_bounds__(kThreads)
pairs_kernel(PairSampler s, idlab_rng_t rng, int64_t batch, double* scratch, float* x,
             float* x_pos, float* z, float* z_pos) {
    const int64_t j = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
    if (j >= batch) return;
    const int64_t block = s.dim * batch;
    const PairScratch w{scratch_row(scratch, batch, j), scratch_row(scratch + block, batch, j),
                        scratch_row(scratch + 2 * block, batch, j),
                        scratch_row(scratch + 3 * block, batch, j)};
    pair_sample(s, rng, j, w, x, x_pos, z, z_pos);
}

unsigned blocks_for(int64_t batch) { return static_cast<unsigned>((batch + kThreads - 1) / kThreads); }

}  // namespace

void sample_clusters(const ClusterSampler& s, const idlab_rng_t& rng, int64_t batch,
                     double* scratch, float* x, float* z, int64_t* label, int64_t* index,
                     cudaStream_t stream) {
    if (batch == 0) return;
    IDLAB_LAUNCH(clusters_kernel, blocks_for(batch), kThreads, stream,
                 s, rng, batch, scratch, x, z, label, index);
    IDLAB_CHECK_LAUNCH("sample_clusters");
}

void sample_pairs(const PairSampler& s, const idlab_rng_t& rng, int64_t batch, double* scratch,
                  float* x, float* x_pos, float* z, float* z_pos, cudaStream_t stream) {
    if (batch == 0) return;
    IDLAB_LAUNCH(pairs_kernel, blocks_for(batch), kThreads, stream,
                 s, rng, batch, scratch, x, x_pos, z, z_pos);
    IDLAB_CHECK_LAUNCH("sample_pairs");
}

}  // namespace idlab::cuda::kernels
