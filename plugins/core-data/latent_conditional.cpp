#include "latent_conditional.hpp"

#include "sphere.hpp"

#include <stdexcept>
#include <utility>

namespace idlab::core {

LatentConditional::LatentConditional(int64_t dim, std::optional<VmfSampler> vmf,
                                     CoordinateNoise noise, bool project)
    : dim_(dim), vmf_(std::move(vmf)), noise_(noise), project_(project) {
    if (dim < 1) throw std::invalid_argument("conditional: dimension must be at least 1");
}

LatentConditional LatentConditional::vmf(int64_t dim, double kappa) {
    return LatentConditional(dim, VmfSampler(dim, kappa), CoordinateNoise{}, false);
}

LatentConditional LatentConditional::additive(int64_t dim, CoordinateNoise noise,
                                              bool project_to_sphere) {
    return LatentConditional(dim, std::nullopt, noise, project_to_sphere);
}

void LatentConditional::sample(PhiloxStream& rng, const double* mean, double* out) const {
    if (vmf_) {
        vmf_->sample(rng, mean, out);
        return;
    }
    do {
        for (int64_t k = 0; k < dim_; ++k) out[k] = mean[k] + noise_.draw(rng);
    } while (project_ && !project_to_sphere(out, dim_));  // redraw the (measure-zero) origin
}

}  // namespace idlab::core
