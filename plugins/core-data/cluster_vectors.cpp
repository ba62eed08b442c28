#include "cluster_vectors.hpp"

#include "latent_conditional.hpp"
#include "sphere.hpp"

namespace idlab::core {

std::vector<double> draw_cluster_vectors(PhiloxStream& rng, int64_t count, int64_t dim,
                                         const std::optional<CoordinateNoise>& noise_around_e1) {
    std::vector<double> vectors(static_cast<size_t>(count * dim));
    if (!noise_around_e1) {
        for (int64_t c = 0; c < count; ++c)
            sample_uniform_on_sphere(rng, &vectors[static_cast<size_t>(c * dim)], dim);
        return vectors;
    }
    // "e1 + noise, projected" is the projected additive conditional around e1.
    const LatentConditional around = LatentConditional::additive(dim, *noise_around_e1, true);
    std::vector<double> e1(static_cast<size_t>(dim), 0.0);
    e1[0] = 1.0;
    for (int64_t c = 0; c < count; ++c)
        around.sample(rng, e1.data(), &vectors[static_cast<size_t>(c * dim)]);
    return vectors;
}

}  // namespace idlab::core
