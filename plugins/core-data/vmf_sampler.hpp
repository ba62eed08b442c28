// Exact von Mises-Fisher sampling on the unit sphere S^(d-1) (Wood 1994). Everything is double
// precision and reads its randomness from a PhiloxStream, so a sample depends only on that
// stream. The Gamma and Beta draws it needs live in scalar_laws.hpp.
#pragma once

#include "scalar_laws.hpp"

#include <idlab/philox.hpp>

#include <cstdint>

namespace idlab::core {

// vMF(mu, kappa) on S^(dim-1): density proportional to exp(kappa * mu^T z).
class VmfSampler {
public:
    VmfSampler(int64_t dim, double kappa);

    int64_t dim() const { return dim_; }
    double kappa() const { return kappa_; }

    // The cosine w = mu^T z, by Wood's rejection scheme.
    double sample_cosine(PhiloxStream& rng) const;

    // One sample around the unit vector mu (length dim) into out (length dim); out must not
    // alias mu. Draws the cosine first, then a uniform tangent direction from Gaussians.
    void sample(PhiloxStream& rng, const double* mu, double* out) const;

private:
    int64_t dim_;
    double kappa_;
    double b_;   // Wood's envelope parameters, fixed by (dim, kappa)
    double x0_;
    double c_;
};

}  // namespace idlab::core
