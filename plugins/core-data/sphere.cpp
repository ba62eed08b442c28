#include "sphere.hpp"

#include <cmath>

namespace idlab::core {

bool project_to_sphere(double* v, int64_t dim) {
    double norm2 = 0.0;
    for (int64_t k = 0; k < dim; ++k) norm2 += v[k] * v[k];
    if (!(norm2 >= 1e-300)) return false;
    const double inv = 1.0 / std::sqrt(norm2);
    for (int64_t k = 0; k < dim; ++k) v[k] *= inv;
    return true;
}

void sample_uniform_on_sphere(PhiloxStream& rng, double* out, int64_t dim) {
    do {
        for (int64_t k = 0; k < dim; ++k) out[k] = rng.normal();
    } while (!project_to_sphere(out, dim));
}

}  // namespace idlab::core
