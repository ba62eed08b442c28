// The paper's MAE_o: singular values of the no-intercept least-squares map. An exact scaled
// rotation features = kappa O z has a map features -> z with every singular value 1/kappa, so
// sv_mae against 1/kappa is 0; a map with known, unequal singular values gives a known MAE.
#include "metric_harness.hpp"
#include "singular_values.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

using idlab::test::affine_map;
using idlab::test::float_tensor;
using idlab::test::gaussian_matrix;
using idlab::test::LinearR2Harness;
using idlab::test::OwnedTensor;
using idlab::test::random_orthogonal;
using idlab::test::round_to_float;

namespace {

// f32 z [n, d] (Gaussian, already rounded) and f32 features = z * m for a [d, d] matrix m.
struct Sample {
    std::vector<double> z, features;
};

Sample linear_sample(std::mt19937_64& gen, int64_t n, int64_t d, const std::vector<double>& m) {
    Sample s;
    s.z = gaussian_matrix(gen, n, d);
    round_to_float(s.z);
    s.features = affine_map(s.z, m, std::vector<double>(static_cast<size_t>(d), 0.0), n, d, d);
    return s;
}

OwnedTensor<double> scalar(double v) {
    OwnedTensor<double> t({1});
    t[0] = v;
    return t;
}

}  // namespace

TEST_CASE("singular_values of known matrices", "[core-metrics]") {
    // diag(3, 1) rotated on both sides keeps its singular values 3 and 1.
    std::mt19937_64 gen(21);
    const std::vector<double> u = random_orthogonal(gen, 2), v = random_orthogonal(gen, 2);
    std::vector<double> a(4, 0.0);
    const double s[2] = {3.0, 1.0};
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
            for (int k = 0; k < 2; ++k) a[i * 2 + j] += u[i * 2 + k] * s[k] * v[k * 2 + j];
    const std::vector<double> sv = idlab::core::singular_values(a.data(), 2, 2);
    REQUIRE(sv.size() == 2);
    CHECK(sv[0] == Approx(3.0).margin(1e-12));
    CHECK(sv[1] == Approx(1.0).margin(1e-12));

    // A [2, 3] matrix: min(2, 3) = 2 values.
    const std::vector<double> wide = {0.0, 2.0, 0.0, 0.0, 0.0, -5.0};
    const std::vector<double> sw = idlab::core::singular_values(wide.data(), 2, 3);
    REQUIRE(sw.size() == 2);
    CHECK(sw[0] == Approx(5.0).margin(1e-12));
    CHECK(sw[1] == Approx(2.0).margin(1e-12));
}

TEST_CASE("sv_mae is 0 for an exact scaled rotation features = kappa O z", "[core-metrics]") {
    std::mt19937_64 gen(22);
    const int64_t n = 3000, d = 5;
    const double kappa = 10.0;
    std::vector<double> m = random_orthogonal(gen, d);
    for (double& v : m) v *= kappa;
    const Sample s = linear_sample(gen, n, d, m);
    OwnedTensor<float> ft = float_tensor(s.features, n, d), zt = float_tensor(s.z, n, d);

    SECTION("against 1/kappa read from data.kappa") {
        OwnedTensor<double> k = scalar(kappa);
        LinearR2Harness metric(false, "inverse_kappa");
        const auto r = metric.evaluate({{"features", ft.view()}, {"z", zt.view()}, {"data.kappa", k.view()}});
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.values[0] == Approx(1.0).margin(1e-9));  // linear_r2_o
        CHECK(r.values[1] == Approx(0.0).margin(1e-7));  // sv_mae
    }
    SECTION("a wrong kappa shows up as the gap |1/kappa' - 1/kappa|") {
        OwnedTensor<double> k = scalar(4.0);
        LinearR2Harness metric(false, "inverse_kappa");
        const auto r = metric.evaluate({{"features", ft.view()}, {"z", zt.view()}, {"data.kappa", k.view()}});
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.values[1] == Approx(0.25 - 0.1).margin(1e-7));
    }
    SECTION("against 1, the map is off by 1 - 1/kappa") {
        LinearR2Harness metric(true, "one");
        const auto r = metric.evaluate({{"features", ft.view()}, {"z", zt.view()}});
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.values[0] == Approx(1.0).margin(1e-9));  // linear_r2 (with intercept)
        CHECK(r.values[1] == Approx(0.9).margin(1e-7));
    }
}

TEST_CASE("sv_mae of a stretched rotation is the mean gap of its singular values", "[core-metrics]") {
    // features = z diag(a) O: the map features -> z is O^T diag(1/a), singular values 1/a_k.
    std::mt19937_64 gen(23);
    const int64_t n = 3000, d = 3;
    const std::vector<double> a = {1.0, 2.0, 4.0};
    const std::vector<double> o = random_orthogonal(gen, d);
    std::vector<double> m(static_cast<size_t>(d * d));
    for (int64_t i = 0; i < d; ++i)
        for (int64_t j = 0; j < d; ++j) m[i * d + j] = a[i] * o[i * d + j];
    const Sample s = linear_sample(gen, n, d, m);
    LinearR2Harness metric(false, "one");
    const auto r = metric.evaluate(s.features, s.z, n, d, d);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    const double expected = (std::abs(1.0 - 1.0) + std::abs(0.5 - 1.0) + std::abs(0.25 - 1.0)) / 3.0;
    CHECK(r.values[1] == Approx(expected).margin(1e-7));
}

TEST_CASE("sv_mae fits on all rows, not the training half", "[core-metrics]") {
    // First half: features = 2 z; second half: features = 4 z. A fit on all rows sees both and
    // lands between 1/4 and 1/2; a fit on the first half alone would give exactly 1/2.
    std::mt19937_64 gen(24);
    const int64_t n = 2000, d = 2;
    std::vector<double> z = gaussian_matrix(gen, n, d);
    round_to_float(z);
    std::vector<double> features(z.size());
    for (size_t i = 0; i < z.size(); ++i) features[i] = (i < z.size() / 2 ? 2.0 : 4.0) * z[i];
    LinearR2Harness metric(false, "one");
    const auto r = metric.evaluate(features, z, n, d, d);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    // Least squares through the origin: s = sum(2 z² + 4 z²) / sum(4 z² + 16 z²) = 6/20 on
    // average, so |s - 1| is about 0.7 (0.5 for the first half alone).
    CHECK(r.values[1] == Approx(0.7).margin(0.02));
}
