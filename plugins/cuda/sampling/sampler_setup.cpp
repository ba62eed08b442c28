#include "sampler_setup.hpp"

namespace idlab::cuda {

namespace {
int32_t law_code(core::NoiseLaw law) {
    switch (law) {
        case core::NoiseLaw::Normal: return kNoiseNormal;
        case core::NoiseLaw::Laplace: return kNoiseLaplace;
        case core::NoiseLaw::TruncatedLaplace: return kNoiseTruncatedLaplace;
        case core::NoiseLaw::GeneralizedNormal: return kNoiseGeneralizedNormal;
    }
    return kNoiseNormal;
}
}  // namespace

ConditionalParams conditional_params(const core::LatentConditional& conditional, int64_t dim,
                                     double kappa) {
    ConditionalParams p;
    p.is_vmf = conditional.is_vmf() ? 1 : 0;
    if (p.is_vmf) {
        p.vmf = vmf_envelope(dim, kappa);
        return p;
    }
    const core::CoordinateNoise& n = conditional.noise();
    p.noise.law = law_code(n.law);
    p.noise.scale = n.scale;
    p.noise.shape = n.shape;
    p.noise.bound = n.bound;
    p.project = conditional.on_sphere() ? 1 : 0;  // additive laws on the sphere are projected
    return p;
}

std::vector<double> mixing_matrices(const core::MixingMlp& mixing) {
    const int64_t d = mixing.dim();
    std::vector<double> all;
    all.reserve(static_cast<size_t>(mixing.layers() * d * d));
    for (int64_t l = 0; l < mixing.layers(); ++l)
        all.insert(all.end(), mixing.matrix(l), mixing.matrix(l) + d * d);
    return all;
}

MixingParams mixing_params(const core::MixingMlp& mixing) {
    MixingParams g;
    g.layers = mixing.layers();
    g.slope = mixing.slope();
    return g;
}

ClusterSampler cluster_sampler(const core::VmfClusters& data) {
    ClusterSampler s;
    s.dim = data.latent_dim();
    s.clusters = data.clusters();
    s.samples = data.samples();
    s.label_noise = data.label_noise();
    s.conditional = conditional_params(data.conditional(), s.dim, data.kappa());
    s.mixing = mixing_params(data.mixing());
    return s;
}

PairSampler pair_sampler(const core::ContrastivePairs& data, double kappa) {
    PairSampler s;
    s.dim = data.latent_dim();
    s.sphere = data.on_sphere() ? 1 : 0;
    s.conditional = conditional_params(data.conditional(), s.dim, kappa);
    s.mixing = mixing_params(data.mixing());
    return s;
}

}  // namespace idlab::cuda
