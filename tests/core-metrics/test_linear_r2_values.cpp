// core.linear_r2 against answers known in advance: an exact affine map scores 1, unrelated
// noise about 0, a noisy linear map its population R², and the score follows the documented
// protocol (fit on the first half of the rows, sklearn's uniform-average R² on the second half).
#include "least_squares.hpp"
#include "metric_harness.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

using idlab::test::affine_map;
using idlab::test::gaussian_matrix;
using idlab::test::LinearR2Harness;
using idlab::test::round_to_float;

namespace {

// sklearn's r2_score with multioutput='uniform_average', written out independently.
double reference_r2(const std::vector<double>& y, const std::vector<double>& yhat, int64_t first_row,
                    int64_t rows, int64_t d) {
    double total = 0.0;
    for (int64_t j = 0; j < d; ++j) {
        double mean = 0.0;
        for (int64_t r = first_row; r < first_row + rows; ++r) mean += y[r * d + j];
        mean /= static_cast<double>(rows);
        double res = 0.0, tot = 0.0;
        for (int64_t r = first_row; r < first_row + rows; ++r) {
            res += (y[r * d + j] - yhat[r * d + j]) * (y[r * d + j] - yhat[r * d + j]);
            tot += (y[r * d + j] - mean) * (y[r * d + j] - mean);
        }
        total += 1.0 - res / tot;
    }
    return total / static_cast<double>(d);
}

}  // namespace

TEST_CASE("linear_r2 of an exact affine map is 1", "[core-metrics]") {
    std::mt19937_64 gen(11);
    const int64_t n = 2000, p = 7, d = 5;
    std::vector<double> x = gaussian_matrix(gen, n, p);
    round_to_float(x);
    const std::vector<double> a = gaussian_matrix(gen, p, d);

    SECTION("with an intercept") {
        const std::vector<double> z = affine_map(x, a, {3.0, -2.0, 0.5, 10.0, -7.0}, n, p, d);
        LinearR2Harness metric(true);
        const auto r = metric.evaluate(x, z, n, p, d);
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.value == Approx(1.0).margin(1e-9));
    }
    SECTION("through the origin without an intercept") {
        const std::vector<double> z = affine_map(x, a, std::vector<double>(d, 0.0), n, p, d);
        LinearR2Harness metric(false);
        const auto r = metric.evaluate(x, z, n, p, d);
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.value == Approx(1.0).margin(1e-9));
    }
    SECTION("with a dead (constant) feature") {
        // The third feature is constant: it only lowers the rank of the centred design.
        const int64_t p2 = 3, d2 = 2;
        std::vector<double> x2 = gaussian_matrix(gen, n, p2);
        for (int64_t r = 0; r < n; ++r) x2[r * p2 + 2] = 4.0;
        round_to_float(x2);
        const std::vector<double> a2 = {1.0, 2.0, -1.0, 0.5, 3.0, 1.0};  // [p2, d2]
        const std::vector<double> z2 = affine_map(x2, a2, {1.0, -1.0}, n, p2, d2);
        LinearR2Harness metric(true);
        const auto r = metric.evaluate(x2, z2, n, p2, d2);
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.value == Approx(1.0).margin(1e-9));
    }
}

TEST_CASE("linear_r2 of unrelated noise is about 0", "[core-metrics]") {
    std::mt19937_64 gen(12);
    const int64_t n = 20000, p = 5, d = 5;
    const std::vector<double> x = gaussian_matrix(gen, n, p);
    const std::vector<double> z = gaussian_matrix(gen, n, d);
    LinearR2Harness metric(true);
    const auto r = metric.evaluate(x, z, n, p, d);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    // Held-out R² of a useless fit is slightly negative, about -p / n_train.
    CHECK(std::abs(r.value) < 0.05);
    CHECK(r.value < 0.005);
}

TEST_CASE("linear_r2 of a noisy linear map matches its population value", "[core-metrics]") {
    // z = x A + noise with x ~ N(0, I) and noise ~ N(0, s^2 I): output j has
    // R²_j = |A_:j|² / (|A_:j|² + s²); the metric reports the mean over j.
    std::mt19937_64 gen(13);
    const int64_t n = 40000, p = 4, d = 3;
    const double noise = 1.5;
    const std::vector<double> a = gaussian_matrix(gen, p, d);
    const std::vector<double> x = gaussian_matrix(gen, n, p);
    std::vector<double> z = affine_map(x, a, {0.25, -1.0, 2.0}, n, p, d);
    const std::vector<double> eps = gaussian_matrix(gen, n, d, noise);
    for (size_t i = 0; i < z.size(); ++i) z[i] += eps[i];

    double expected = 0.0;
    for (int64_t j = 0; j < d; ++j) {
        double signal = 0.0;
        for (int64_t k = 0; k < p; ++k) signal += a[k * d + j] * a[k * d + j];
        expected += signal / (signal + noise * noise);
    }
    expected /= static_cast<double>(d);
    INFO("population R² = " << expected);
    REQUIRE(expected > 0.2);
    REQUIRE(expected < 0.8);

    LinearR2Harness metric(true);
    const auto r = metric.evaluate(x, z, n, p, d);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    // Sampling error of the estimate is about 0.005 at 20000 test rows.
    CHECK(r.value == Approx(expected).margin(0.02));
}

TEST_CASE("linear_r2 fits on the first half and scores the second half", "[core-metrics]") {
    // First half: an exact affine map, so the fit recovers it. Second half: the same map plus
    // noise. The score must then equal sklearn's R² of that map's predictions on the second
    // half (a fit on any other rows would not reproduce it to 1e-9).
    std::mt19937_64 gen(14);
    const int64_t p = 3, d = 2;
    const std::vector<double> a = gaussian_matrix(gen, p, d);
    const std::vector<double> offset = {0.5, -0.25};
    for (int64_t n : {2000, 2001}) {
        INFO("n = " << n);
        const int64_t train = n / 2;
        std::vector<double> x = gaussian_matrix(gen, n, p);
        round_to_float(x);
        const std::vector<double> exact = affine_map(x, a, offset, n, p, d);
        std::vector<double> z = exact;
        std::normal_distribution<double> noise(0.0, 0.5);
        for (int64_t i = train * d; i < n * d; ++i) z[i] += noise(gen);
        round_to_float(z);  // what the metric sees after the float32 hand-over

        LinearR2Harness metric(true);
        const auto r = metric.evaluate(x, z, n, p, d);
        REQUIRE(r.status == IDLAB_STATUS_OK);
        // Fitting any other rows would move the score by about 1e-3.
        const double expected = reference_r2(z, exact, train, n - train, d);
        CHECK(r.value == Approx(expected).margin(1e-6));
        CHECK(expected < 0.99);
    }
}

TEST_CASE("linear_r2 without an intercept cannot absorb an offset", "[core-metrics]") {
    std::mt19937_64 gen(15);
    const int64_t n = 4000, p = 3, d = 3;
    std::vector<double> x = gaussian_matrix(gen, n, p);
    round_to_float(x);
    const std::vector<double> a = gaussian_matrix(gen, p, d);
    const std::vector<double> z = affine_map(x, a, {5.0, 5.0, 5.0}, n, p, d);
    LinearR2Harness with(true), without(false);
    const auto r_with = with.evaluate(x, z, n, p, d);
    const auto r_without = without.evaluate(x, z, n, p, d);
    REQUIRE(r_with.status == IDLAB_STATUS_OK);
    REQUIRE(r_without.status == IDLAB_STATUS_OK);
    CHECK(r_with.value == Approx(1.0).margin(1e-9));
    CHECK(r_without.value < 0.9);
}

TEST_CASE("r2_score follows sklearn for constant targets", "[core-metrics]") {
    // Column 0 varies (R² 0.5 by construction), column 1 is constant: exactly predicted
    // it scores 1, otherwise 0.
    const std::vector<double> y = {0.0, 7.0, 2.0, 7.0, 4.0, 7.0, 6.0, 7.0};
    std::vector<double> yhat = y;
    // Column 0: mean 3, SS_tot = 20; residuals (+-sqrt(10)/2 ...) chosen so SS_res = 10.
    const double e = std::sqrt(10.0 / 4.0);
    yhat[0] += e;
    yhat[2] -= e;
    yhat[4] += e;
    yhat[6] -= e;
    CHECK(idlab::core::r2_score(y.data(), yhat.data(), 4, 2) == Approx((0.5 + 1.0) / 2).margin(1e-12));
    yhat[1] = 7.5;
    CHECK(idlab::core::r2_score(y.data(), yhat.data(), 4, 2) == Approx((0.5 + 0.0) / 2).margin(1e-12));
}
