// The unit sphere S^(dim-1): projecting a vector onto it and drawing uniformly from it.
#pragma once

#include <idlab/philox.hpp>

#include <cstdint>

namespace idlab::core {

// Scales v (dim values) to unit L2 norm. Returns false and leaves v unchanged when its norm is
// too small to divide by (a measure-zero event for continuous draws; callers redraw).
bool project_to_sphere(double* v, int64_t dim);

// A uniform point of S^(dim-1): a standard Gaussian vector, normalised.
void sample_uniform_on_sphere(PhiloxStream& rng, double* out, int64_t dim);

}  // namespace idlab::core
