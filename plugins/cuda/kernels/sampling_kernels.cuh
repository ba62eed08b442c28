// The data processes' batches drawn on the GPU, one thread per sample, through the same
// per-sample code the CPU mirror runs (sampling/sample_rows.hpp).
#pragma once

#include "../sampling/sample_rows.hpp"

#include "stream.hpp"

#include <cstdint>

namespace idlab::cuda::kernels {

// scratch: 3 * dim * batch doubles.
void sample_clusters(const ClusterSampler& s, const idlab_rng_t& rng, int64_t batch,
                     double* scratch, float* x, float* z, int64_t* label, int64_t* index,
                     cudaStream_t stream);

// scratch: 4 * dim * batch doubles.
void sample_pairs(const PairSampler& s, const idlab_rng_t& rng, int64_t batch, double* scratch,
                  float* x, float* x_pos, float* z, float* z_pos, cudaStream_t stream);

}  // namespace idlab::cuda::kernels
