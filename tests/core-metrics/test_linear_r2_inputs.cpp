// core.linear_r2 refuses inputs it cannot score, with a status and a message, through the C ABI.
#include "metric_harness.hpp"

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

TEST_CASE("linear_r2 declares the inputs and values its config asks for", "[core-metrics]") {
    using Names = std::vector<std::string>;
    SECTION("affine R² only") {
        LinearR2Harness metric(true);
        CHECK(metric.inputs() == Names{"features", "z"});
        CHECK(metric.values() == Names{"linear_r2"});
    }
    SECTION("linear R² only") {
        LinearR2Harness metric(false);
        CHECK(metric.inputs() == Names{"features", "z"});
        CHECK(metric.values() == Names{"linear_r2_o"});
    }
    SECTION("singular values against 1/kappa read the data's kappa") {
        LinearR2Harness metric(false, "inverse_kappa");
        CHECK(metric.inputs() == Names{"features", "z", "data.kappa"});
        CHECK(metric.values() == Names{"linear_r2_o", "sv_mae"});
    }
    SECTION("singular values against 1 need nothing more") {
        LinearR2Harness metric(true, "one");
        CHECK(metric.inputs() == Names{"features", "z"});
        CHECK(metric.values() == Names{"linear_r2", "sv_mae"});
    }
}

TEST_CASE("linear_r2 refuses an unknown singular_values mode", "[core-metrics]") {
    idlab::test::ConfigBuilder config;
    config.set_bool("intercept", false).set_string("singular_values", "kappa");
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    char message[256] = "";
    char key[64] = "";
    idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message, key, sizeof key};
    idlab_instance_t* instance = nullptr;
    const idlab_status_t st = idlab::detail::descriptor<idlab::core::LinearR2>()->create(
        &ctx, config.get(), &instance, &err);
    CHECK(st == IDLAB_STATUS_INVALID_CONFIG);
    CHECK(instance == nullptr);
    CHECK(std::string(key) == "singular_values");
    CHECK(contains(message, "inverse_kappa"));
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
    SECTION("a missing kappa when singular values are compared with 1/kappa") {
        LinearR2Harness sv_metric(false, "inverse_kappa");
        const auto r = sv_metric.evaluate({{"features", features.view()}, {"z", z.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "'data.kappa'"));
    }
    SECTION("a kappa that is not a positive f64 scalar") {
        LinearR2Harness sv_metric(false, "inverse_kappa");
        OwnedTensor<double> kappa({1});  // 0
        const auto r0 = sv_metric.evaluate(
            {{"features", features.view()}, {"z", z.view()}, {"data.kappa", kappa.view()}});
        CHECK(r0.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r0.message, "data.kappa"));
        OwnedTensor<float> kappa32({1});
        kappa32[0] = 10.0f;
        const auto r1 = sv_metric.evaluate(
            {{"features", features.view()}, {"z", z.view()}, {"data.kappa", kappa32.view()}});
        CHECK(r1.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r1.message, "f64"));
        OwnedTensor<double> kappa2({2});
        kappa2[0] = kappa2[1] = 10.0;
        const auto r2 = sv_metric.evaluate(
            {{"features", features.view()}, {"z", z.view()}, {"data.kappa", kappa2.view()}});
        CHECK(r2.status == IDLAB_STATUS_INVALID_ARGUMENT);
    }
    SECTION("well-formed inputs are accepted") {
        const auto r = metric.evaluate({{"features", features.view()}, {"z", z.view()}});
        CHECK(r.status == IDLAB_STATUS_OK);
        CHECK(std::isfinite(r.value));
    }
}
