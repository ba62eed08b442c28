// The law of a latent around a mean vector: the "conditional" p(z | v) of the data processes.
//  - vMF(v, kappa) on the sphere (the paper's Assumption 1C(iv)), exact (Wood 1994);
//  - v + independent per-coordinate noise (CoordinateNoise), either projected back onto the
//    sphere (the paper's misspecified Laplace / Normal / generalized-normal rows) or left as is
//    (the truncated Laplace of Appx. D, which leaves the sphere).
#pragma once

#include "scalar_laws.hpp"
#include "vmf_sampler.hpp"

#include <idlab/philox.hpp>

#include <cstdint>
#include <optional>

namespace idlab::core {

class LatentConditional {
public:
    static LatentConditional vmf(int64_t dim, double kappa);
    static LatentConditional additive(int64_t dim, CoordinateNoise noise, bool project_to_sphere);

    int64_t dim() const { return dim_; }
    bool is_vmf() const { return vmf_.has_value(); }
    // True when every draw lies on the unit sphere (vMF, or projected noise).
    bool on_sphere() const { return is_vmf() || project_; }
    const CoordinateNoise& noise() const { return noise_; }  // additive laws only

    // One draw around `mean` (dim values) into out (dim values); out must not alias mean.
    void sample(PhiloxStream& rng, const double* mean, double* out) const;

private:
    LatentConditional(int64_t dim, std::optional<VmfSampler> vmf, CoordinateNoise noise, bool project);

    int64_t dim_;
    std::optional<VmfSampler> vmf_;
    CoordinateNoise noise_;
    bool project_;
};

}  // namespace idlab::core
