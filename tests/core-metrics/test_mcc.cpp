// core.mcc: a permuted, sign-flipped, rescaled copy of the latents scores 1 (Pearson and
// Spearman), a monotone non-linear copy scores 1 for Spearman only, noisy copies score their
// population correlations, unrelated noise about 0; rectangular cases match min(d, dim) pairs.
#include "correlation.hpp"
#include "mcc.hpp"
#include "metric_harness.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

using idlab::core::Mcc;
using idlab::test::ConfigBuilder;
using idlab::test::float_tensor;
using idlab::test::gaussian_matrix;
using idlab::test::MetricHarness;
using idlab::test::MetricResult;
using idlab::test::OwnedTensor;
using idlab::test::round_to_float;

namespace {

MetricResult mcc(const std::vector<double>& features, const std::vector<double>& z, int64_t n,
                 int64_t dim, int64_t d) {
    ConfigBuilder config;
    MetricHarness<Mcc> metric(config);
    OwnedTensor<float> ft = float_tensor(features, n, dim), zt = float_tensor(z, n, d);
    return metric.evaluate({{"features", ft.view()}, {"z", zt.view()}});
}

// features[:, j] = transform(j, z[:, source[j]]).
template <class Transform>
std::vector<double> mixed_copy(const std::vector<double>& z, int64_t n, int64_t d,
                               const std::vector<int64_t>& source, Transform transform) {
    const int64_t dim = static_cast<int64_t>(source.size());
    std::vector<double> f(static_cast<size_t>(n * dim));
    for (int64_t r = 0; r < n; ++r)
        for (int64_t j = 0; j < dim; ++j) f[r * dim + j] = transform(j, z[r * d + source[j]]);
    return f;
}

std::vector<double> latents(std::mt19937_64& gen, int64_t n, int64_t d) {
    std::vector<double> z = gaussian_matrix(gen, n, d);
    round_to_float(z);
    return z;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("mcc declares its inputs and values", "[core-metrics]") {
    ConfigBuilder config;
    MetricHarness<Mcc> metric(config);
    CHECK(metric.inputs() == std::vector<std::string>{"features", "z"});
    CHECK(metric.values() == std::vector<std::string>{"mcc_pearson", "mcc_spearman"});
}

TEST_CASE("mcc of a permuted, sign-flipped, rescaled copy is 1", "[core-metrics]") {
    std::mt19937_64 gen(51);
    const int64_t n = 2000, d = 4;
    const std::vector<double> z = latents(gen, n, d);
    const std::vector<double> scale = {-2.0, 0.5, 3.0, -1.0};
    const std::vector<double> f = mixed_copy(z, n, d, {2, 0, 3, 1},
                                             [&](int64_t j, double v) { return scale[j] * v; });
    const auto r = mcc(f, z, n, d, d);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    CHECK(r.values[0] == Approx(1.0).margin(1e-6));
    // Float32 rounding of a copy can tie two nearly equal samples: rho moves by ~1e-10.
    CHECK(r.values[1] == Approx(1.0).margin(1e-9));
}

TEST_CASE("mcc_spearman is 1 for a monotone non-linear copy, mcc_pearson is not", "[core-metrics]") {
    std::mt19937_64 gen(52);
    const int64_t n = 4000, d = 3;
    const std::vector<double> z = latents(gen, n, d);
    // Cubes (corr(z, z³) = 3/sqrt(15) ≈ 0.775 for Gaussian z), a decreasing exponential and a
    // logistic: each strictly monotone.
    const std::vector<double> f = mixed_copy(z, n, d, {1, 2, 0}, [](int64_t j, double v) {
        if (j == 0) return v * v * v;
        if (j == 1) return std::exp(-2.0 * v);
        return 1.0 / (1.0 + std::exp(-3.0 * v));
    });
    const auto r = mcc(f, z, n, d, d);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    CHECK(r.values[1] == Approx(1.0).margin(1e-9));
    CHECK(r.values[0] < 0.95);
    CHECK(r.values[0] > 0.6);
}

TEST_CASE("mcc of noisy copies matches the population correlations", "[core-metrics]") {
    // f_j = z_pi(j) + s_j e_j with Gaussian z and e: Pearson r_j = 1 / sqrt(1 + s_j²), and
    // Spearman rho_j = (6 / pi) asin(r_j / 2) for a bivariate normal.
    std::mt19937_64 gen(53);
    const int64_t n = 20000, d = 3;
    const std::vector<double> z = latents(gen, n, d);
    const std::vector<double> noise_scale = {0.3, 1.0, 2.0};
    std::normal_distribution<double> normal(0.0, 1.0);
    const std::vector<double> f = mixed_copy(z, n, d, {2, 1, 0}, [&](int64_t j, double v) {
        return v + noise_scale[j] * normal(gen);
    });
    const double pi = std::acos(-1.0);
    double pearson = 0.0, spearman = 0.0;
    for (double s : noise_scale) {
        const double r = 1.0 / std::sqrt(1.0 + s * s);
        pearson += r / d;
        spearman += 6.0 / pi * std::asin(r / 2.0) / d;
    }
    const auto r = mcc(f, z, n, d, d);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    // Standard errors are below 0.01 at n = 20000.
    CHECK(r.values[0] == Approx(pearson).margin(0.015));
    CHECK(r.values[1] == Approx(spearman).margin(0.015));
    CHECK(r.values[0] > r.values[1]);  // Spearman < Pearson for these normals
}

TEST_CASE("mcc of unrelated noise is about 0", "[core-metrics]") {
    std::mt19937_64 gen(54);
    const int64_t n = 5000, d = 3;
    const std::vector<double> z = latents(gen, n, d);
    const std::vector<double> f = gaussian_matrix(gen, n, d);
    const auto r = mcc(f, z, n, d, d);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    // Each |corr| is about 0.011; the matching picks the largest, still far below 0.1.
    CHECK(r.values[0] < 0.1);
    CHECK(r.values[1] < 0.1);
}

TEST_CASE("mcc matches min(d, dim) pairs when features and latents differ in width", "[core-metrics]") {
    std::mt19937_64 gen(55);
    const int64_t n = 2000, d = 3;
    const std::vector<double> z = latents(gen, n, d);

    SECTION("more features than latents: the extra ones are noise") {
        // Columns 1, 3, 4 copy z (flipped), columns 0 and 2 are unrelated noise.
        std::normal_distribution<double> normal(0.0, 1.0);
        const std::vector<int64_t> source = {0, 2, 0, 1, 0};
        const std::vector<double> f = mixed_copy(z, n, d, source, [&](int64_t j, double v) {
            return j == 0 || j == 2 ? normal(gen) : -v;
        });
        const auto r = mcc(f, z, n, 5, d);
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.values[0] == Approx(1.0).margin(1e-6));
        CHECK(r.values[1] == Approx(1.0).margin(1e-9));
    }
    SECTION("fewer features than latents: each feature copies a different latent") {
        const std::vector<double> f = mixed_copy(z, n, d, {2, 0}, [](int64_t, double v) { return 5.0 * v; });
        const auto r = mcc(f, z, n, 2, d);
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.values[0] == Approx(1.0).margin(1e-6));
        CHECK(r.values[1] == Approx(1.0).margin(1e-9));
    }
}

TEST_CASE("a constant feature correlates 0", "[core-metrics]") {
    // f = [z_0, 0.1]: one perfect pair and one pair with correlation 0, so MCC = 1/2.
    std::mt19937_64 gen(56);
    const int64_t n = 500, d = 2;
    const std::vector<double> z = latents(gen, n, d);
    const std::vector<double> f = mixed_copy(z, n, d, {0, 1}, [](int64_t j, double v) {
        return j == 0 ? v : 0.1;
    });
    const auto r = mcc(f, z, n, d, d);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    CHECK(r.values[0] == Approx(0.5).margin(1e-6));
    CHECK(r.values[1] == Approx(0.5).margin(1e-9));
}

TEST_CASE("rank_columns gives tied values their mean rank", "[core-metrics]") {
    // Column 0: 3, 1, 3, 2 -> ranks 3.5, 1, 3.5, 2. Column 1: all equal -> 2.5 each.
    std::vector<double> m = {3.0, 7.0,
                             1.0, 7.0,
                             3.0, 7.0,
                             2.0, 7.0};
    std::vector<int64_t> order;
    idlab::core::rank_columns(m.data(), 4, 2, order);
    CHECK(m == std::vector<double>{3.5, 2.5, 1.0, 2.5, 3.5, 2.5, 2.0, 2.5});
}

TEST_CASE("mcc rejects malformed inputs", "[core-metrics]") {
    std::mt19937_64 gen(57);
    ConfigBuilder config;
    MetricHarness<Mcc> metric(config);
    OwnedTensor<float> features = float_tensor(gaussian_matrix(gen, 10, 3), 10, 3);
    OwnedTensor<float> z = float_tensor(gaussian_matrix(gen, 10, 2), 10, 2);

    SECTION("a missing input") {
        const auto r = metric.evaluate({{"features", features.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "'z'"));
    }
    SECTION("different row counts") {
        OwnedTensor<float> z9 = float_tensor(gaussian_matrix(gen, 9, 2), 9, 2);
        const auto r = metric.evaluate({{"features", features.view()}, {"z", z9.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
    }
    SECTION("a single sample") {
        OwnedTensor<float> f1 = float_tensor({1.0, 2.0, 3.0}, 1, 3), z1 = float_tensor({1.0, 2.0}, 1, 2);
        const auto r = metric.evaluate({{"features", f1.view()}, {"z", z1.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "at least 2"));
    }
    SECTION("a non-finite latent") {
        z[4] = std::nanf("");
        const auto r = metric.evaluate({{"features", features.view()}, {"z", z.view()}});
        CHECK(r.status == IDLAB_STATUS_NUMERIC_ERROR);
        CHECK(contains(r.message, "z"));
    }
}
