// CPU/GPU parity of every component of the CUDA plugin, from the same seed: the same data
// stream, the same initial values, outputs and gradients within stated tolerances, and the
// recorded CUDA graphs giving the bits of the direct path. Built twice (component_harness.hpp):
// on a GPU against the real plugin, and on any machine under the host emulation of CUDA.
//
// Tolerances are relative to the largest magnitude of the CPU's tensor: float32 sums in another
// order (cuBLAS, the fused kernels' trees) differ from OpenBLAS's by ~1e-6 of the scale;
// gradients, through more sums, by ~1e-5.
#include "component_harness.hpp"

#include "core-data/vmf_clusters_harness.hpp"
#include "core-encoders/mlp_harness.hpp"
#include "core-losses/infonce_fixture.hpp"
#include "core-losses/loss_fixture.hpp"

#include "adam.hpp"
#include "cuda_adam.hpp"
#include "cuda_data.hpp"
#include "cuda_losses.hpp"
#include "cuda_mlp.hpp"
#include "runtime/device_table.hpp"
#include "runtime/graph_cache.hpp"

#if defined(IDLAB_CUDA_EMULATION)
#include "emulated_streams.hpp"
#include "fake_cuda_runtime.hpp"
#endif

#include <cmath>
#include <cstring>
#include <deque>
#include <memory>
#include <numeric>

using namespace idlab::cuda_test;
using idlab::test::ConfigBuilder;
using idlab::test::OwnedTensor;

namespace {

constexpr double kOutputTolerance = 1e-5;
constexpr double kGradientTolerance = 1e-4;

// Floats drawn on the GPU equal the CPU's up to the last bits of the GPU's libm.
void check_same_floats(const std::vector<float>& got, const float* want, const char* what) {
    size_t equal = 0;
    double worst = 0.0;
    for (size_t i = 0; i < got.size(); ++i) {
        if (got[i] == want[i]) ++equal;
        worst = std::max(worst, std::abs(double(got[i]) - want[i]) / std::max(1.0, std::abs(double(want[i]))));
    }
    INFO(what << ": " << equal << " of " << got.size() << " bit-equal, worst relative difference " << worst);
    if (kEmulated) CHECK(equal == got.size());  // the same host libm: exactly the CPU's bits
    CHECK(worst <= 1e-6);
}

}  // namespace

// ------------------------------------------------------------------------------------- data

TEST_CASE("cuda: core.vmf_clusters draws the CPU's data stream from the same seed", "[cuda][gpu]") {
    IDLAB_REQUIRE_GPU_OR_RETURN();
    struct Case {
        const char* what;
        ConfigBuilder config;
    };
    std::deque<Case> cases;  // a deque: the builders keep pointers into themselves, never relocated
    cases.push_back({"the paper's default", idlab::test::vmf_clusters_config(5, 100, 1000, 10.0, 4, 200)});
    cases.push_back({"laplace conditional, label noise", idlab::test::vmf_clusters_config(5, 20, 300, 10.0, 3, 100)});
    cases.back().config.set_string("conditional", "laplace").set_float("label_noise", 0.2);
    cases.push_back({"gennorm, d = 10", idlab::test::vmf_clusters_config(10, 30, 300, 10.0, 3, 100)});
    cases.back().config.set_string("conditional", "gennorm").set_float("conditional_shape", 3.0);
    Stream stream;
    for (Case& c : cases) {
        INFO(c.what);
        auto cpu = idlab::test::make_vmf_clusters(c.config, 21);
        const idlab_create_ctx_t gctx = create_ctx(kGpu, 21, "data", {}, 0);
        idlab::cuda::CudaVmfClusters gpu(idlab::CreateContext(&gctx), idlab::Config(c.config.get()));
        const int64_t d = cpu->latent_dim(), batch = 1024;
        // The constants metrics read.
        CHECK(read_view<double>(gpu.constant(0).tensor) == cpu->cluster_vectors());
        for (uint64_t counter : {0ull, 1ull, 40000ull}) {
            const idlab_exec_ctx_t cctx = idlab::test::sample_ctx(21, counter);
            idlab::test::VmfBatch want = idlab::test::draw(*cpu, cctx, batch);
            DeviceTensor<float> x({batch, d}), z({batch, d});
            DeviceTensor<int64_t> label({batch}), index({batch});
            std::vector<idlab_named_tensor_t> items = {{"x", x.view()}, {"z", z.view()}, {"label", label.view()}, {"index", index.view()}};
            idlab_tensor_set_t set{4, items.data()};
            gpu.sample(exec_ctx(kGpu, stream.get(), true, cctx.rng), batch, idlab::TensorSet(&set));
            CHECK(label.download() == std::vector<int64_t>(want.label.data(), want.label.data() + batch));
            CHECK(index.download() == std::vector<int64_t>(want.index.data(), want.index.data() + batch));
            check_same_floats(x.download(), want.x.data(), "x");
            check_same_floats(z.download(), want.z.data(), "z");
        }
    }
}

TEST_CASE("cuda: core.contrastive_pairs draws the CPU's pairs from the same seed", "[cuda][gpu]") {
    IDLAB_REQUIRE_GPU_OR_RETURN();
    Stream stream;
    for (const char* space : {"box", "sphere"}) {
        INFO(space);
        ConfigBuilder c;
        c.set_int("latent_dim", 6).set_string("space", space).set_string("conditional", std::string(space) == "box" ? "normal" : "vmf")
            .set_float("conditional_scale", 0.05).set_float("kappa", 30.0).set_int("mixing_layers", 3)
            .set_int("mixing_trials", 100).set_float("mixing_slope", 0.2);
        const idlab_create_ctx_t cctx = create_ctx(kCpu, 4, "data", {}, 0);
        idlab::core::ContrastivePairs cpu(idlab::CreateContext(&cctx), idlab::Config(c.get()));
        const idlab_create_ctx_t gctx = create_ctx(kGpu, 4, "data", {}, 0);
        idlab::cuda::CudaContrastivePairs gpu(idlab::CreateContext(&gctx), idlab::Config(c.get()));
        const int64_t batch = 700, d = 6;
        const idlab_exec_ctx_t ectx = idlab::test::sample_ctx(4, 9);
        OwnedTensor<float> x({batch, d}), xp({batch, d}), z({batch, d}), zp({batch, d});
        std::vector<idlab_named_tensor_t> items = {{"x", x.view()}, {"x_pos", xp.view()}, {"z", z.view()}, {"z_pos", zp.view()}};
        idlab_tensor_set_t set{4, items.data()};
        cpu.sample(ectx, batch, idlab::TensorSet(&set));
        DeviceTensor<float> gx({batch, d}), gxp({batch, d}), gz({batch, d}), gzp({batch, d});
        std::vector<idlab_named_tensor_t> gitems = {{"x", gx.view()}, {"x_pos", gxp.view()}, {"z", gz.view()}, {"z_pos", gzp.view()}};
        idlab_tensor_set_t gset{4, gitems.data()};
        gpu.sample(exec_ctx(kGpu, stream.get(), true, ectx.rng), batch, idlab::TensorSet(&gset));
        check_same_floats(gx.download(), x.data(), "x");
        check_same_floats(gxp.download(), xp.data(), "x_pos");
        check_same_floats(gz.download(), z.data(), "z");
        check_same_floats(gzp.download(), zp.data(), "z_pos");
    }
}

// -------------------------------------------------------------------------------- encoder

namespace {

std::unique_ptr<idlab::cuda::CudaMlp> make_cuda_mlp(const idlab::test::MlpSetup& s) {
    ConfigBuilder config = idlab::test::mlp_config(s);
    const idlab_create_ctx_t ctx = create_ctx(kGpu, s.seed, "encoder", {}, s.in_dim);
    return std::make_unique<idlab::cuda::CudaMlp>(idlab::CreateContext(&ctx), idlab::Config(config.get()));
}

void check_mlp(const idlab::test::MlpSetup& s, int64_t batch) {
    auto cpu = idlab::test::make_mlp(s);
    auto gpu = make_cuda_mlp(s);
    Stream stream;
    // Same names, same order, same initial values.
    REQUIRE(gpu->parameter_count() == cpu->parameter_count());
    for (uint32_t i = 0; i < cpu->parameter_count(); ++i) {
        INFO(cpu->parameter(i).name);
        CHECK(std::string(gpu->parameter(i).name) == cpu->parameter(i).name);
        CHECK(read_view<float>(gpu->parameter(i).value) == host_values<float>(cpu->parameter(i).value));
    }
    const int64_t out = cpu->output_dim();
    const std::vector<float> x = normal_floats(static_cast<size_t>(batch * s.in_dim), 3);
    const std::vector<float> df = normal_floats(static_cast<size_t>(batch * out), 4);

    // Training forward.
    OwnedTensor<float> xt = idlab::test::tensor_from(x, batch, s.in_dim), ft({batch, out}), dft = idlab::test::tensor_from(df, batch, out);
    OwnedTensor<float> dxt({batch, s.in_dim});
    DLTensor xv = xt.view(), fv = ft.view(), dfv = dft.view(), dxv = dxt.view();
    cpu->forward(idlab::test::mlp_exec_ctx(true), xv, fv);
    DeviceTensor<float> gx({batch, s.in_dim}), gf({batch, out}), gdf({batch, out}), gdx({batch, s.in_dim});
    gx.upload(x);
    gdf.upload(df);
    DLTensor gxv = gx.view(), gfv = gf.view(), gdfv = gdf.view(), gdxv = gdx.view();
    gpu->forward(exec_ctx(kGpu, stream.get(), true), gxv, gfv);
    CHECK(relative_error(gf.download().data(), ft.data(), ft.size()) < kOutputTolerance);
    for (uint32_t i = 0; i < gpu->state_count(); ++i) {
        INFO(gpu->state(i).name);
        const size_t layer = static_cast<size_t>(i / 2);
        const std::vector<float>& want = i % 2 == 0 ? cpu->running_mean(layer) : cpu->running_var(layer);
        CHECK(relative_error(read_view<float>(gpu->state(i).tensor), want) < kOutputTolerance);
    }

    // Backward, with the input gradient.
    cpu->backward(idlab::test::mlp_exec_ctx(true), dfv, &dxv);
    gpu->backward(exec_ctx(kGpu, stream.get(), true), gdfv, &gdxv);
    CHECK(relative_error(gdx.download().data(), dxt.data(), dxt.size()) < kGradientTolerance);
    for (uint32_t i = 0; i < cpu->parameter_count(); ++i) {
        const std::string name = cpu->parameter(i).name;
        INFO(name);
        const std::vector<float> want = host_values<float>(cpu->parameter(i).grad);
        const std::vector<float> got = read_view<float>(gpu->parameter(i).grad);
        const bool zero_in_theory = s.batch_norm && name.rfind("layer", 0) == 0 && name.find(".bias") != std::string::npos;
        if (zero_in_theory) {
            // A Linear bias under batch norm has gradient 0 up to rounding, on both sides.
            for (float g : got) CHECK(std::abs(g) < 1e-4);
            continue;
        }
        CHECK(relative_error(got, want) < kGradientTolerance);
    }

    // Evaluation forward with the running statistics.
    cpu->forward(idlab::test::mlp_exec_ctx(false), xv, fv);
    gpu->forward(exec_ctx(kGpu, stream.get(), false), gxv, gfv);
    CHECK(relative_error(gf.download().data(), ft.data(), ft.size()) < kOutputTolerance);
}

}  // namespace

TEST_CASE("cuda: core.mlp starts from the CPU's values and matches its outputs and gradients", "[cuda][gpu]") {
    IDLAB_REQUIRE_GPU_OR_RETURN();
    SECTION("the paper's encoder (batch norm)") {
        idlab::test::MlpSetup s;
        s.in_dim = 5;
        s.hidden = {50, 250, 250, 250, 250, 50};
        s.out_dim = 5;
        check_mlp(s, kEmulated ? 96 : 1024);
    }
    SECTION("no batch norm, normalised output, odd widths") {
        idlab::test::MlpSetup s;
        s.in_dim = 4;
        s.hidden = {9, 33};
        s.out_dim = 7;
        s.batch_norm = false;
        s.normalize_output = true;
        s.slope = 0.2;
        check_mlp(s, 37);
    }
    SECTION("no hidden layer") {
        idlab::test::MlpSetup s;
        s.hidden = {};
        check_mlp(s, 20);
    }
}

TEST_CASE("cuda: core.mlp's recorded CUDA graphs give the direct launches' bits", "[cuda][gpu]") {
    IDLAB_REQUIRE_GPU_OR_RETURN();
    idlab::test::MlpSetup s;
    s.in_dim = 5;
    s.hidden = {20, 40, 20};
    s.out_dim = 5;
    auto graphs = make_cuda_mlp(s);
    auto direct = make_cuda_mlp(s);
    direct->forward_graph().disable();
    direct->backward_graph().disable();
    // An optimizer changes the parameters between steps: the replayed graph must see them.
    ConfigBuilder adam_config;
    adam_config.set_float("lr", 1e-2).set_float("beta1", 0.9).set_float("beta2", 0.999).set_float("eps", 1e-8).set_float("weight_decay", 0.0);
    const idlab_create_ctx_t octx = create_ctx(kGpu, 1, "optimizer", {}, 0);
    idlab::cuda::CudaAdam adam_g(idlab::CreateContext(&octx), idlab::Config(adam_config.get()));
    idlab::cuda::CudaAdam adam_d(idlab::CreateContext(&octx), idlab::Config(adam_config.get()));
    std::vector<idlab_param_view_t> pg, pd;
    for (uint32_t i = 0; i < graphs->parameter_count(); ++i) {
        pg.push_back(graphs->parameter(i));
        pd.push_back(direct->parameter(i));
    }
    adam_g.bind(pg.data(), static_cast<uint32_t>(pg.size()));
    adam_d.bind(pd.data(), static_cast<uint32_t>(pd.size()));

    Stream stream;
    const int64_t batch = 64;
    DeviceTensor<float> x({batch, 5}), f1({batch, 5}), f2({batch, 5}), df({batch, 5});
    DLTensor xv = x.view(), f1v = f1.view(), f2v = f2.view(), dfv = df.view();
    const idlab_exec_ctx_t ctx = exec_ctx(kGpu, stream.get(), true);
    for (int step = 0; step < 4; ++step) {
        x.upload(normal_floats(static_cast<size_t>(batch * 5), 10 + static_cast<unsigned>(step)));
        df.upload(normal_floats(static_cast<size_t>(batch * 5), 20 + static_cast<unsigned>(step)));
        graphs->forward(ctx, xv, f1v);
        direct->forward(ctx, xv, f2v);
        graphs->backward(ctx, dfv, nullptr);
        direct->backward(ctx, dfv, nullptr);
        adam_g.step(ctx);
        adam_d.step(ctx);
        INFO("step " << step);
        CHECK(f1.download() == f2.download());
        for (uint32_t i = 0; i < graphs->parameter_count(); ++i)
            CHECK(read_view<float>(graphs->parameter(i).grad) == read_view<float>(direct->parameter(i).grad));
    }
    if (idlab::cuda::graphs_enabled()) {
        CHECK(graphs->forward_graph().recordings() == 1);
        CHECK(graphs->forward_graph().replays() == 4);
        CHECK(graphs->backward_graph().replays() == 4);
    }
    CHECK(direct->forward_graph().replays() == 0);
}

// ---------------------------------------------------------------------------------- losses

namespace {

struct CrossEntropyCase {
    const char* what;
    idlab::test::LossOptions options;
    int64_t dim, classes, batch;
};

void check_cross_entropy(const CrossEntropyCase& c) {
    INFO(c.what);
    idlab::test::DataFields data;
    data.label_classes = c.options.target == "label" ? c.classes : 10;
    data.index_classes = c.options.target == "index" ? c.classes : 10;
    auto cpu = idlab::test::make_loss(c.options, c.dim, data, 7);
    ConfigBuilder config;
    config.set_string("target", c.options.target).set_bool("normalize_rows", c.options.normalize_rows)
        .set_bool("normalize_features", c.options.normalize_features).set_bool("learn_temperature", c.options.learn_temperature)
        .set_float("temperature_init", c.options.temperature_init).set_float("label_smoothing", c.options.label_smoothing);
    const std::vector<idlab_field_desc_t> fields = data.descriptors();
    const idlab_create_ctx_t gctx = create_ctx(kGpu, 7, "loss", fields, c.dim);
    idlab::cuda::CudaCrossEntropy gpu(idlab::CreateContext(&gctx), idlab::Config(config.get()));
    CHECK(read_view<float>(gpu.parameter(0).value) == host_values<float>(cpu->parameter(0).value));

    const std::vector<float> f = normal_floats(static_cast<size_t>(c.batch * c.dim), 5, 2.0f);
    std::vector<int64_t> targets(static_cast<size_t>(c.batch));
    for (size_t r = 0; r < targets.size(); ++r) targets[r] = static_cast<int64_t>((r * 2654435761u) % static_cast<size_t>(c.classes));
    OwnedTensor<float> ft = idlab::test::tensor_from(f, c.batch, c.dim), dft({c.batch, c.dim});
    OwnedTensor<int64_t> tt({c.batch});
    std::copy(targets.begin(), targets.end(), tt.data());
    DLTensor fv = ft.view(), dfv = dft.view(), tv = tt.view();
    idlab::test::Inputs inputs;
    inputs.add(c.options.target.c_str(), tv);
    const double want = cpu->forward(idlab::test::training_ctx(), fv, inputs.tensors(), &dfv);

    Stream stream;
    DeviceTensor<float> gf({c.batch, c.dim}), gdf({c.batch, c.dim});
    DeviceTensor<int64_t> gt({c.batch});
    DeviceTensor<double> slot({1});
    gf.upload(f);
    gt.upload(targets);
    DLTensor gfv = gf.view(), gdfv = gdf.view(), gtv = gt.view();
    idlab::test::Inputs ginputs;
    ginputs.add(c.options.target.c_str(), gtv);
    idlab_exec_ctx_t ctx = exec_ctx(kGpu, stream.get(), true);
    ctx.loss_out = slot.data();  // as the host passes it: the value stays on the GPU
    const double returned = gpu.forward(ctx, gfv, ginputs.tensors(), &gdfv);
    CHECK(std::isnan(returned));
    const double got = slot.download()[0];
    CHECK(std::abs(got - want) <= kOutputTolerance * std::abs(want));
    CHECK(relative_error(gdf.download().data(), dft.data(), dft.size()) < kGradientTolerance);
    CHECK(relative_error(read_view<float>(gpu.parameter(0).grad), host_values<float>(cpu->parameter(0).grad)) < kGradientTolerance);
    // With normalize_rows both projected the head in place before the pass.
    CHECK(relative_error(read_view<float>(gpu.parameter(0).value), host_values<float>(cpu->parameter(0).value)) < 1e-6);
    if (c.options.learn_temperature) {
        const float want_beta = host_values<float>(cpu->parameter(1).grad)[0];
        const float got_beta = read_view<float>(gpu.parameter(1).grad)[0];
        CHECK(std::abs(got_beta - want_beta) <= kGradientTolerance * (1.0 + std::abs(want_beta)));
    }
    // Without a slot (an older host, or a direct call) the loss comes back through *loss.
    ctx.loss_out = nullptr;
    const double direct = gpu.forward(ctx, gfv, ginputs.tensors(), nullptr);
    CHECK(std::abs(direct - cpu->forward(idlab::test::training_ctx(), fv, inputs.tensors(), nullptr)) <=
          kOutputTolerance * std::abs(want));
}

}  // namespace

TEST_CASE("cuda: core.cross_entropy matches the CPU loss, DIET up to 1e5 classes", "[cuda][gpu]") {
    IDLAB_REQUIRE_GPU_OR_RETURN();
    idlab::test::LossOptions supervised;
    idlab::test::LossOptions diet;
    diet.target = "index";
    idlab::test::LossOptions c3 = diet;
    c3.normalize_rows = true;
    idlab::test::LossOptions smoothed;
    smoothed.label_smoothing = 0.1;
    smoothed.normalize_features = true;
    idlab::test::LossOptions learned = diet;
    learned.learn_temperature = true;
    learned.temperature_init = 0.5;
    // The paper's batch of 1024 on a GPU; fewer rows under the (slow) host emulation.
    const int64_t batch = kEmulated ? 96 : 1024;
    check_cross_entropy({"supervised, 100 classes", supervised, 5, 100, batch});
    check_cross_entropy({"DIET, 1000 instances, unit-norm rows (C3)", c3, 5, 1000, batch});
    check_cross_entropy({"DIET, 1e5 instances", diet, 5, 100000, kEmulated ? 16 : 1024});
    check_cross_entropy({"label smoothing, unit features, d = 20", smoothed, 20, 50, kEmulated ? 40 : 300});
    check_cross_entropy({"learned temperature, d = 64", learned, 64, 200, kEmulated ? 12 : 100});
}

TEST_CASE("cuda: core.cross_entropy refuses features wider than its kernels take", "[cuda][gpu]") {
    IDLAB_REQUIRE_GPU_OR_RETURN();
    idlab::test::DataFields data;
    ConfigBuilder config;
    config.set_string("target", "label").set_bool("normalize_rows", false).set_bool("normalize_features", false)
        .set_bool("learn_temperature", false).set_float("temperature_init", 1.0).set_float("label_smoothing", 0.0);
    const std::vector<idlab_field_desc_t> fields = data.descriptors();
    const idlab_create_ctx_t gctx = create_ctx(kGpu, 7, "loss", fields, 65);
    try {
        idlab::cuda::CudaCrossEntropy gpu(idlab::CreateContext(&gctx), idlab::Config(config.get()));
        FAIL("65-wide features were accepted");
    } catch (const idlab::Error& e) {
        CHECK(e.code() == IDLAB_STATUS_UNSUPPORTED);
        CHECK_THAT(e.what(), Catch::Contains("up to 64 wide; the encoder gives 65"));
    }
}

TEST_CASE("cuda: core.infonce matches the CPU loss in both forms", "[cuda][gpu]") {
    IDLAB_REQUIRE_GPU_OR_RETURN();
    Stream stream;
    for (const char* form : {"distance", "dot"})
        for (auto [batch, dim] : {std::pair<int64_t, int64_t>{kEmulated ? 96 : 1024, 5}, {kEmulated ? 24 : 100, 40}}) {
            INFO(form << ", batch " << batch << ", dim " << dim);
            auto cpu = idlab::test::make_infonce(form, 0.3, dim);
            ConfigBuilder config;
            config.set_string("form", form).set_float("temperature", 0.3);
            std::vector<idlab_field_desc_t> fields = {{sizeof(idlab_field_desc_t), "x", IDLAB_DTYPE_F32, 3, 0, ""},
                                                      {sizeof(idlab_field_desc_t), "x_pos", IDLAB_DTYPE_F32, 3, 0, ""}};
            const idlab_create_ctx_t gctx = create_ctx(kGpu, 3, "loss", fields, dim);
            idlab::cuda::CudaInfoNce gpu(idlab::CreateContext(&gctx), idlab::Config(config.get()));
            const std::vector<float> f = normal_floats(static_cast<size_t>(2 * batch * dim), 8, 0.4f);
            OwnedTensor<float> ft = idlab::test::tensor_from(f, 2 * batch, dim), dft({2 * batch, dim});
            const double want = idlab::test::run_infonce(*cpu, ft, &dft);
            DeviceTensor<float> gf({2 * batch, dim}), gdf({2 * batch, dim});
            DeviceTensor<double> slot({1});
            gf.upload(f);
            DLTensor gfv = gf.view(), gdfv = gdf.view();
            idlab_exec_ctx_t ctx = exec_ctx(kGpu, stream.get(), true);
            ctx.loss_out = slot.data();
            idlab_tensor_set_t none{};
            gpu.forward(ctx, gfv, idlab::TensorSet(&none), &gdfv);
            CHECK(std::abs(slot.download()[0] - want) <= kOutputTolerance * std::abs(want));
            CHECK(relative_error(gdf.download().data(), dft.data(), dft.size()) < kGradientTolerance);
        }
}

// ------------------------------------------------------------------------------- optimizer

TEST_CASE("cuda: core.adam updates like the CPU optimizer, its state on the GPU", "[cuda][gpu]") {
    IDLAB_REQUIRE_GPU_OR_RETURN();
    for (double weight_decay : {0.0, 1e-3}) {
        INFO("weight decay " << weight_decay);
        ConfigBuilder config;
        config.set_float("lr", 3e-3).set_float("beta1", 0.8).set_float("beta2", 0.99).set_float("eps", 1e-6).set_float("weight_decay", weight_decay);
        const idlab_create_ctx_t cctx = create_ctx(kCpu, 1, "optimizer", {}, 0);
        idlab::core::Adam cpu(idlab::CreateContext(&cctx), idlab::Config(config.get()));
        const idlab_create_ctx_t gctx = create_ctx(kGpu, 1, "optimizer", {}, 0);
        idlab::cuda::CudaAdam gpu(idlab::CreateContext(&gctx), idlab::Config(config.get()));
        const std::vector<int64_t> sizes = {7, 10000, 1, 4096};
        std::vector<std::unique_ptr<OwnedTensor<float>>> cv, cg;
        std::vector<std::unique_ptr<DeviceTensor<float>>> gv, gg;
        std::vector<idlab_param_view_t> cviews, gviews;
        const std::vector<std::string> names = {"a", "b", "c", "d"};
        for (size_t i = 0; i < sizes.size(); ++i) {
            const std::vector<float> init = normal_floats(static_cast<size_t>(sizes[i]), 50 + static_cast<unsigned>(i));
            cv.push_back(std::make_unique<OwnedTensor<float>>(std::vector<int64_t>{sizes[i]}));
            cg.push_back(std::make_unique<OwnedTensor<float>>(std::vector<int64_t>{sizes[i]}));
            std::copy(init.begin(), init.end(), cv.back()->data());
            gv.push_back(std::make_unique<DeviceTensor<float>>(std::vector<int64_t>{sizes[i]}));
            gg.push_back(std::make_unique<DeviceTensor<float>>(std::vector<int64_t>{sizes[i]}));
            gv.back()->upload(init);
            idlab_param_view_t c{sizeof(idlab_param_view_t), names[i].c_str(), cv.back()->view(), cg.back()->view()};
            idlab_param_view_t g{sizeof(idlab_param_view_t), names[i].c_str(), gv.back()->view(), gg.back()->view()};
            cviews.push_back(c);
            gviews.push_back(g);
        }
        cpu.bind(cviews.data(), 4);
        gpu.bind(gviews.data(), 4);
        Stream stream;
        for (int t = 0; t < 5; ++t) {
            for (size_t k = 0; k < sizes.size(); ++k) {
                const std::vector<float> grad = normal_floats(static_cast<size_t>(sizes[k]), 100 + static_cast<unsigned>(10 * t + k));
                std::copy(grad.begin(), grad.end(), cg[k]->data());
                gg[k]->upload(grad);
            }
            cpu.step(idlab::test::training_ctx());
            gpu.step(exec_ctx(kGpu, stream.get(), true));
        }
        for (size_t i = 0; i < sizes.size(); ++i) CHECK(relative_error(gv[i]->download().data(), cv[i]->data(), cv[i]->size()) < 1e-6);
        // State: the step count and both moments of every parameter, on the GPU.
        REQUIRE(gpu.state_count() == 1 + 2 * sizes.size());
        CHECK(std::string(gpu.state(0).name) == "step");
        CHECK(gpu.state(0).tensor.device.device_type == kDLCUDA);
        CHECK(read_view<int64_t>(gpu.state(0).tensor)[0] == 5);
        CHECK(std::string(gpu.state(1).name) == "a.exp_avg");
        CHECK(std::string(gpu.state(2).name) == "a.exp_avg_sq");
        // A checkpoint writes the step count back; restored() makes the optimizer follow it.
        const int64_t two = 2;
        REQUIRE(cudaMemcpy(gpu.state(0).tensor.data, &two, sizeof two, cudaMemcpyHostToDevice) == cudaSuccess);
        gpu.restored(exec_ctx(kGpu, stream.get(), true));
        CHECK(gpu.steps_taken() == 2);
    }
}

// ----------------------------------------------------------------------------- device table

TEST_CASE("cuda: the device table allocates, copies and synchronises", "[cuda][gpu]") {
    IDLAB_REQUIRE_GPU_OR_RETURN();
    const idlab_device_i* d = idlab::cuda::device_table();
    CHECK(std::string(d->name) == "cuda");
    CHECK(d->device_type == kDLCUDA);
    char message[256] = {0};
    idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message, nullptr, 0};
    void* a = d->alloc(0, 0, 0, &err);
    void* b = d->alloc(0, 0, 0, &err);
    CHECK(a != nullptr);
    CHECK(a != b);
    d->free(0, a);
    d->free(0, b);
    CHECK(d->alloc(0, 64, 4096, &err) == nullptr);
    CHECK(err.code == IDLAB_STATUS_UNSUPPORTED);

    void* stream = nullptr;
    REQUIRE(d->stream_create(0, &stream, &err) == IDLAB_STATUS_OK);
    int64_t shape[1] = {100};
    std::vector<float> src(100), back(100, 0.0f);
    std::iota(src.begin(), src.end(), 0.5f);
    void* p = d->alloc(0, 400, 0, &err);
    void* q = d->alloc(0, 400, 0, &err);
    DLTensor host_src{src.data(), {kDLCPU, 0}, 1, {kDLFloat, 32, 1}, shape, nullptr, 0};
    DLTensor dev_p{p, {kDLCUDA, 0}, 1, {kDLFloat, 32, 1}, shape, nullptr, 0};
    DLTensor dev_q{q, {kDLCUDA, 0}, 1, {kDLFloat, 32, 1}, shape, nullptr, 0};
    DLTensor host_back{back.data(), {kDLCPU, 0}, 1, {kDLFloat, 32, 1}, shape, nullptr, 0};
    CHECK(d->copy(&host_src, &dev_p, stream, &err) == IDLAB_STATUS_OK);
    CHECK(d->copy(&dev_p, &dev_q, stream, &err) == IDLAB_STATUS_OK);
    CHECK(d->copy(&dev_q, &host_back, stream, &err) == IDLAB_STATUS_OK);
    CHECK(d->synchronize(0, stream, &err) == IDLAB_STATUS_OK);
    CHECK(back == src);
    int64_t other[1] = {99};
    DLTensor shorter{back.data(), {kDLCPU, 0}, 1, {kDLFloat, 32, 1}, other, nullptr, 0};
    CHECK(d->copy(&dev_q, &shorter, stream, &err) == IDLAB_STATUS_INVALID_ARGUMENT);
    d->free(0, p);
    d->free(0, q);
    d->stream_destroy(0, stream);
}

#if defined(IDLAB_CUDA_EMULATION)
// ------------------------------------------------------------------- what a step costs

TEST_CASE("cuda: a training step neither waits for the device nor allocates, and launches few kernels", "[cuda]") {
    namespace fake = idlab::cuda::fake_runtime;
    namespace emu = idlab::cuda::emulation;
    // The paper's pipeline, small: data -> MLP -> DIET cross-entropy -> Adam, as the host calls it.
    auto data_config = idlab::test::vmf_clusters_config(5, 10, 40, 10.0, 2, 50);
    const idlab_create_ctx_t dctx = create_ctx(kGpu, 3, "data", {}, 0);
    idlab::cuda::CudaVmfClusters data(idlab::CreateContext(&dctx), idlab::Config(data_config.get()));
    idlab::test::MlpSetup s;
    s.in_dim = 5;
    s.hidden = {16, 16};
    s.out_dim = 5;
    auto mlp = make_cuda_mlp(s);
    ConfigBuilder loss_config;
    loss_config.set_string("target", "index").set_bool("normalize_rows", true).set_bool("normalize_features", false)
        .set_bool("learn_temperature", false).set_float("temperature_init", 1.0).set_float("label_smoothing", 0.0);
    const std::vector<idlab_field_desc_t> fields = data.fields();
    const idlab_create_ctx_t lctx = create_ctx(kGpu, 3, "loss", fields, 5);
    idlab::cuda::CudaCrossEntropy loss(idlab::CreateContext(&lctx), idlab::Config(loss_config.get()));
    ConfigBuilder adam_config;
    adam_config.set_float("lr", 1e-3).set_float("beta1", 0.9).set_float("beta2", 0.999).set_float("eps", 1e-8).set_float("weight_decay", 0.0);
    const idlab_create_ctx_t octx = create_ctx(kGpu, 3, "optimizer", {}, 0);
    idlab::cuda::CudaAdam adam(idlab::CreateContext(&octx), idlab::Config(adam_config.get()));
    std::vector<idlab_param_view_t> params;
    for (uint32_t i = 0; i < mlp->parameter_count(); ++i) params.push_back(mlp->parameter(i));
    params.push_back(loss.parameter(0));
    adam.bind(params.data(), static_cast<uint32_t>(params.size()));

    const int64_t batch = 32;
    DeviceTensor<float> x({batch, 5}), z({batch, 5}), f({batch, 5}), df({batch, 5});
    DeviceTensor<int64_t> label({batch}), index({batch});
    DeviceTensor<double> slots({8});
    std::vector<idlab_named_tensor_t> items = {{"x", x.view()}, {"z", z.view()}, {"label", label.view()}, {"index", index.view()}};
    idlab_tensor_set_t batch_set{4, items.data()};
    idlab_named_tensor_t target{"index", index.view()};
    idlab_tensor_set_t loss_inputs{1, &target};
    DLTensor xv = x.view(), fv = f.view(), dfv = df.view();
    Stream stream;
    auto step = [&](int64_t s) {
        idlab_exec_ctx_t ctx = exec_ctx(kGpu, stream.get(), true, idlab_rng_t{3, IDLAB_RNG_STREAM_TRAIN, static_cast<uint64_t>(s)});
        ctx.loss_out = slots.data() + s;
        data.sample(ctx, batch, idlab::TensorSet(&batch_set));
        mlp->forward(ctx, xv, fv);
        loss.forward(ctx, fv, idlab::TensorSet(&loss_inputs), &dfv);
        mlp->backward(ctx, dfv, nullptr);
        adam.step(ctx);
    };
    step(0);  // sizes buffers and records the graphs
    const fake::Counters before = fake::counters();
    const int64_t grids_before = emu::grids_run();
    for (int64_t t = 1; t <= 4; ++t) step(t);
    const fake::Counters after = fake::counters();
    CHECK(after.mallocs == before.mallocs);
    CHECK(after.waits == before.waits);
    CHECK(after.blocking_copies == before.blocking_copies);
    CHECK(after.syncs_while_capturing == 0);
    // Per step, besides cuBLAS's GEMMs: the sampler, the forward and the backward graphs (their
    // kernels), the loss's row normalisation, sweep, mean and head gradient, and Adam; two graph
    // launches carry the encoder's kernels and GEMMs.
    CHECK(after.graph_launches - before.graph_launches == 4 * 2);
    const int64_t grids_per_step = (emu::grids_run() - grids_before) / 4;
    INFO("kernels per step: " << grids_per_step);
    CHECK(grids_per_step < 25);
    // Every step's loss is on the device, in its slot.
    const std::vector<double> losses = slots.download();
    for (int t = 0; t < 5; ++t) CHECK(std::isfinite(losses[static_cast<size_t>(t)]));
}
#endif
