// The samplers the CUDA data components run on the GPU (plugins/cuda/sampling) are core-data's
// per-sample code written once more for a device. Run on the host, they must draw exactly the
// CPU components' batches, bit for bit, for every law and option: the same Philox words in the
// same order through the same double arithmetic. (On a GPU only the last bits of log, exp, sin
// and cos may differ; the GPU parity tests bound that.)
#include "core-data/vmf_clusters_harness.hpp"

#include "contrastive_pairs.hpp"
#include "sampling/sampler_setup.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

using namespace idlab::test;

namespace {

// The mirror's batch for `data`, drawn on the host with stride-1 scratch rows.
struct MirrorBatch {
    std::vector<float> x, z;
    std::vector<int64_t> label, index;
};

MirrorBatch mirror_clusters(const idlab::core::VmfClusters& data, const idlab_rng_t& rng, int64_t batch) {
    idlab::cuda::ClusterSampler s = idlab::cuda::cluster_sampler(data);
    const std::vector<double> matrices = idlab::cuda::mixing_matrices(data.mixing());
    s.centers = data.cluster_vectors().data();
    s.mixing.matrices = matrices.data();
    const int64_t d = s.dim;
    std::vector<double> a(static_cast<size_t>(d)), b(a.size()), c(a.size());
    MirrorBatch out{std::vector<float>(static_cast<size_t>(batch * d)), std::vector<float>(static_cast<size_t>(batch * d)),
                    std::vector<int64_t>(static_cast<size_t>(batch)), std::vector<int64_t>(static_cast<size_t>(batch))};
    for (int64_t j = 0; j < batch; ++j)
        idlab::cuda::cluster_sample(s, rng, j, {{a.data(), 1}, {b.data(), 1}, {c.data(), 1}}, out.x.data(),
                                    out.z.data(), out.label.data(), out.index.data());
    return out;
}

void check_same_clusters(ConfigBuilder& config, uint64_t seed = 13) {
    auto data = make_vmf_clusters(config, seed);
    const idlab_exec_ctx_t ctx = sample_ctx(seed, 77);
    const int64_t batch = 400;
    VmfBatch want = draw(*data, ctx, batch);
    const MirrorBatch got = mirror_clusters(*data, ctx.rng, batch);
    CHECK(std::memcmp(got.x.data(), want.x.data(), got.x.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(got.z.data(), want.z.data(), got.z.size() * sizeof(float)) == 0);
    CHECK(got.label == std::vector<int64_t>(want.label.data(), want.label.data() + batch));
    CHECK(got.index == std::vector<int64_t>(want.index.data(), want.index.data() + batch));
}

}  // namespace

TEST_CASE("mirror: core.vmf_clusters' batches, bit for bit", "[cuda][mirror]") {
    SECTION("the paper's default (vMF, d = 5)") {
        ConfigBuilder c = vmf_clusters_config(5, 100, 1000, 10.0, 4, 200);
        check_same_clusters(c);
    }
    SECTION("d = 20, kappa 50, no mixing") {
        ConfigBuilder c = vmf_clusters_config(20, 40, 500, 50.0, 0, 1);
        check_same_clusters(c);
    }
    SECTION("label noise") {
        ConfigBuilder c = vmf_clusters_config(4, 10, 100, 5.0, 2, 50);
        c.set_float("label_noise", 0.3);
        check_same_clusters(c);
    }
    for (const char* conditional : {"laplace", "normal", "truncated_laplace", "gennorm"})
        SECTION(std::string("conditional ") + conditional) {
            ConfigBuilder c = vmf_clusters_config(5, 12, 100, 10.0, 2, 50);
            c.set_string("conditional", conditional).set_float("conditional_scale", 0.3);
            check_same_clusters(c);
        }
    for (double shape : {0.5, 3.0})
        SECTION("gennorm with shape " + std::to_string(shape)) {
            ConfigBuilder c = vmf_clusters_config(3, 8, 100, 10.0, 2, 50);
            c.set_string("conditional", "gennorm").set_float("conditional_shape", shape);
            check_same_clusters(c);
        }
    SECTION("cluster vectors around e1") {
        ConfigBuilder c = vmf_clusters_config(5, 12, 100, 10.0, 2, 50);
        c.set_string("cluster_distribution", "laplace").set_float("cluster_scale", 0.5);
        check_same_clusters(c);
    }
}

TEST_CASE("mirror: core.contrastive_pairs' batches, bit for bit", "[cuda][mirror]") {
    struct Case {
        const char* space;
        const char* conditional;
        double scale;
    };
    for (const Case& k : {Case{"box", "normal", 0.05}, Case{"box", "laplace", 0.3}, Case{"sphere", "vmf", 0.0},
                          Case{"sphere", "normal", 0.2}, Case{"sphere", "laplace", 0.2}}) {
        INFO(k.space << " / " << k.conditional);
        ConfigBuilder c;
        c.set_int("latent_dim", 4)
            .set_string("space", k.space)
            .set_string("conditional", k.conditional)
            .set_float("conditional_scale", k.scale > 0 ? k.scale : 0.05)
            .set_float("kappa", 20.0)
            .set_int("mixing_layers", 3)
            .set_int("mixing_trials", 50)
            .set_float("mixing_slope", 0.2);
        const idlab_create_ctx_t cctx = data_create_ctx(3);
        idlab::core::ContrastivePairs data(idlab::CreateContext(&cctx), idlab::Config(c.get()));
        const idlab_exec_ctx_t ctx = sample_ctx(3, 12);
        const int64_t batch = 200, d = 4;
        OwnedTensor<float> x({batch, d}), x_pos({batch, d}), z({batch, d}), z_pos({batch, d});
        std::vector<idlab_named_tensor_t> items = {{"x", x.view()}, {"x_pos", x_pos.view()}, {"z", z.view()}, {"z_pos", z_pos.view()}};
        idlab_tensor_set_t set{4, items.data()};
        data.sample(ctx, batch, idlab::TensorSet(&set));

        idlab::cuda::PairSampler s = idlab::cuda::pair_sampler(data, 20.0);
        const std::vector<double> matrices = idlab::cuda::mixing_matrices(data.mixing());
        s.mixing.matrices = matrices.data();
        std::vector<double> w0(d), w1(d), w2(d), w3(d);
        std::vector<float> gx(static_cast<size_t>(batch * d)), gxp(gx.size()), gz(gx.size()), gzp(gx.size());
        for (int64_t j = 0; j < batch; ++j)
            idlab::cuda::pair_sample(s, ctx.rng, j, {{w0.data(), 1}, {w1.data(), 1}, {w2.data(), 1}, {w3.data(), 1}},
                                     gx.data(), gxp.data(), gz.data(), gzp.data());
        CHECK(std::memcmp(gx.data(), x.data(), gx.size() * sizeof(float)) == 0);
        CHECK(std::memcmp(gxp.data(), x_pos.data(), gx.size() * sizeof(float)) == 0);
        CHECK(std::memcmp(gz.data(), z.data(), gx.size() * sizeof(float)) == 0);
        CHECK(std::memcmp(gzp.data(), z_pos.data(), gx.size() * sizeof(float)) == 0);
    }
}
