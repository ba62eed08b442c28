// core.head_r2: the paper's "w_i -> v_c", row i of the head against cluster vector i mod K.
// Exact affine maps score 1, an exact rotation has head_sv_mae 0, the split is the first
// floor(R/2) rows, and malformed inputs are refused.
#include "head_r2.hpp"
#include "least_squares.hpp"
#include "metric_harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

using idlab::core::HeadR2;
using idlab::test::affine_map;
using idlab::test::ConfigBuilder;
using idlab::test::float_tensor;
using idlab::test::gaussian_matrix;
using idlab::test::MetricHarness;
using idlab::test::OwnedTensor;
using idlab::test::random_orthogonal;
using idlab::test::round_to_float;

namespace {

class HeadR2Harness : public MetricHarness<HeadR2> {
public:
    explicit HeadR2Harness(bool intercept, const std::string& singular_values = "none")
        : MetricHarness(ConfigBuilder()
                            .set_bool("intercept", intercept)
                            .set_string("singular_values", singular_values)) {}
    using MetricHarness::evaluate;
    // head f32 [rows, dim] against cluster vectors f64 [clusters, dim], as core.vmf_clusters
    // exposes them.
    idlab::test::MetricResult evaluate(const std::vector<double>& head, int64_t rows,
                                       const std::vector<double>& clusters, int64_t k, int64_t dim) {
        OwnedTensor<float> wt = float_tensor(head, rows, dim);
        OwnedTensor<double> vt({k, dim});
        std::copy(clusters.begin(), clusters.end(), vt.data());
        return evaluate({{HeadR2::kHead, wt.view()}, {HeadR2::kClusters, vt.view()}});
    }
};

// Unit cluster vectors [k, d], rounded to float.
std::vector<double> unit_rows(std::mt19937_64& gen, int64_t k, int64_t d) {
    std::vector<double> v = gaussian_matrix(gen, k, d);
    for (int64_t i = 0; i < k; ++i) {
        double norm = 0.0;
        for (int64_t j = 0; j < d; ++j) norm += v[i * d + j] * v[i * d + j];
        for (int64_t j = 0; j < d; ++j) v[i * d + j] /= std::sqrt(norm);
    }
    round_to_float(v);
    return v;
}

// Row i = v_(i mod k) for rows rows.
std::vector<double> repeat_clusters(const std::vector<double>& v, int64_t k, int64_t rows, int64_t d) {
    std::vector<double> out(static_cast<size_t>(rows * d));
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < d; ++j) out[i * d + j] = v[(i % k) * d + j];
    return out;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("head_r2 declares the inputs and values its config asks for", "[core-metrics]") {
    using Names = std::vector<std::string>;
    HeadR2Harness affine(true), linear_sv(false, "one");
    CHECK(affine.inputs() == Names{"loss.head.weight", "data.cluster_vectors"});
    CHECK(affine.values() == Names{"head_r2"});
    CHECK(linear_sv.inputs() == Names{"loss.head.weight", "data.cluster_vectors"});
    CHECK(linear_sv.values() == Names{"head_r2_o", "head_sv_mae"});
}

TEST_CASE("head_r2 is 1 for rows that are an exact affine map of the cluster vectors", "[core-metrics]") {
    std::mt19937_64 gen(31);
    const int64_t k = 20, d = 5, rows = 100;
    const std::vector<double> v = unit_rows(gen, k, d);
    // w_i = A^T v_(i mod K) + b: from the rows, the cluster vectors are an affine function too.
    const std::vector<double> a = gaussian_matrix(gen, d, d);
    const std::vector<double> w = affine_map(repeat_clusters(v, k, rows, d), a,
                                             {0.5, -1.0, 2.0, 0.0, 3.0}, rows, d, d);
    HeadR2Harness with(true), without(false);
    const auto r = with.evaluate(w, rows, v, k, d);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    CHECK(r.value == Approx(1.0).margin(1e-6));
    // Cluster vectors in float32 are read the same way.
    OwnedTensor<float> wt = float_tensor(w, rows, d), vt = float_tensor(v, k, d);
    const auto r32 = with.evaluate({{HeadR2::kHead, wt.view()}, {HeadR2::kClusters, vt.view()}});
    REQUIRE(r32.status == IDLAB_STATUS_OK);
    CHECK(r32.value == Approx(1.0).margin(1e-6));
    // Without an intercept the offset cannot be absorbed.
    const auto r_o = without.evaluate(w, rows, v, k, d);
    REQUIRE(r_o.status == IDLAB_STATUS_OK);
    CHECK(r_o.value < 0.9);
}

TEST_CASE("head_sv_mae is 0 for rows that are a rotation of the cluster vectors", "[core-metrics]") {
    std::mt19937_64 gen(32);
    const int64_t k = 50, d = 4, rows = 1000;
    const std::vector<double> v = unit_rows(gen, k, d);
    const std::vector<double> o = random_orthogonal(gen, d);
    const std::vector<double> w = affine_map(repeat_clusters(v, k, rows, d), o,
                                             std::vector<double>(d, 0.0), rows, d, d);
    HeadR2Harness metric(false, "one");
    const auto r = metric.evaluate(w, rows, v, k, d);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    CHECK(r.values[0] == Approx(1.0).margin(1e-6));  // head_r2_o
    CHECK(r.values[1] == Approx(0.0).margin(1e-6));  // head_sv_mae

    // Rows twice as long: every singular value of rows -> v is 1/2.
    std::vector<double> w2 = w;
    for (double& x : w2) x *= 2.0;
    const auto r2 = metric.evaluate(w2, rows, v, k, d);
    REQUIRE(r2.status == IDLAB_STATUS_OK);
    CHECK(r2.values[1] == Approx(0.5).margin(1e-6));
}

TEST_CASE("head_r2 pairs row i with cluster i mod K and scores the second half of the rows", "[core-metrics]") {
    // First half of the rows: an exact affine map of their clusters. Second half: the same map
    // plus noise. The score must equal sklearn's R² of the exact map on the second half.
    std::mt19937_64 gen(33);
    const int64_t k = 7, d = 3;
    const std::vector<double> v = unit_rows(gen, k, d);
    const std::vector<double> a = gaussian_matrix(gen, d, d);
    const std::vector<double> offset = {0.25, 1.0, -0.5};
    for (int64_t rows : {60, 61}) {
        INFO("rows = " << rows);
        const int64_t train = rows / 2;
        // w_i = v_(i mod K) A + b, so the clusters are an exact affine map of the rows.
        const std::vector<double> targets = repeat_clusters(v, k, rows, d);
        std::vector<double> w = affine_map(targets, a, offset, rows, d, d);
        round_to_float(w);
        std::normal_distribution<double> noise(0.0, 0.3);
        std::vector<double> noisy = w;
        for (int64_t i = train * d; i < rows * d; ++i) noisy[i] += noise(gen);
        round_to_float(noisy);

        // The exact map rows -> clusters (a fit on all noise-free rows), applied to the noisy ones.
        const idlab::core::LinearFit fit =
            idlab::core::fit_least_squares(w.data(), targets.data(), rows, d, d, true);
        std::vector<double> predicted(static_cast<size_t>(rows * d));
        fit.predict(noisy.data(), rows, predicted.data());
        const double expected = idlab::core::r2_score(targets.data() + train * d,
                                                      predicted.data() + train * d, rows - train, d);
        REQUIRE(expected < 0.99);

        HeadR2Harness metric(true);
        const auto r = metric.evaluate(noisy, rows, v, k, d);
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.value == Approx(expected).margin(1e-6));
    }
}

TEST_CASE("head_r2 rejects malformed inputs", "[core-metrics]") {
    std::mt19937_64 gen(34);
    HeadR2Harness metric(true, "one");
    OwnedTensor<float> head = float_tensor(gaussian_matrix(gen, 10, 3), 10, 3);
    OwnedTensor<float> clusters = float_tensor(gaussian_matrix(gen, 4, 3), 4, 3);

    SECTION("a missing head") {
        const auto r = metric.evaluate({{HeadR2::kClusters, clusters.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "'loss.head.weight'"));
    }
    SECTION("missing cluster vectors") {
        const auto r = metric.evaluate({{HeadR2::kHead, head.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "'data.cluster_vectors'"));
    }
    SECTION("fewer than 4 rows") {
        OwnedTensor<float> small = float_tensor(gaussian_matrix(gen, 3, 3), 3, 3);
        const auto r = metric.evaluate({{HeadR2::kHead, small.view()}, {HeadR2::kClusters, clusters.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "at least 4 rows"));
    }
    SECTION("rows and cluster vectors of different dimension") {
        OwnedTensor<float> wide = float_tensor(gaussian_matrix(gen, 4, 5), 4, 5);
        const auto r = metric.evaluate({{HeadR2::kHead, head.view()}, {HeadR2::kClusters, wide.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "dimension"));
    }
    SECTION("a float64 head (parameters are float32)") {
        OwnedTensor<double> head64({10, 3});
        const auto r = metric.evaluate({{HeadR2::kHead, head64.view()}, {HeadR2::kClusters, clusters.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "f32"));
    }
    SECTION("integer cluster vectors") {
        OwnedTensor<int64_t> clusters64({4, 3});
        const auto r = metric.evaluate({{HeadR2::kHead, head.view()}, {HeadR2::kClusters, clusters64.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "data.cluster_vectors"));
    }
    SECTION("one-dimensional cluster vectors") {
        OwnedTensor<double> flat({12});
        const auto r = metric.evaluate({{HeadR2::kHead, head.view()}, {HeadR2::kClusters, flat.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
    }
    SECTION("a non-finite head") {
        head[7] = std::nanf("");
        const auto r = metric.evaluate({{HeadR2::kHead, head.view()}, {HeadR2::kClusters, clusters.view()}});
        CHECK(r.status == IDLAB_STATUS_NUMERIC_ERROR);
        CHECK(contains(r.message, "loss.head.weight"));
    }
    SECTION("well-formed inputs give both values") {
        const auto r = metric.evaluate({{HeadR2::kHead, head.view()}, {HeadR2::kClusters, clusters.view()}});
        CHECK(r.status == IDLAB_STATUS_OK);
        REQUIRE(r.values.size() == 2);
        CHECK(std::isfinite(r.values[0]));
        CHECK(std::isfinite(r.values[1]));
    }
}
