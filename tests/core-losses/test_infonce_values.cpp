// core.infonce: values and gradients small enough to work out by hand, the component's
// description, and the errors for bad parameters, missing pairs and bad shapes.
#include "infonce_fixture.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using idlab::test::OwnedTensor;

namespace {

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

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// One pair in the plane: features rows h, p.
OwnedTensor<float> one_pair(float h0, float h1, float p0, float p1) {
    OwnedTensor<float> f({2, 2});
    f[0] = h0, f[1] = h1, f[2] = p0, f[3] = p1;
    return f;
}

}  // namespace

TEST_CASE("InfoNCE, distance form, one pair: a softplus of the scaled distance",
          "[core-losses][infonce]") {
    // The only negative is the anchor itself (distance 0): with u = |h - p|^2 / tau,
    // loss = u + log(1 + e^-u) = log(1 + e^u), dL/dp = sigmoid(u) 2 (p - h) / tau = -dL/dh.
    auto loss = idlab::test::make_infonce("distance", 4.0, 2);
    OwnedTensor<float> f = one_pair(1.0f, 0.0f, 1.0f, 2.0f), df({2, 2});  // u = 4 / 4 = 1
    const double value = idlab::test::run_infonce(*loss, f, &df);
    CHECK(value == Approx(std::log(1.0 + std::exp(1.0))).epsilon(1e-6));
    CHECK(df[0] == Approx(0.0).margin(1e-7));
    CHECK(df[1] == Approx(-sigmoid(1.0)).epsilon(1e-6));
    CHECK(df[2] == Approx(0.0).margin(1e-7));
    CHECK(df[3] == Approx(sigmoid(1.0)).epsilon(1e-6));
}

TEST_CASE("InfoNCE, dot form, one pair", "[core-losses][infonce]") {
    // h = (1, 0), p = (0, 1), tau = 1: loss = -<h, p> + log(e^<h, h> + e^<h, p>) = log(e + 1);
    // dL/dh = -p + s 2h + (1 - s) p = (2 s, -s) and dL/dp = -s h, with s = sigmoid(1).
    auto loss = idlab::test::make_infonce("dot", 1.0, 2);
    OwnedTensor<float> f = one_pair(1.0f, 0.0f, 0.0f, 1.0f), df({2, 2});
    const double s = sigmoid(1.0);
    const double value = idlab::test::run_infonce(*loss, f, &df);
    CHECK(value == Approx(std::log(std::exp(1.0) + 1.0)).epsilon(1e-6));
    CHECK(df[0] == Approx(2.0 * s).epsilon(1e-6));
    CHECK(df[1] == Approx(-s).epsilon(1e-6));
    CHECK(df[2] == Approx(-s).epsilon(1e-6));
    CHECK(df[3] == Approx(0.0).margin(1e-7));
}

TEST_CASE("InfoNCE, distance form, two pairs on a line", "[core-losses][infonce]") {
    // Anchors 0 and 1, each its own positive; for either anchor the logits are 0 (itself),
    // -1 (the other anchor) and 0 (the positive): loss = 0 + log(1 + e^-1 + 1).
    auto loss = idlab::test::make_infonce("distance", 1.0, 1);
    OwnedTensor<float> f({4, 1}), df({4, 1});
    f[0] = 0.0f, f[1] = 1.0f, f[2] = 0.0f, f[3] = 1.0f;
    const double value = idlab::test::run_infonce(*loss, f, &df);
    CHECK(value == Approx(std::log(2.0 + std::exp(-1.0))).epsilon(1e-6));
    // Moving the anchors apart lowers the loss; the two anchors are pushed in opposite directions.
    CHECK(df[0] > 0.0f);
    CHECK(df[1] == Approx(-df[0]).epsilon(1e-6));
}

TEST_CASE("InfoNCE stays finite and exact when the similarities are huge",
          "[core-losses][infonce]") {
    // Anchors 100 apart with tau = 0.01: the other anchor's logit is -10^6, the positive's -1.
    // loss_i = 1 + log(1 + e^-1 + e^-1000000) for both anchors.
    auto loss = idlab::test::make_infonce("distance", 0.01, 1);
    OwnedTensor<float> f({4, 1}), df({4, 1});
    f[0] = 0.0f, f[1] = 100.0f, f[2] = 0.1f, f[3] = 100.1f;
    const double value = idlab::test::run_infonce(*loss, f, &df);
    CHECK(value == Approx(1.0 + std::log(1.0 + std::exp(-1.0))).epsilon(1e-5));
    for (size_t i = 0; i < df.size(); ++i) CHECK(std::isfinite(df[i]));
}

TEST_CASE("core.infonce reads the pair of views and no other field", "[core-losses][infonce]") {
    auto loss = idlab::test::make_infonce("dot", 0.1, 4);
    CHECK(loss->views() == std::vector<std::string>{"x", "x_pos"});
    CHECK(loss->inputs().empty());
    CHECK(loss->parameter_count() == 0);
    CHECK(loss->form() == idlab::core::InfoNce::Form::dot);
    CHECK(loss->temperature() == 0.1f);

    const idlab::ComponentSpec spec = idlab::core::InfoNce::spec();
    CHECK(spec.id == "core.infonce");
    REQUIRE(spec.params.size() == 2);
    CHECK(spec.params[0].name == "form");
    CHECK(spec.params[0].default_value == "\"distance\"");
    CHECK(spec.params[0].choices == "distance|dot");
    CHECK(spec.params[1].name == "temperature");
    CHECK(spec.params[1].default_value == "1.0");
}

TEST_CASE("core.infonce rejects bad parameters and data without pairs", "[core-losses][infonce]") {
    SECTION("an unknown form") {
        const idlab::Error e = error_of([] { idlab::test::make_infonce("cosine", 1.0, 3); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(e.param_key() == "form");
    }
    SECTION("temperature = 0") {
        const idlab::Error e = error_of([] { idlab::test::make_infonce("dot", 0.0, 3); });
        CHECK(e.param_key() == "temperature");
    }
    SECTION("no x_pos field") {
        const idlab::Error e = error_of(
            [] { idlab::test::make_infonce("distance", 1.0, 3, /*data_has_pairs=*/false); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK_THAT(e.what(), Catch::Contains("'x_pos'"));
    }
}

TEST_CASE("core.infonce rejects features that are not two stacked views",
          "[core-losses][infonce]") {
    auto loss = idlab::test::make_infonce("distance", 1.0, 3);
    SECTION("an odd number of rows") {
        OwnedTensor<float> f({5, 3});
        const idlab::Error e = error_of([&] { idlab::test::run_infonce(*loss, f, nullptr); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(e.what(), Catch::Contains("5 rows"));
    }
    SECTION("no rows") {
        OwnedTensor<float> f({0, 3});
        const idlab::Error e = error_of([&] { idlab::test::run_infonce(*loss, f, nullptr); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_ARGUMENT);
    }
    SECTION("another width") {
        OwnedTensor<float> f({4, 2});
        const idlab::Error e = error_of([&] { idlab::test::run_infonce(*loss, f, nullptr); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(e.what(), Catch::Contains("features"));
    }
    SECTION("one view only, as a 1-D tensor") {
        OwnedTensor<float> f({6});
        const idlab::Error e = error_of([&] { idlab::test::run_infonce(*loss, f, nullptr); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_ARGUMENT);
    }
    SECTION("a gradient buffer of another shape") {
        OwnedTensor<float> f({4, 3}), df({2, 3});
        const idlab::Error e = error_of([&] { idlab::test::run_infonce(*loss, f, &df); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(e.what(), Catch::Contains("dfeatures"));
    }
}
