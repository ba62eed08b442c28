// The CUDA plugin's kernels, run under the host emulation of CUDA (emulation/), against the
// CPU components they mirror. This checks the kernels' logic (indexing, barriers, shuffles,
// the online softmax, the gradient formulas, the samplers' draw order) on any machine; what it
// cannot check are the GPU's own rounding and cuBLAS (the GPU parity tests do).
#include "compare.hpp"

#include "core-data/vmf_clusters_harness.hpp"
#include "core-losses/infonce_fixture.hpp"
#include "core-losses/loss_fixture.hpp"

#include "adam.hpp"
#include "contrastive_pairs.hpp"
#include "hidden_block.hpp"
#include "unit_rows.hpp"

#include "kernels/adam_kernel.cuh"
#include "kernels/cross_entropy_kernels.cuh"
#include "kernels/infonce_kernels.cuh"
#include "kernels/mlp_kernels.cuh"
#include "kernels/reductions.cuh"
#include "kernels/sampling_kernels.cuh"
#include "sampling/sampler_setup.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <numeric>

using namespace idlab::cuda_test;
namespace kernels = idlab::cuda::kernels;
using idlab::test::OwnedTensor;

namespace {

constexpr cudaStream_t kStream = nullptr;

// Everything one hidden block's kernels read and write, for the CPU and the emulated GPU.
struct Block {
    int64_t batch, width;
    std::vector<float> h, bias, gamma, beta, rm, rv;
    Block(int64_t b, int64_t w, unsigned seed) : batch(b), width(w) {
        h = normal_floats(static_cast<size_t>(b * w), seed, 2.0f);
        for (size_t i = 0; i < h.size(); ++i) h[i] += 0.3f * static_cast<float>(i % static_cast<size_t>(w));
        bias = normal_floats(static_cast<size_t>(w), seed + 1);
        gamma = normal_floats(static_cast<size_t>(w), seed + 2);
        for (float& g : gamma) g = 1.0f + 0.3f * g;
        beta = normal_floats(static_cast<size_t>(w), seed + 3, 0.5f);
        rm = normal_floats(static_cast<size_t>(w), seed + 4, 0.1f);
        rv.assign(static_cast<size_t>(w), 1.5f);
    }
};

}  // namespace

TEST_CASE("emulated: fused bias + batch norm + LeakyReLU, train and backward, match the CPU", "[cuda][emulated]") {
    for (auto [batch, width] : {std::pair<int64_t, int64_t>{70, 37}, {256, 16}, {5, 3}}) {
        INFO("batch " << batch << ", width " << width);
        Block cpu(batch, width, 11), gpu(batch, width, 11);
        const size_t w = static_cast<size_t>(width), n = static_cast<size_t>(batch * width);
        const float slope = 0.01f;
        // CPU
        std::vector<double> acc0(w), acc1(w);
        std::vector<float> f0(w), f1(w), f2(w), f3(w);
        const idlab::core::ChannelScratch s{acc0.data(), acc1.data(), f0.data(), f1.data(), f2.data(), f3.data()};
        std::vector<float> mean(w), invstd(w), scale(w), shift(w), a(n);
        const idlab::core::BatchNormChannels bn{cpu.gamma.data(), cpu.beta.data(), cpu.rm.data(), cpu.rv.data(), 0.1f, 1e-5f};
        const idlab::core::BatchNormCache cache{mean.data(), invstd.data(), scale.data(), shift.data()};
        std::vector<float> blocks(static_cast<size_t>(idlab::core::block_count(batch) *
                                                      idlab::core::moments_size(width)));
        idlab::core::bn_leaky_forward_train(cpu.h.data(), cpu.bias.data(), bn, batch, width, slope, s,
                                            blocks.data(), cache, a.data());
        // emulated GPU
        std::vector<float> gmean(w), ginvstd(w), gscale(w), gshift(w), ga(n);
        const kernels::BatchNormView view{gpu.gamma.data(), gpu.beta.data(), gpu.rm.data(), gpu.rv.data(),
                                          gmean.data(), ginvstd.data(), gscale.data(), gshift.data(), 0.1f, 1e-5f};
        kernels::bn_leaky_train(gpu.h.data(), gpu.bias.data(), view, batch, width, slope, ga.data(), kStream);
        CHECK(relative_error(ga, a) < 1e-5);
        CHECK(relative_error(gmean, mean) < 1e-5);
        CHECK(relative_error(ginvstd, invstd) < 1e-5);
        CHECK(relative_error(gpu.rm, cpu.rm) < 1e-5);
        CHECK(relative_error(gpu.rv, cpu.rv) < 1e-5);

        // Backward from the same upstream gradient.
        std::vector<float> g = normal_floats(n, 99), gg = g;
        std::vector<float> dgamma(w), dbeta(w), dbias(w), gdgamma(w), gdbeta(w), gdbias(w);
        idlab::core::leaky_bn_backward(g.data(), cpu.h.data(), cache, cpu.gamma.data(), batch, width, slope, s,
                                       blocks.data(), dgamma.data(), dbeta.data(), dbias.data());
        kernels::leaky_bn_backward(gg.data(), gpu.h.data(), view, batch, width, slope, gdgamma.data(),
                                   gdbeta.data(), gdbias.data(), kStream);
        CHECK(relative_error(gg, g) < 1e-4);
        CHECK(relative_error(gdgamma, dgamma) < 1e-5);
        CHECK(relative_error(gdbeta, dbeta) < 1e-5);
        // The bias gradient is zero up to rounding on both sides.
        for (size_t c = 0; c < w; ++c) CHECK(std::abs(gdbias[c]) < 1e-3 * (1.0 + std::abs(dbeta[c])));
    }
}

TEST_CASE("emulated: eval batch norm, bias + LeakyReLU and its backward, column sums", "[cuda][emulated]") {
    const int64_t batch = 45, width = 21;
    Block b(batch, width, 5);
    const size_t w = static_cast<size_t>(width), n = static_cast<size_t>(batch * width);
    std::vector<double> acc0(w), acc1(w);
    std::vector<float> f0(w), f1(w), f2(w), f3(w);
    const idlab::core::ChannelScratch s{acc0.data(), acc1.data(), f0.data(), f1.data(), f2.data(), f3.data()};

    std::vector<float> a(n), ga(n);
    idlab::core::bn_leaky_forward_eval(b.h.data(), b.bias.data(), b.gamma.data(), b.beta.data(), b.rm.data(),
                                       b.rv.data(), 1e-5f, batch, width, 0.2f, s, a.data());
    kernels::bn_leaky_eval(b.h.data(), b.bias.data(), b.gamma.data(), b.beta.data(), b.rm.data(), b.rv.data(),
                           1e-5f, batch, width, 0.2f, ga.data(), kStream);
    CHECK(relative_error(ga, a) < 1e-6);

    idlab::core::bias_leaky_forward(b.h.data(), b.bias.data(), batch, width, 0.2f, a.data());
    kernels::bias_leaky(b.h.data(), b.bias.data(), batch, width, 0.2f, ga.data(), kStream);
    CHECK(ga == a);  // one add and one select: the same bits

    std::vector<float> g = normal_floats(n, 3), gg = g, dbias(w), gdbias(w);
    std::vector<float> blocks(static_cast<size_t>(idlab::core::block_count(batch) * width));
    idlab::core::leaky_bias_backward(g.data(), a.data(), batch, width, 0.2f, blocks.data(), dbias.data());
    kernels::leaky_bias_backward(gg.data(), ga.data(), batch, width, 0.2f, gdbias.data(), kStream);
    CHECK(gg == g);
    CHECK(relative_error(gdbias, dbias) < 1e-6);

    std::vector<float> sums(w);
    kernels::column_sums(g.data(), batch, width, sums.data(), kStream);
    for (size_t c = 0; c < w; ++c) {
        double want = 0.0;
        for (int64_t r = 0; r < batch; ++r) want += g[static_cast<size_t>(r) * w + c];
        CHECK(std::abs(sums[c] - want) < 1e-5 * (1.0 + std::abs(want)));
    }
}

TEST_CASE("emulated: the output rows' bias and normalisation, and its backward", "[cuda][emulated]") {
    const int64_t batch = 19, width = 70;  // wider than a warp
    const size_t n = static_cast<size_t>(batch * width);
    const std::vector<float> y0 = normal_floats(n, 8), bias = normal_floats(static_cast<size_t>(width), 9);
    std::vector<float> y = y0, pre(n), norms(static_cast<size_t>(batch));
    kernels::output_rows(y.data(), bias.data(), batch, width, true, pre.data(), norms.data(), kStream);
    std::vector<float> want(n), want_norms(static_cast<size_t>(batch));
    for (size_t i = 0; i < n; ++i) want[i] = y0[i] + bias[i % static_cast<size_t>(width)];
    CHECK(pre == want);
    idlab::core::normalize_rows(want.data(), batch, width, want_norms.data());
    CHECK(relative_error(y, want) < 1e-6);
    CHECK(relative_error(norms, want_norms) < 1e-6);
    // Without a bias it is plain row normalisation (the head's rows in case C3).
    std::vector<float> rows = y0, want_rows = y0;
    kernels::output_rows(rows.data(), nullptr, batch, width, true, nullptr, nullptr, kStream);
    idlab::core::normalize_rows(want_rows.data(), batch, width, nullptr);
    CHECK(relative_error(rows, want_rows) < 1e-6);

    const std::vector<float> df = normal_floats(n, 10);
    std::vector<float> g(n), want_g(n);
    kernels::normalize_rows_backward(pre.data(), norms.data(), df.data(), batch, width, g.data(), kStream);
    idlab::core::unit_rows_backward(want.data(), want_norms.data(), df.data(), batch, width, want_g.data());
    CHECK(relative_error(g, want_g) < 1e-5);
}

namespace {

// The CPU loss's gradients after one training forward, and the fused kernels' on the same head.
struct CrossEntropyCase {
    idlab::test::LossOptions options;
    int64_t dim, classes, batch;
};

void check_cross_entropy(const CrossEntropyCase& c) {
    idlab::test::DataFields data;
    data.label_classes = c.classes;
    data.index_classes = c.classes + 7;
    auto loss = idlab::test::make_loss(c.options, c.dim, data, 21);
    const int64_t classes = c.options.target == "label" ? data.label_classes : data.index_classes;
    const size_t nf = static_cast<size_t>(c.batch * c.dim);
    OwnedTensor<float> features({c.batch, c.dim}), df({c.batch, c.dim});
    const std::vector<float> fv = normal_floats(nf, 31, 1.5f);
    std::copy(fv.begin(), fv.end(), features.data());
    OwnedTensor<int64_t> targets({c.batch});
    for (int64_t r = 0; r < c.batch; ++r) targets[static_cast<size_t>(r)] = (r * 7 + 3) % classes;
    DLTensor tv = targets.view(), fview = features.view(), dview = df.view();
    idlab::test::Inputs inputs;
    inputs.add(c.options.target.c_str(), tv);
    const idlab_exec_ctx_t ctx = idlab::test::training_ctx();
    const double want_loss = loss->forward(ctx, fview, inputs.tensors(), &dview);

    // The fused kernels on the head the CPU loss used.
    const float* head = idlab::test::head_values(*loss);
    const std::vector<float> head_copy(head, head + classes * c.dim);
    const float beta = static_cast<float>(c.options.temperature_init);
    std::vector<float> head_sum(static_cast<size_t>(c.dim));
    kernels::column_sums(head_copy.data(), classes, c.dim, head_sum.data(), kStream);
    kernels::CrossEntropyProblem p{fv.data(), head_copy.data(), targets.data(), &beta, head_sum.data(),
                                   c.batch, classes, c.dim, static_cast<float>(c.options.label_smoothing)};
    std::vector<double> row_loss(static_cast<size_t>(c.batch));
    std::vector<float> lse(static_cast<size_t>(c.batch)), gdf(nf), ghead(head_copy.size());
    kernels::cross_entropy_rows(p, row_loss.data(), lse.data(), gdf.data(), kStream);
    double mean = 0.0;
    kernels::mean_of_rows(row_loss.data(), c.batch, &mean, kStream);
    std::vector<double> partials(static_cast<size_t>(kernels::cross_entropy_head_blocks(classes)));
    kernels::cross_entropy_head_grad(p, lse.data(), ghead.data(), partials.data(), kStream);
    float dbeta = 0.0f;
    kernels::sum_partials(partials.data(), static_cast<int64_t>(partials.size()), &dbeta, kStream);

    CHECK(std::abs(mean - want_loss) < 1e-5 * std::abs(want_loss));
    CHECK(relative_error(gdf.data(), df.data(), nf) < 1e-4);
    CHECK(relative_error(ghead.data(), idlab::test::head_grads(*loss), head_copy.size()) < 1e-4);
    if (c.options.learn_temperature) {
        const float want_dbeta = *idlab::data_of<float>(loss->parameter(1).grad);
        CHECK(std::abs(dbeta - want_dbeta) < 1e-4 * (1.0 + std::abs(want_dbeta)));
    }
}

}  // namespace

TEST_CASE("emulated: the fused softmax cross-entropy matches core.cross_entropy", "[cuda][emulated]") {
    idlab::test::LossOptions plain;
    SECTION("supervised, narrow features") { check_cross_entropy({plain, 5, 100, 50}); }
    SECTION("DIET targets, more classes than a block's threads") {
        idlab::test::LossOptions o;
        o.target = "index";
        check_cross_entropy({o, 5, 600, 33});
    }
    SECTION("label smoothing and a fixed temperature") {
        idlab::test::LossOptions o;
        o.label_smoothing = 0.1;
        o.temperature_init = 2.5;
        check_cross_entropy({o, 12, 70, 40});
    }
    SECTION("a learned temperature, 64-wide features") {
        idlab::test::LossOptions o;
        o.learn_temperature = true;
        o.temperature_init = 0.7;
        check_cross_entropy({o, 64, 45, 9});
    }
    SECTION("20-wide features") { check_cross_entropy({plain, 20, 33, 17}); }
}

TEST_CASE("emulated: the fused InfoNCE matches core.infonce", "[cuda][emulated]") {
    for (const char* form : {"distance", "dot"})
        for (auto [batch, dim] : {std::pair<int64_t, int64_t>{40, 3}, {70, 20}, {9, 50}}) {
            INFO(form << ", batch " << batch << ", dim " << dim);
            auto loss = idlab::test::make_infonce(form, 0.5, dim);
            OwnedTensor<float> features({2 * batch, dim}), df({2 * batch, dim});
            const std::vector<float> fv = normal_floats(static_cast<size_t>(2 * batch * dim), 17, 0.6f);
            std::copy(fv.begin(), fv.end(), features.data());
            const double want = idlab::test::run_infonce(*loss, features, &df);

            const kernels::InfoNceProblem p{fv.data(), batch, dim, 1.0f / 0.5f, std::string(form) == "distance"};
            std::vector<double> row_loss(static_cast<size_t>(batch));
            std::vector<float> lse(static_cast<size_t>(batch)), gdf(fv.size());
            kernels::infonce_anchors(p, row_loss.data(), lse.data(), gdf.data(), kStream);
            kernels::infonce_negatives(p, lse.data(), gdf.data(), kStream);
            double mean = 0.0;
            kernels::mean_of_rows(row_loss.data(), batch, &mean, kStream);
            CHECK(std::abs(mean - want) < 1e-5 * std::abs(want));
            CHECK(relative_error(gdf.data(), df.data(), fv.size()) < 1e-4);
        }
}

TEST_CASE("emulated: one fused Adam launch updates every parameter as core.adam does", "[cuda][emulated]") {
    for (double weight_decay : {0.0, 0.01}) {
        INFO("weight decay " << weight_decay);
        idlab::test::ConfigBuilder config;
        config.set_float("lr", 1e-2).set_float("beta1", 0.9).set_float("beta2", 0.999).set_float("eps", 1e-8)
            .set_float("weight_decay", weight_decay);
        idlab_create_ctx_t cctx{};
        cctx.struct_size = sizeof cctx;
        cctx.device = DLDevice{kDLCPU, 0};
        cctx.stage = "optimizer";
        idlab::core::Adam adam(idlab::CreateContext(&cctx), idlab::Config(config.get()));
        // Sizes around the chunk length, so that chunks of one tensor and of several mix.
        const std::vector<int64_t> sizes = {3, kernels::kAdamChunk + 5, 1, 2 * kernels::kAdamChunk};
        std::vector<OwnedTensor<float>> values, grads;
        std::vector<std::vector<float>> gvalues, ggrads, m, v;
        std::vector<idlab_param_view_t> views;
        std::vector<std::string> names;
        for (size_t i = 0; i < sizes.size(); ++i) {
            values.emplace_back(std::vector<int64_t>{sizes[i]});
            grads.emplace_back(std::vector<int64_t>{sizes[i]});
            names.push_back("p" + std::to_string(i));
        }
        for (size_t i = 0; i < sizes.size(); ++i) {
            const std::vector<float> init = normal_floats(static_cast<size_t>(sizes[i]), 40 + static_cast<unsigned>(i));
            std::copy(init.begin(), init.end(), values[i].data());
            gvalues.push_back(init);
            ggrads.emplace_back(static_cast<size_t>(sizes[i]));
            m.emplace_back(static_cast<size_t>(sizes[i]), 0.0f);
            v.emplace_back(static_cast<size_t>(sizes[i]), 0.0f);
            idlab_param_view_t view{};
            view.struct_size = sizeof view;
            view.name = names[i].c_str();
            view.value = values[i].view();
            view.grad = grads[i].view();
            views.push_back(view);
        }
        adam.bind(views.data(), static_cast<uint32_t>(views.size()));
        std::vector<float*> pv, mv, vv;
        std::vector<const float*> gv;
        std::vector<kernels::AdamChunk> chunks;
        for (size_t i = 0; i < sizes.size(); ++i) {
            pv.push_back(gvalues[i].data());
            gv.push_back(ggrads[i].data());
            mv.push_back(m[i].data());
            vv.push_back(v[i].data());
            for (int64_t start = 0; start < sizes[i]; start += kernels::kAdamChunk)
                chunks.push_back({static_cast<int32_t>(i),
                                  static_cast<int32_t>(std::min(kernels::kAdamChunk, sizes[i] - start)), start});
        }
        const kernels::AdamTensors tensors{pv.data(), gv.data(), mv.data(), vv.data()};
        int64_t step_state = 0;
        for (int64_t t = 1; t <= 3; ++t) {
            for (size_t i = 0; i < sizes.size(); ++i) {
                const std::vector<float> g = normal_floats(static_cast<size_t>(sizes[i]), 70 + static_cast<unsigned>(t * 10 + i));
                std::copy(g.begin(), g.end(), grads[i].data());
                ggrads[i] = g;
            }
            adam.step(idlab::test::training_ctx());
            const double bc1 = 1.0 - std::pow(0.9, static_cast<double>(t));
            const double bc2 = std::sqrt(1.0 - std::pow(0.999, static_cast<double>(t)));
            const kernels::AdamScalars k{0.9f, 0.999f, static_cast<float>(1.0 - 0.9), static_cast<float>(1.0 - 0.999),
                                         static_cast<float>(-1e-2 / bc1), static_cast<float>(bc2), 1e-8f,
                                         static_cast<float>(weight_decay)};
            kernels::adam_step(tensors, chunks.data(), static_cast<int64_t>(chunks.size()), k, t, &step_state, kStream);
            CHECK(step_state == t);
        }
        for (size_t i = 0; i < sizes.size(); ++i) CHECK(relative_error(gvalues[i].data(), values[i].data(), gvalues[i].size()) < 1e-6);
    }
}

TEST_CASE("emulated: the sampling kernels draw core.vmf_clusters' batches exactly", "[cuda][emulated]") {
    auto config = idlab::test::vmf_clusters_config(5, 12, 300, 10.0, 3, 100);
    config.set_float("label_noise", 0.2);
    auto data = idlab::test::make_vmf_clusters(config, 9);
    const idlab_exec_ctx_t ctx = idlab::test::sample_ctx(9, 4);
    const int64_t batch = 300;  // several blocks, the last one partial
    const idlab::test::VmfBatch want = idlab::test::draw(*data, ctx, batch);

    idlab::cuda::ClusterSampler s = idlab::cuda::cluster_sampler(*data);
    const std::vector<double> matrices = idlab::cuda::mixing_matrices(data->mixing());
    s.centers = data->cluster_vectors().data();
    s.mixing.matrices = matrices.data();
    std::vector<double> scratch(static_cast<size_t>(3 * 5 * batch));
    std::vector<float> x(static_cast<size_t>(batch * 5)), z(x.size());
    std::vector<int64_t> label(static_cast<size_t>(batch)), index(label.size());
    kernels::sample_clusters(s, ctx.rng, batch, scratch.data(), x.data(), z.data(), label.data(), index.data(), kStream);
    CHECK(std::memcmp(x.data(), want.x.data(), x.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(z.data(), want.z.data(), z.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(label.data(), want.label.data(), label.size() * sizeof(int64_t)) == 0);
    CHECK(std::memcmp(index.data(), want.index.data(), index.size() * sizeof(int64_t)) == 0);
}
