// What core.adam and core.sgd accept in bind(): the views they update in place, and the errors
// for views they cannot update.
#include "adam.hpp"
#include "optim_fixture.hpp"
#include "sgd.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

using idlab::test::ConfigBuilder;
using idlab::test::ParameterSet;

namespace {

ConfigBuilder default_config(bool adam) {
    ConfigBuilder c;
    c.set_float("lr", adam ? 1e-3 : 0.01).set_float("weight_decay", 0.0);
    if (adam)
        c.set_float("beta1", 0.9).set_float("beta2", 0.999).set_float("eps", 1e-8);
    else
        c.set_float("momentum", 0.0).set_float("dampening", 0.0).set_bool("nesterov", false);
    return c;
}

std::unique_ptr<idlab::Optimizer> make(bool adam) {
    ConfigBuilder config = default_config(adam);
    if (adam) return idlab::test::make_optimizer<idlab::core::Adam>(config);
    return idlab::test::make_optimizer<idlab::core::Sgd>(config);
}

template <class F>
idlab::Error error_of(F&& f) {
    try {
        f();
    } catch (const idlab::Error& e) {
        return e;
    }
    FAIL("no idlab::Error was thrown");
    return idlab::Error(IDLAB_STATUS_OK, "");
}

}  // namespace

TEST_CASE("bind() then step() updates the bound views in place", "[core-optim]") {
    const bool adam = GENERATE(true, false);
    INFO((adam ? "core.adam" : "core.sgd"));
    auto optimizer = make(adam);
    ParameterSet params = idlab::test::two_parameters();
    const float* weight_storage = params.value(0).data();
    const std::vector<float> weight_before = params.value(0);
    const std::vector<float> bias_before = params.value(1);
    const auto& views = params.views();
    optimizer->bind(views.data(), static_cast<uint32_t>(views.size()));

    params.grad(0).assign(6, 1.0f);
    params.grad(1).assign(2, -1.0f);
    optimizer->step(idlab::test::exec_ctx(0));

    CHECK(params.value(0).data() == weight_storage);  // the same memory, written in place
    for (size_t i = 0; i < 6; ++i) CHECK(params.value(0)[i] < weight_before[i]);
    for (size_t i = 0; i < 2; ++i) CHECK(params.value(1)[i] > bias_before[i]);
    CHECK(params.grad(0) == std::vector<float>(6, 1.0f));  // gradients are read only
}

TEST_CASE("a parameter with a zero gradient and no weight decay does not move", "[core-optim]") {
    const bool adam = GENERATE(true, false);
    INFO((adam ? "core.adam" : "core.sgd"));
    auto optimizer = make(adam);
    ParameterSet params = idlab::test::two_parameters();
    const std::vector<float> bias_before = params.value(1);
    const auto& views = params.views();
    optimizer->bind(views.data(), static_cast<uint32_t>(views.size()));
    params.grad(0).assign(6, 0.5f);
    for (int t = 0; t < 3; ++t) optimizer->step(idlab::test::exec_ctx(t));
    CHECK(params.value(1) == bias_before);
}

TEST_CASE("step() before bind() is an error", "[core-optim]") {
    const bool adam = GENERATE(true, false);
    auto optimizer = make(adam);
    const idlab::Error e = error_of([&] { optimizer->step(idlab::test::exec_ctx(0)); });
    CHECK(e.code() == IDLAB_STATUS_INVALID_ARGUMENT);
    CHECK_THAT(e.what(), Catch::Contains("bind"));
}

TEST_CASE("bind() rejects views it cannot update, naming the parameter", "[core-optim]") {
    const bool adam = GENERATE(true, false);
    INFO((adam ? "core.adam" : "core.sgd"));
    auto optimizer = make(adam);
    ParameterSet params = idlab::test::two_parameters();
    std::vector<idlab_param_view_t> views = params.views();
    std::vector<int64_t> other_shape{3, 2};
    std::vector<int64_t> strides{1, 2};
    std::vector<double> doubles(2, 0.0);

    SECTION("a gradient of another shape") { views[0].grad.shape = other_shape.data(); }
    SECTION("a float64 value") {
        views[1].value.data = doubles.data();
        views[1].value.dtype = DLDataType{kDLFloat, 64, 1};
    }
    SECTION("a transposed (non-compact) value") {
        views[0].value.shape = other_shape.data();
        views[0].grad.shape = other_shape.data();
        views[0].value.strides = strides.data();
    }
    SECTION("a value on another device") { views[1].value.device = DLDevice{kDLCUDA, 0}; }
    const idlab::Error e =
        error_of([&] { optimizer->bind(views.data(), static_cast<uint32_t>(views.size())); });
    CHECK(e.code() == IDLAB_STATUS_INVALID_ARGUMENT);
    CHECK_THAT(e.what(), Catch::Contains("layer."));
}
