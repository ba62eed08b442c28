#include "vmf_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace idlab::core {

VmfSampler::VmfSampler(int64_t dim, double kappa) : dim_(dim), kappa_(kappa) {
    if (dim < 2) throw std::invalid_argument("vMF sampler: dimension must be at least 2");
    if (!(kappa > 0.0) || !std::isfinite(kappa))
        throw std::invalid_argument("vMF sampler: kappa must be positive and finite");
    const double m1 = static_cast<double>(dim - 1);
    // This form of b avoids the cancellation of (-2k + sqrt(4k^2 + m1^2)) / m1 for large kappa.
    b_ = m1 / (std::sqrt(4.0 * kappa * kappa + m1 * m1) + 2.0 * kappa);
    x0_ = (1.0 - b_) / (1.0 + b_);
    c_ = kappa * x0_ + m1 * std::log(1.0 - x0_ * x0_);
}

double VmfSampler::sample_cosine(PhiloxStream& rng) const {
    const double m1 = static_cast<double>(dim_ - 1);
    for (;;) {
        const double z = sample_beta_symmetric(rng, 0.5 * m1);
        const double w = (1.0 - (1.0 + b_) * z) / (1.0 - (1.0 - b_) * z);
        const double u = rng.uniform();
        if (kappa_ * w + m1 * std::log(1.0 - x0_ * w) - c_ >= std::log(u)) return w;
    }
}

void VmfSampler::sample(PhiloxStream& rng, const double* mu, double* out) const {
    const double w = sample_cosine(rng);
    // Uniform direction orthogonal to mu: a Gaussian vector with its mu-component removed.
    double norm2 = 0.0;
    do {
        double dot = 0.0;
        for (int64_t k = 0; k < dim_; ++k) {
            out[k] = rng.normal();
            dot += out[k] * mu[k];
        }
        norm2 = 0.0;
        for (int64_t k = 0; k < dim_; ++k) {
            out[k] -= dot * mu[k];
            norm2 += out[k] * out[k];
        }
    } while (norm2 < 1e-300);  // measure zero; guards the division below
    const double scale = std::sqrt(std::max(0.0, 1.0 - w * w) / norm2);
    for (int64_t k = 0; k < dim_; ++k) out[k] = scale * out[k] + w * mu[k];
}

}  // namespace idlab::core
