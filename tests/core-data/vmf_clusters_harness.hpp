// Test helper: builds core.vmf_clusters with small defaults and draws batches into owned tensors.
#pragma once

#include "vmf_clusters.hpp"
#include "support/config_builder.hpp"
#include "support/tensor.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace idlab::test {

// Every parameter of core.vmf_clusters (the spec's defaults for the conditional, cluster-vector
// and label-noise options), with few mixing trials so that creation is quick.
inline ConfigBuilder vmf_clusters_config(int64_t latent_dim = 5, int64_t clusters = 10,
                                         int64_t samples = 100, double kappa = 10.0,
                                         int64_t mixing_layers = 4, int64_t mixing_trials = 200) {
    ConfigBuilder c;
    c.set_int("latent_dim", latent_dim)
        .set_int("clusters", clusters)
        .set_int("samples", samples)
        .set_float("kappa", kappa)
        .set_string("cluster_distribution", "uniform")
        .set_float("cluster_scale", 1.0)
        .set_float("cluster_shape", 2.0)
        .set_string("conditional", "vmf")
        .set_float("conditional_scale", 1.0)
        .set_float("conditional_shape", 2.0)
        .set_float("truncation", 2.0)
        .set_float("label_noise", 0.0)
        .set_bool("check_assumptions", true)
        .set_int("mixing_layers", mixing_layers)
        .set_int("mixing_trials", mixing_trials)
        .set_float("mixing_slope", 0.2);
    return c;
}

inline idlab_create_ctx_t data_create_ctx(uint64_t seed, uint32_t threads = 1) {
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.seed = seed;
    ctx.stage = "data";
    ctx.threads = threads;
    return ctx;
}

inline std::unique_ptr<idlab::core::VmfClusters> make_vmf_clusters(ConfigBuilder& config,
                                                                   uint64_t seed = 7,
                                                                   uint32_t threads = 1) {
    const idlab_create_ctx_t ctx = data_create_ctx(seed, threads);
    return std::make_unique<idlab::core::VmfClusters>(idlab::CreateContext(&ctx),
                                                      idlab::Config(config.get()));
}

inline idlab_exec_ctx_t sample_ctx(uint64_t seed, uint64_t counter,
                                   uint64_t stream = IDLAB_RNG_STREAM_TRAIN) {
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.rng = idlab_rng_t{seed, stream, counter};
    ctx.training = 1;
    return ctx;
}

// One batch of every field of core.vmf_clusters.
struct VmfBatch {
    VmfBatch(int64_t batch, int64_t dim) : x({batch, dim}), z({batch, dim}), label({batch}), index({batch}) {}
    OwnedTensor<float> x, z;
    OwnedTensor<int64_t> label, index;
};

inline VmfBatch draw(idlab::core::VmfClusters& data, const idlab_exec_ctx_t& ctx, int64_t batch) {
    VmfBatch b(batch, data.latent_dim());
    std::vector<idlab_named_tensor_t> items = {{"x", b.x.view()},
                                               {"z", b.z.view()},
                                               {"label", b.label.view()},
                                               {"index", b.index.view()}};
    idlab_tensor_set_t set{static_cast<uint32_t>(items.size()), items.data()};
    data.sample(ctx, batch, idlab::TensorSet(&set));
    return b;
}

}  // namespace idlab::test
