// core.mlp creation: the parameters it exposes, PyTorch's default initialisation drawn from the
// run seed alone, the output width, and the errors for bad parameters and tensors.
#include "mlp_harness.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

using idlab::core::Mlp;
using namespace idlab::test;

namespace {

std::vector<int64_t> shape_of(const DLTensor& t) { return std::vector<int64_t>(t.shape, t.shape + t.ndim); }

// Creates core.mlp from `s`, applies `edit` to the config, returns the error it throws.
template <class Edit>
idlab::Error creation_error(const MlpSetup& s, Edit&& edit, int64_t input_dim = 3,
                            DLDeviceType device = kDLCPU) {
    ConfigBuilder config = mlp_config(s);
    edit(config);
    idlab_create_ctx_t ctx = encoder_create_ctx(s.seed, input_dim);
    ctx.device = DLDevice{device, 0};
    try {
        Mlp mlp(idlab::CreateContext(&ctx), idlab::Config(config.get()));
    } catch (const idlab::Error& e) {
        return e;
    }
    FAIL("core.mlp accepted the config");
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("core.mlp exposes every weight, bias and batch norm parameter", "[core-encoders][setup]") {
    MlpSetup setup;  // 3 -> 6 -> 5 -> 4
    setup.batch_norm = GENERATE(true, false);
    auto mlp = make_mlp(setup);
    CHECK(mlp->output_dim() == 4);
    std::vector<std::string> names;
    for (uint32_t i = 0; i < mlp->parameter_count(); ++i) {
        const idlab_param_view_t& p = mlp->parameter(i);
        names.emplace_back(p.name);
        CHECK(p.value.data != p.grad.data);
        CHECK(shape_of(p.value) == shape_of(p.grad));
        CHECK(p.value.dtype.code == kDLFloat);
        CHECK(p.value.dtype.bits == 32);
    }
    std::vector<std::string> expected = {"layer0.weight", "layer0.bias", "bn0.weight", "bn0.bias",
                                         "layer1.weight", "layer1.bias", "bn1.weight", "bn1.bias",
                                         "out.weight",    "out.bias"};
    if (!setup.batch_norm)
        expected = {"layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias", "out.weight", "out.bias"};
    CHECK(names == expected);
    CHECK(shape_of(find_param(*mlp, "layer0.weight").value) == std::vector<int64_t>{6, 3});
    CHECK(shape_of(find_param(*mlp, "layer1.weight").value) == std::vector<int64_t>{5, 6});
    CHECK(shape_of(find_param(*mlp, "out.weight").value) == std::vector<int64_t>{4, 5});
    CHECK(shape_of(find_param(*mlp, "out.bias").value) == std::vector<int64_t>{4});
    if (setup.batch_norm) {
        CHECK(param_values(*mlp, "bn1.weight") == std::vector<double>(5, 1.0));
        CHECK(param_values(*mlp, "bn1.bias") == std::vector<double>(5, 0.0));
    }
}

TEST_CASE("core.mlp initialises Linear layers like PyTorch", "[core-encoders][setup]") {
    // nn.Linear default: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    MlpSetup setup;
    setup.in_dim = 5;
    setup.hidden = {50, 250};
    setup.out_dim = 5;
    auto mlp = make_mlp(setup);
    const double bound = 1.0 / std::sqrt(50.0);
    const std::vector<double> w = param_values(*mlp, "layer1.weight");  // 250 x 50
    REQUIRE(w.size() == 12500);
    double mean = 0.0, mean_sq = 0.0;
    for (double v : w) {
        REQUIRE(std::abs(v) <= bound);
        mean += v / w.size();
        mean_sq += v * v / w.size();
    }
    // U(-b, b): mean 0, second moment b^2 / 3 (standard errors 0.0005 and 0.0003 here).
    CHECK(std::abs(mean) < 0.003);
    CHECK(mean_sq == Approx(bound * bound / 3.0).epsilon(0.03));
    for (double v : param_values(*mlp, "layer1.bias")) REQUIRE(std::abs(v) <= bound);
    for (double v : param_values(*mlp, "layer0.weight")) REQUIRE(std::abs(v) <= 1.0 / std::sqrt(5.0));
    for (double v : param_values(*mlp, "out.weight")) REQUIRE(std::abs(v) <= 1.0 / std::sqrt(250.0));
}

TEST_CASE("core.mlp initial parameters depend on the seed alone", "[core-encoders][setup]") {
    MlpSetup setup;
    auto a = make_mlp(setup);
    auto b = make_mlp(setup);
    for (uint32_t i = 0; i < a->parameter_count(); ++i) {
        INFO(a->parameter(i).name);
        CHECK(param_values(*a, a->parameter(i).name) == param_values(*b, a->parameter(i).name));
    }
    MlpSetup other_seed = setup;
    other_seed.seed = setup.seed + 1;
    auto c = make_mlp(other_seed);
    CHECK(param_values(*a, "layer0.weight") != param_values(*c, "layer0.weight"));
    CHECK(param_values(*a, "out.bias") != param_values(*c, "out.bias"));
    // A tensor's values depend on its own name, not on the layers after it.
    MlpSetup wider = setup;
    wider.hidden = {6, 9};
    auto d = make_mlp(wider);
    CHECK(param_values(*a, "layer0.weight") == param_values(*d, "layer0.weight"));
    CHECK(param_values(*a, "layer0.bias") == param_values(*d, "layer0.bias"));
    // Weight and bias of a layer are different draws.
    CHECK(param_values(*a, "layer0.bias")[0] != param_values(*a, "layer0.weight")[0]);
}

TEST_CASE("core.mlp takes its output width from the data field z when out_dim is 0", "[core-encoders][setup]") {
    MlpSetup setup;
    setup.out_dim = 0;
    ConfigBuilder config = mlp_config(setup);
    idlab_field_desc_t fields[2]{};
    fields[0].struct_size = sizeof(idlab_field_desc_t);
    fields[0].name = "x";
    fields[0].dtype = IDLAB_DTYPE_F32;
    fields[0].width = 3;
    fields[1] = fields[0];
    fields[1].name = "z";
    fields[1].width = 7;
    const idlab_create_ctx_t ctx = encoder_create_ctx(1, 3, fields, 2);
    Mlp mlp(idlab::CreateContext(&ctx), idlab::Config(config.get()));
    CHECK(mlp.output_dim() == 7);

    const idlab::Error e = creation_error(setup, [](ConfigBuilder&) {});  // no fields at all
    CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
    CHECK(e.param_key() == "out_dim");
}

TEST_CASE("core.mlp rejects bad parameter values with the key at fault", "[core-encoders][setup]") {
    const MlpSetup setup;
    struct Case {
        const char* key;
        std::function<void(ConfigBuilder&)> edit;
    };
    const std::vector<Case> cases = {
        {"hidden", [](ConfigBuilder& c) { c.set_int_list("hidden", {6, 0}); }},
        {"hidden", [](ConfigBuilder& c) { c.set_int_list("hidden", {-2}); }},
        {"out_dim", [](ConfigBuilder& c) { c.set_int("out_dim", -1); }},
        {"negative_slope", [](ConfigBuilder& c) { c.set_float("negative_slope", -0.1); }},
        {"bn_momentum", [](ConfigBuilder& c) { c.set_float("bn_momentum", 0.0); }},
        {"bn_momentum", [](ConfigBuilder& c) { c.set_float("bn_momentum", 1.5); }},
        {"bn_eps", [](ConfigBuilder& c) { c.set_float("bn_eps", 0.0); }},
        {"batch_norm", [](ConfigBuilder& c) { c.set_int("batch_norm", 1); }},  // wrong type
    };
    for (const Case& c : cases) {
        INFO("key " << c.key);
        const idlab::Error e = creation_error(setup, c.edit);
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(e.param_key() == c.key);
    }
    SECTION("a device other than the CPU") {
        const idlab::Error e = creation_error(setup, [](ConfigBuilder&) {}, 3, kDLCUDA);
        CHECK(e.code() == IDLAB_STATUS_UNSUPPORTED);
    }
    SECTION("an input without columns") {
        const idlab::Error e = creation_error(setup, [](ConfigBuilder&) {}, 0);
        CHECK(e.code() == IDLAB_STATUS_INVALID_ARGUMENT);
    }
}

TEST_CASE("core.mlp rejects tensors it cannot take", "[core-encoders][setup]") {
    MlpSetup setup;  // 3 -> 6 -> 5 -> 4
    auto mlp = make_mlp(setup);
    auto forward = [&](int64_t rows, int64_t cols, int64_t out_rows, int64_t out_cols, bool training) {
        OwnedTensor<float> x({rows, cols}), f({out_rows, out_cols});
        for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) - 3.0f;
        DLTensor xv = x.view(), fv = f.view();
        mlp->forward(mlp_exec_ctx(training), xv, fv);
    };
    auto backward = [&](int64_t rows, int64_t cols, int64_t dx_rows, int64_t dx_cols) {
        OwnedTensor<float> df({rows, cols}), dx({dx_rows, dx_cols});
        DLTensor dfv = df.view(), dxv = dx.view();
        mlp->backward(mlp_exec_ctx(true), dfv, &dxv);
    };

    SECTION("backward before any training forward") {
        CHECK_THROWS_AS(backward(8, 4, 8, 3), idlab::Error);
        forward(8, 3, 8, 4, false);  // eval mode keeps nothing for backward
        CHECK_THROWS_AS(backward(8, 4, 8, 3), idlab::Error);
    }
    SECTION("wrong widths and row counts") {
        CHECK_THROWS_AS(forward(8, 2, 8, 4, true), idlab::Error);
        CHECK_THROWS_AS(forward(8, 3, 8, 5, true), idlab::Error);
        CHECK_THROWS_AS(forward(8, 3, 7, 4, false), idlab::Error);
        CHECK_THROWS_AS(forward(0, 3, 0, 4, false), idlab::Error);
        forward(8, 3, 8, 4, true);
        CHECK_NOTHROW(backward(8, 4, 8, 3));
        CHECK_THROWS_AS(backward(7, 4, 7, 3), idlab::Error);
        CHECK_THROWS_AS(backward(8, 3, 8, 3), idlab::Error);
        CHECK_THROWS_AS(backward(8, 4, 8, 4), idlab::Error);
    }
    SECTION("a single sample: fine in eval mode, not for batch statistics") {
        CHECK_NOTHROW(forward(1, 3, 1, 4, false));
        CHECK_THROWS_AS(forward(1, 3, 1, 4, true), idlab::Error);
    }
}
