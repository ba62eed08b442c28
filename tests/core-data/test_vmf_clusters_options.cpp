// core.vmf_clusters options beyond the paper's default: the cluster-vector distributions
// (paper Table 5), the misspecified conditionals (Table 2 rows 13-14, Appx. D), label noise
// (Fig. 6) and the checks of the theory's assumptions on the number of clusters.
#include "projected_direction.hpp"
#include "statistics.hpp"
#include "vmf_clusters_harness.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

using idlab::core::VmfClusters;
using namespace idlab::test;

namespace {

// Collects what the plugin logs through the host services while it lives.
class LogCapture {
public:
    LogCapture() {
        host_.struct_size = sizeof host_;
        host_.host_data = this;
        host_.log = [](const idlab_host_t* host, int32_t level, const char*, const char* message) {
            static_cast<LogCapture*>(host->host_data)->lines.emplace_back(level, message);
        };
        idlab::detail::host_slot() = &host_;
    }
    ~LogCapture() { idlab::detail::host_slot() = nullptr; }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    std::vector<std::pair<int32_t, std::string>> lines;
    int warnings_containing(const std::string& text) const {
        int n = 0;
        for (const auto& [level, message] : lines)
            if (level == IDLAB_LOG_WARN && message.find(text) != std::string::npos) ++n;
        return n;
    }

private:
    idlab_host_t host_{};
};

// E[v . e1] and E[(v . e1)^2] over the cluster vectors.
struct AlongE1 {
    Moments cos, cos2, second_coordinate;
};

AlongE1 moments_along_e1(const VmfClusters& data) {
    const int64_t d = data.latent_dim();
    const std::vector<double>& v = data.cluster_vectors();
    AlongE1 m;
    for (int64_t c = 0; c < data.clusters(); ++c) {
        double n2 = 0.0;
        for (int64_t k = 0; k < d; ++k) n2 += v[c * d + k] * v[c * d + k];
        REQUIRE(std::sqrt(n2) == Approx(1.0).margin(1e-12));
        m.cos.add(v[c * d]);
        m.cos2.add(v[c * d] * v[c * d]);
        m.second_coordinate.add(v[c * d + 1]);
    }
    return m;
}

void check_along_e1(const AlongE1& m, const DirectionMoments& exact) {
    INFO("integrated E[v1] = " << exact.mean_cos << ", sampled " << m.cos.mean() << " +- " << m.cos.std_error());
    REQUIRE(exact.mass == Approx(1.0).margin(1e-5));
    CHECK(within_5_se(m.cos, exact.mean_cos));
    CHECK(within_5_se(m.cos2, exact.mean_cos2));
    CHECK(within_5_se(m.second_coordinate, 0.0));
}

// E[v_label . z] over a batch, with z's norms.
struct AroundCluster {
    Moments cos, norm;
};

AroundCluster moments_around_cluster(VmfClusters& data, int64_t batch, uint64_t counter) {
    const int64_t d = data.latent_dim();
    VmfBatch b = draw(data, sample_ctx(7, counter), batch);
    const std::vector<double>& v = data.cluster_vectors();
    AroundCluster m;
    for (int64_t j = 0; j < batch; ++j) {
        double w = 0.0, n2 = 0.0;
        for (int64_t k = 0; k < d; ++k) {
            w += v[b.label[j] * d + k] * b.z[j * d + k];
            n2 += static_cast<double>(b.z[j * d + k]) * b.z[j * d + k];
        }
        m.cos.add(w);
        m.norm.add(std::sqrt(n2));
    }
    return m;
}

DirectionMoments projected_normal(int64_t d, double sigma) {
    return projected_direction_moments([sigma](double n) { return normal_density(n, sigma); },
                                       ScaledChiDensity(d - 1, sigma),
                                       1.0 + 12.0 * sigma);
}

}  // namespace

TEST_CASE("vmf_clusters cluster vectors: e1 plus noise, projected (paper Table 5)", "[core-data][clusters]") {
    const int64_t k = 40000;
    SECTION("laplace, d = 2: moments along e1 match numerical integration") {
        ConfigBuilder config = vmf_clusters_config(2, k, k, 10.0, 0);
        config.set_string("cluster_distribution", "laplace").set_float("cluster_scale", 1.0);
        auto data = make_vmf_clusters(config);
        check_along_e1(moments_along_e1(*data),
                       projected_direction_moments([](double n) { return laplace_density(n, 1.0); },
                                                   [](double rho) { return 2.0 * laplace_density(rho, 1.0); }, 46.0));
    }
    SECTION("normal, d = 5: moments along e1 match numerical integration") {
        ConfigBuilder config = vmf_clusters_config(5, k, k, 10.0, 0);
        config.set_string("cluster_distribution", "normal").set_float("cluster_scale", 1.0);
        auto data = make_vmf_clusters(config);
        check_along_e1(moments_along_e1(*data), projected_normal(5, 1.0));
    }
    SECTION("gennorm, d = 2, shape 3 and scale 0.5 (cluster_shape, cluster_scale)") {
        ConfigBuilder config = vmf_clusters_config(2, k, k, 10.0, 0);
        config.set_string("cluster_distribution", "gennorm").set_float("cluster_scale", 0.5).set_float("cluster_shape", 3.0);
        auto data = make_vmf_clusters(config);
        const GeneralizedNormalDensity density(0.5, 3.0);
        check_along_e1(moments_along_e1(*data),
                       projected_direction_moments(density, [&](double rho) { return 2.0 * density(rho); }, 16.0));
    }
    SECTION("uniform stays the default and is not concentrated") {
        ConfigBuilder config = vmf_clusters_config(5, k, k, 10.0, 0);
        auto data = make_vmf_clusters(config);
        const AlongE1 m = moments_along_e1(*data);
        CHECK(within_5_se(m.cos, 0.0));
        CHECK(within_5_se(m.cos2, 0.2));
    }
}

TEST_CASE("vmf_clusters conditionals are wired to their parameters", "[core-data][clusters]") {
    const int64_t d = 5, batch = 40000;
    SECTION("normal: E[v_label . z] of the projected N(0, s^2) noise (paper Table 2 row 14)") {
        ConfigBuilder config = vmf_clusters_config(d, 20, 1000);
        config.set_string("conditional", "normal").set_float("conditional_scale", 1.0);
        auto data = make_vmf_clusters(config);
        const AroundCluster m = moments_around_cluster(*data, batch, 1);
        CHECK(m.norm.mean() == Approx(1.0).margin(1e-6));
        CHECK(within_5_se(m.cos, projected_normal(d, 1.0).mean_cos));
    }
    SECTION("gennorm with shape 2 and scale s sqrt(2) is the Normal with std s") {
        ConfigBuilder config = vmf_clusters_config(d, 20, 1000);
        config.set_string("conditional", "gennorm")
            .set_float("conditional_shape", 2.0)
            .set_float("conditional_scale", 0.5 * std::sqrt(2.0));
        auto data = make_vmf_clusters(config);
        const AroundCluster m = moments_around_cluster(*data, batch, 2);
        CHECK(m.norm.mean() == Approx(1.0).margin(1e-6));
        CHECK(within_5_se(m.cos, projected_normal(d, 0.5).mean_cos));
    }
    SECTION("laplace and gennorm with shape 1 draw the same law") {
        // Same seed, so the same cluster vectors; Laplace noise is not rotation invariant, so
        // the two are compared with each other (two-sample, 5 combined standard errors).
        ConfigBuilder laplace = vmf_clusters_config(d, 20, 1000);
        laplace.set_string("conditional", "laplace").set_float("conditional_scale", 0.7);
        ConfigBuilder gennorm = vmf_clusters_config(d, 20, 1000);
        gennorm.set_string("conditional", "gennorm").set_float("conditional_shape", 1.0).set_float("conditional_scale", 0.7);
        ConfigBuilder normal = vmf_clusters_config(d, 20, 1000);
        normal.set_string("conditional", "normal").set_float("conditional_scale", 0.7);
        auto a = make_vmf_clusters(laplace);
        auto b = make_vmf_clusters(gennorm);
        auto c = make_vmf_clusters(normal);
        const AroundCluster ma = moments_around_cluster(*a, batch, 3);
        const AroundCluster mb = moments_around_cluster(*b, batch, 4);
        const AroundCluster mc = moments_around_cluster(*c, batch, 5);
        const double se = std::hypot(ma.cos.std_error(), mb.cos.std_error());
        INFO("laplace " << ma.cos.mean() << ", gennorm(1) " << mb.cos.mean() << ", normal " << mc.cos.mean());
        CHECK(std::abs(ma.cos.mean() - mb.cos.mean()) < 5.0 * se);
        // Laplace(b) has twice the variance of N(0, b^2): its directions spread further.
        CHECK(ma.cos.mean() < mc.cos.mean() - 5.0 * std::hypot(ma.cos.std_error(), mc.cos.std_error()));
    }
    SECTION("truncated_laplace: z - v_label within the truncation, off the sphere") {
        ConfigBuilder config = vmf_clusters_config(d, 20, 1000);
        config.set_string("conditional", "truncated_laplace").set_float("conditional_scale", 1.0).set_float("truncation", 0.5);
        auto data = make_vmf_clusters(config);
        CHECK_FALSE(data->conditional().on_sphere());
        const int64_t rows = 5000;
        VmfBatch b = draw(*data, sample_ctx(7, 6), rows);
        const std::vector<double>& v = data->cluster_vectors();
        Moments square, norm;
        for (int64_t j = 0; j < rows; ++j) {
            double n2 = 0.0;
            for (int64_t k = 0; k < d; ++k) {
                const double noise = static_cast<double>(b.z[j * d + k]) - v[b.label[j] * d + k];
                REQUIRE(std::abs(noise) <= 0.5 + 1e-6);  // f32 rounding of z
                square.add(noise * noise);
                n2 += static_cast<double>(b.z[j * d + k]) * b.z[j * d + k];
            }
            norm.add(std::sqrt(n2));
        }
        const double q = std::exp(-0.5);
        CHECK(within_5_se(square, 2.0 - (0.25 + 1.0) * q / (1.0 - q)));
        CHECK(norm.std_error() * std::sqrt(static_cast<double>(rows)) > 0.05);  // norms vary: not projected
    }
}

TEST_CASE("vmf_clusters rejects unknown distribution and conditional names", "[core-data][clusters]") {
    for (const char* key : {"cluster_distribution", "conditional"}) {
        INFO(key);
        ConfigBuilder config = vmf_clusters_config();
        config.set_string(key, "cauchy");
        try {
            make_vmf_clusters(config);
            FAIL("no error for an unknown name");
        } catch (const idlab::Error& e) {
            CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
            CHECK(e.param_key() == key);
            CHECK(std::string(e.what()).find("cauchy") != std::string::npos);
        }
    }
}

TEST_CASE("vmf_clusters label noise replaces labels and indices at rate p (paper Fig. 6)", "[core-data][noise]") {
    const int64_t d = 5, k = 10, n = 100, batch = 50000;
    ConfigBuilder clean_config = vmf_clusters_config(d, k, n);
    auto clean = make_vmf_clusters(clean_config);
    VmfBatch truth = draw(*clean, sample_ctx(7, 40), batch);

    SECTION("p = 0.3: each field replaced independently; z and x stay those of the true cluster") {
        const double p = 0.3;
        ConfigBuilder config = vmf_clusters_config(d, k, n);
        config.set_float("label_noise", p);
        auto noisy = make_vmf_clusters(config);
        VmfBatch b = draw(*noisy, sample_ctx(7, 40), batch);
        int64_t index_changed = 0, label_changed = 0, both_changed = 0;
        for (int64_t j = 0; j < batch; ++j) {
            for (int64_t c = 0; c < d; ++c) {
                REQUIRE(b.z[j * d + c] == truth.z[j * d + c]);
                REQUIRE(b.x[j * d + c] == truth.x[j * d + c]);
            }
            REQUIRE(b.label[j] >= 0);
            REQUIRE(b.label[j] < k);
            REQUIRE(b.index[j] >= 0);
            REQUIRE(b.index[j] < n);
            const bool i_changed = b.index[j] != truth.index[j];
            const bool l_changed = b.label[j] != truth.label[j];
            index_changed += i_changed;
            label_changed += l_changed;
            both_changed += i_changed && l_changed;
        }
        // A replacement draws the old value again with probability 1/N (1/K).
        const double p_index = p * (1.0 - 1.0 / n), p_label = p * (1.0 - 1.0 / k);
        INFO("index changed " << index_changed << ", label changed " << label_changed << " of " << batch);
        CHECK(binomial_close(index_changed, batch, p_index));
        CHECK(binomial_close(label_changed, batch, p_label));
        CHECK(binomial_close(both_changed, batch, p_index * p_label));  // independent
    }
    SECTION("p = 1: labels and indices uniform and unrelated to the true ones") {
        ConfigBuilder config = vmf_clusters_config(d, k, n);
        config.set_float("label_noise", 1.0);
        auto noisy = make_vmf_clusters(config);
        VmfBatch b = draw(*noisy, sample_ctx(7, 40), batch);
        std::vector<int64_t> label_counts(k, 0), index_counts(n, 0);
        int64_t same_label = 0, same_index = 0, label_is_index_class = 0;
        for (int64_t j = 0; j < batch; ++j) {
            ++label_counts[b.label[j]];
            ++index_counts[b.index[j]];
            same_label += b.label[j] == truth.label[j];
            same_index += b.index[j] == truth.index[j];
            label_is_index_class += b.label[j] == b.index[j] % k;
        }
        CHECK(binomial_close(same_label, batch, 1.0 / k));
        CHECK(binomial_close(same_index, batch, 1.0 / n));
        CHECK(binomial_close(label_is_index_class, batch, 1.0 / k));
        // Pearson's chi-square against uniform: 9 and 99 degrees of freedom.
        auto chi_square = [&](const std::vector<int64_t>& counts) {
            const double expected = static_cast<double>(batch) / counts.size();
            double chi2 = 0.0;
            for (int64_t c : counts) chi2 += (c - expected) * (c - expected) / expected;
            return chi2;
        };
        CHECK(chi_square(label_counts) < 35.0);
        CHECK(chi_square(index_counts) < 170.0);
    }
}

TEST_CASE("vmf_clusters checks the theory's assumptions on the number of clusters", "[core-data][assumptions]") {
    LogCapture log;
    SECTION("fewer than d + 1 clusters is a config error on 'clusters'") {
        ConfigBuilder config = vmf_clusters_config(5, 5, 100, 10.0, 1);
        try {
            make_vmf_clusters(config);
            FAIL("no error for K < d + 1");
        } catch (const idlab::Error& e) {
            CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
            CHECK(e.param_key() == "clusters");
            CHECK_THAT(e.what(), Catch::Contains("affine generator system"));
            CHECK_THAT(e.what(), Catch::Contains("latent_dim + 1 = 6"));
        }
    }
    SECTION("check_assumptions = false runs K < d + 1 with a warning instead") {
        ConfigBuilder config = vmf_clusters_config(5, 5, 100, 10.0, 1);
        config.set_bool("check_assumptions", false);
        CHECK_NOTHROW(make_vmf_clusters(config));
        CHECK(log.warnings_containing("affine generator system") == 1);
    }
    SECTION("d + 1 <= K < 2d is accepted with a warning about Assumption 2") {
        ConfigBuilder config = vmf_clusters_config(5, 6, 100, 10.0, 1);
        CHECK_NOTHROW(make_vmf_clusters(config));
        CHECK(log.warnings_containing("Assumption 2 needs |C| >= 2d") == 1);
        CHECK(log.warnings_containing("normalised head (case C3)") == 1);
    }
    SECTION("K >= 2d: no warning") {
        ConfigBuilder config = vmf_clusters_config(5, 10, 100, 10.0, 1);
        CHECK_NOTHROW(make_vmf_clusters(config));
        for (const auto& line : log.lines) CHECK(line.first != IDLAB_LOG_WARN);
    }
    SECTION("fewer samples than clusters: a warning that some clusters never occur") {
        ConfigBuilder config = vmf_clusters_config(5, 100, 40, 10.0, 1);
        CHECK_NOTHROW(make_vmf_clusters(config));
        CHECK(log.warnings_containing("only the first 40 clusters ever occur") == 1);
    }
}
