// Exact von Mises-Fisher sampling on the unit sphere S^(d-1) (Wood 1994), with the Gamma and
// Beta draws it needs. Everything is double precision and reads its randomness from a
// PhiloxStream, so a sample depends only on that stream.
#pragma once

#include <idlab/philox.hpp>

#include <cstdint>

namespace idlab::core {

// Gamma(shape, rate 1), shape > 0 (Marsaglia-Tsang 2000; shape < 1 through the boost
// Gamma(a) = Gamma(a + 1) * U^(1/a)).
double sample_gamma(PhiloxStream& rng, double shape);

// Beta(a, a) as X / (X + Y) with X, Y ~ Gamma(a).
double sample_beta_symmetric(PhiloxStream& rng, double a);

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
