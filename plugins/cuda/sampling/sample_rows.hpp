// One sample of core.vmf_clusters and of core.contrastive_pairs, exactly as their sample()
// loops draw sample j (see sample_laws.hpp for how the laws are mirrored). The CUDA data
// components run one thread per sample through these functions; tests/cuda runs them on the
// host against the CPU components.
#pragma once

#include "sample_laws.hpp"

namespace idlab::cuda {

// Everything core.vmf_clusters draws a batch from (cluster vectors and mixing live in memory
// the caller provides: host or device).
struct ClusterSampler {
    int64_t dim = 0, clusters = 0, samples = 0;
    double label_noise = 0.0;
    const double* centers = nullptr;  // [clusters, dim], row-major
    ConditionalParams conditional;
    MixingParams mixing;
};

// Per-sample work space: three rows of `dim` doubles.
struct SampleScratch {
    StridedRow a, b, c;
};

// Sample j of a batch drawn with `rng` (VmfClusters::sample); rows of x and z are `dim`
// floats, row-major.
IDLAB_HOST_DEVICE inline void cluster_sample(const ClusterSampler& s, const idlab_rng_t& rng_ctx,
                                             int64_t j, SampleScratch w, float* x, float* z,
                                             int64_t* label, int64_t* index) {
    PhiloxStream rng = PhiloxStream::for_sample(rng_ctx, static_cast<uint64_t>(j));
    const int64_t i = static_cast<int64_t>(rng.uniform_index(static_cast<uint64_t>(s.samples)));
    const int64_t c = i % s.clusters;
    conditional_draw(rng, s.conditional, ConstRow{s.centers + c * s.dim, 1}, w.a, s.dim);
    mixing_apply(s.mixing, ConstRow{w.a.p, w.a.stride}, w.b, w.c, s.dim);
    for (int64_t k = 0; k < s.dim; ++k) {
        z[j * s.dim + k] = static_cast<float>(w.a[k]);
        x[j * s.dim + k] = static_cast<float>(w.b[k]);
    }
    index[j] = i;
    label[j] = c;
    if (s.label_noise > 0.0) {
        if (rng.uniform() < s.label_noise)
            index[j] = static_cast<int64_t>(rng.uniform_index(static_cast<uint64_t>(s.samples)));
        if (rng.uniform() < s.label_noise)
            label[j] = static_cast<int64_t>(rng.uniform_index(static_cast<uint64_t>(s.clusters)));
    }
}

// Everything core.contrastive_pairs draws a batch from.
struct PairSampler {
    int64_t dim = 0;
    int32_t sphere = 0;  // anchors on S^(d-1), else on the box [0, 1]^d
    ConditionalParams conditional;
    MixingParams mixing;
};

// Per-sample work space: four rows of `dim` doubles.
struct PairScratch {
    StridedRow z, z_pos, x, scratch;
};

// Sample j (ContrastivePairs::sample): anchor, positive, then both observations.
IDLAB_HOST_DEVICE inline void pair_sample(const PairSampler& s, const idlab_rng_t& rng_ctx,
                                          int64_t j, PairScratch w, float* x, float* x_pos,
                                          float* z, float* z_pos) {
    PhiloxStream rng = PhiloxStream::for_sample(rng_ctx, static_cast<uint64_t>(j));
    const int64_t d = s.dim;
    if (s.sphere) {
        uniform_on_sphere(rng, w.z, d);
        conditional_draw(rng, s.conditional, ConstRow{w.z.p, w.z.stride}, w.z_pos, d);
    } else {
        for (int64_t k = 0; k < d; ++k) w.z[k] = rng.uniform();
        // Coordinate-wise rejection: only the coordinates outside the box are redrawn.
        for (int64_t k = 0; k < d; ++k) {
            double v;
            do {
                v = w.z[k] + noise_draw(rng, s.conditional.noise);
            } while (v < 0.0 || v > 1.0);
            w.z_pos[k] = v;
        }
    }
    for (int64_t k = 0; k < d; ++k) {
        z[j * d + k] = static_cast<float>(w.z[k]);
        z_pos[j * d + k] = static_cast<float>(w.z_pos[k]);
    }
    mixing_apply(s.mixing, ConstRow{w.z.p, w.z.stride}, w.x, w.scratch, d);
    for (int64_t k = 0; k < d; ++k) x[j * d + k] = static_cast<float>(w.x[k]);
    mixing_apply(s.mixing, ConstRow{w.z_pos.p, w.z_pos.stride}, w.x, w.scratch, d);
    for (int64_t k = 0; k < d; ++k) x_pos[j * d + k] = static_cast<float>(w.x[k]);
}

}  // namespace idlab::cuda
