// Reductions the losses finish with, each one block in a fixed order (same bits every run).
#pragma once

#include "stream.hpp"

#include <cstdint>

namespace idlab::cuda::kernels {

// The mean of `count` float64 values into *out (a float64 on the device).
void mean_of_rows(const double* rows, int64_t count, double* out, cudaStream_t stream);

// The sum of `count` float64 partials into *out as float.
void sum_partials(const double* partials, int64_t count, float* out, cudaStream_t stream);

}  // namespace idlab::cuda::kernels
