// core.linear_r2 refuses inputs it cannot score, with a status and a message, through the C ABI.
#include "linear_r2_harness.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

using idlab::test::LinearR2Harness;
using idlab::test::OwnedTensor;

namespace {

OwnedTensor<float> filled(std::vector<int64_t> shape) {
    OwnedTensor<float> t(std::move(shape));
    for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(std::sin(1.0 + 0.7 * i));
    return t;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("linear_r2 declares its inputs and value", "[core-metrics]") {
    idlab::test::ConfigBuilder config;
    config.set_bool("intercept", true);
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    idlab::core::LinearR2 metric(idlab::CreateContext(&ctx), idlab::Config(config.get()));
    CHECK(metric.inputs() == std::vector<std::string>{"features", "z"});
    CHECK(metric.values() == std::vector<std::string>{"linear_r2"});
}

TEST_CASE("linear_r2 rejects malformed inputs", "[core-metrics]") {
    LinearR2Harness metric(true);
    OwnedTensor<float> features = filled({16, 3});
    OwnedTensor<float> z = filled({16, 2});

    SECTION("a missing input") {
        const auto r = metric.evaluate({{"features", features.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "'z'"));
    }
    SECTION("a row count that differs between features and z") {
        OwnedTensor<float> z_short = filled({15, 2});
        const auto r = metric.evaluate({{"features", features.view()}, {"z", z_short.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "z"));
    }
    SECTION("a float64 tensor") {
        OwnedTensor<double> features64({16, 3});
        const auto r = metric.evaluate({{"features", features64.view()}, {"z", z.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "f32"));
    }
    SECTION("a one-dimensional tensor") {
        OwnedTensor<float> flat = filled({16});
        const auto r = metric.evaluate({{"features", flat.view()}, {"z", z.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
    }
    SECTION("too few samples to split") {
        OwnedTensor<float> f3 = filled({3, 3}), z3 = filled({3, 2});
        const auto r = metric.evaluate({{"features", f3.view()}, {"z", z3.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "at least 4"));
    }
    SECTION("a non-finite feature") {
        features[5] = std::numeric_limits<float>::quiet_NaN();
        const auto r = metric.evaluate({{"features", features.view()}, {"z", z.view()}});
        CHECK(r.status == IDLAB_STATUS_NUMERIC_ERROR);
        CHECK(contains(r.message, "features"));
    }
    SECTION("a non-finite latent") {
        z[3] = std::numeric_limits<float>::infinity();
        const auto r = metric.evaluate({{"features", features.view()}, {"z", z.view()}});
        CHECK(r.status == IDLAB_STATUS_NUMERIC_ERROR);
        CHECK(contains(r.message, "z"));
    }
    SECTION("well-formed inputs are accepted") {
        const auto r = metric.evaluate({{"features", features.view()}, {"z", z.view()}});
        CHECK(r.status == IDLAB_STATUS_OK);
        CHECK(std::isfinite(r.value));
    }
}
