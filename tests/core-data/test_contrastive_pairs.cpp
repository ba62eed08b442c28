// core.contrastive_pairs (Zimmermann et al. 2021): fields, the box (bounds, uniform anchors,
// coordinate-wise truncated positives), the sphere (unit norms, vMF and projected Normal
// positives), x = g(z), determinism under the Philox convention and parameter errors.
#include "contrastive_pairs.hpp"
#include "projected_direction.hpp"
#include "statistics.hpp"
#include "vmf_clusters_harness.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

using idlab::core::ContrastivePairs;
using namespace idlab::test;

namespace {

ConfigBuilder pairs_config(int64_t latent_dim, const std::string& space, const std::string& conditional,
                           double scale, double kappa = 10.0, int64_t mixing_layers = 3) {
    ConfigBuilder c;
    c.set_int("latent_dim", latent_dim)
        .set_string("space", space)
        .set_string("conditional", conditional)
        .set_float("conditional_scale", scale)
        .set_float("kappa", kappa)
        .set_int("mixing_layers", mixing_layers)
        .set_int("mixing_trials", 200)
        .set_float("mixing_slope", 0.2);
    return c;
}

std::unique_ptr<ContrastivePairs> make_pairs(ConfigBuilder& config, uint64_t seed = 5,
                                             uint32_t threads = 1) {
    const idlab_create_ctx_t ctx = data_create_ctx(seed, threads);
    return std::make_unique<ContrastivePairs>(idlab::CreateContext(&ctx), idlab::Config(config.get()));
}

struct PairBatch {
    PairBatch(int64_t batch, int64_t dim) : x({batch, dim}), x_pos({batch, dim}), z({batch, dim}), z_pos({batch, dim}) {}
    OwnedTensor<float> x, x_pos, z, z_pos;
};

PairBatch draw_pairs(ContrastivePairs& data, const idlab_exec_ctx_t& ctx, int64_t batch) {
    PairBatch b(batch, data.latent_dim());
    std::vector<idlab_named_tensor_t> items = {
        {"x", b.x.view()}, {"x_pos", b.x_pos.view()}, {"z", b.z.view()}, {"z_pos", b.z_pos.view()}};
    idlab_tensor_set_t set{static_cast<uint32_t>(items.size()), items.data()};
    data.sample(ctx, batch, idlab::TensorSet(&set));
    return b;
}

bool same_rows(PairBatch& a, PairBatch& b, int64_t rows, int64_t dim) {
    for (int64_t i = 0; i < rows * dim; ++i)
        if (a.x[i] != b.x[i] || a.x_pos[i] != b.x_pos[i] || a.z[i] != b.z[i] || a.z_pos[i] != b.z_pos[i])
            return false;
    return true;
}

double std_normal_pdf(double t) { return std::exp(-0.5 * t * t) / 2.5066282746310002; }
double std_normal_cdf(double t) { return 0.5 * std::erfc(-t / std::sqrt(2.0)); }

}  // namespace

TEST_CASE("contrastive_pairs declares x, x_pos, z and z_pos", "[core-data][pairs]") {
    ConfigBuilder config = pairs_config(7, "box", "normal", 0.05);
    auto data = make_pairs(config);
    const auto& fields = data->fields();
    REQUIRE(fields.size() == 4);
    const char* names[] = {"x", "x_pos", "z", "z_pos"};
    for (size_t i = 0; i < 4; ++i) {
        CHECK(std::string(fields[i].name) == names[i]);
        CHECK(fields[i].dtype == IDLAB_DTYPE_F32);
        CHECK(fields[i].width == 7);
        CHECK(fields[i].cardinality == 0);
    }
}

TEST_CASE("contrastive_pairs in the box: uniform anchors, positives within the bounds", "[core-data][pairs]") {
    const int64_t d = 10, batch = 20000;
    const double s = 0.05;
    ConfigBuilder config = pairs_config(d, "box", "normal", s);
    auto data = make_pairs(config);
    PairBatch b = draw_pairs(*data, sample_ctx(5, 1), batch);

    Moments anchor, anchor_sq;
    Moments interior_delta, interior_delta_sq;  // coordinates far from the walls
    Moments edge_residual, edge_residual_sq;    // coordinates near a wall
    for (int64_t i = 0; i < batch * d; ++i) {
        const double z = b.z[i], z_pos = b.z_pos[i];
        REQUIRE(z >= 0.0);
        REQUIRE(z <= 1.0);
        REQUIRE(z_pos >= 0.0);
        REQUIRE(z_pos <= 1.0);
        anchor.add(z);
        anchor_sq.add((z - 0.5) * (z - 0.5));
        const double delta = z_pos - z;
        if (z > 0.3 && z < 0.7) {
            // 6 standard deviations from a wall: truncation is invisible, z_pos - z ~ N(0, s^2).
            interior_delta.add(delta);
            interior_delta_sq.add(delta * delta);
        }
        if (z < 0.1 || z > 0.9) {
            // Coordinate-wise rejection = N(0, s^2) truncated to [-z, 1 - z]: compare with its
            // exact conditional mean and second moment.
            const double lo = -z / s, hi = (1.0 - z) / s;
            const double mass = std_normal_cdf(hi) - std_normal_cdf(lo);
            const double mean = s * (std_normal_pdf(lo) - std_normal_pdf(hi)) / mass;
            const double second = s * s * (1.0 + (lo * std_normal_pdf(lo) - hi * std_normal_pdf(hi)) / mass);
            edge_residual.add(delta - mean);
            edge_residual_sq.add(delta * delta - second);
        }
    }
    // Anchors uniform on [0, 1]: mean 1/2, variance 1/12.
    CHECK(within_5_se(anchor, 0.5));
    CHECK(within_5_se(anchor_sq, 1.0 / 12.0));
    INFO("interior std of z_pos - z: " << std::sqrt(interior_delta_sq.mean()));
    CHECK(within_5_se(interior_delta, 0.0));
    CHECK(within_5_se(interior_delta_sq, s * s));
    CHECK(edge_residual.n > 10000);
    CHECK(within_5_se(edge_residual, 0.0));
    CHECK(within_5_se(edge_residual_sq, 0.0));
}

TEST_CASE("contrastive_pairs in the box with a Laplace conditional", "[core-data][pairs]") {
    const int64_t d = 10, batch = 20000;
    const double b_scale = 0.02;
    ConfigBuilder config = pairs_config(d, "box", "laplace", b_scale);
    auto data = make_pairs(config);
    PairBatch b = draw_pairs(*data, sample_ctx(5, 2), batch);
    Moments magnitude, square;
    for (int64_t i = 0; i < batch * d; ++i) {
        REQUIRE(b.z_pos[i] >= 0.0f);
        REQUIRE(b.z_pos[i] <= 1.0f);
        const double z = b.z[i];
        if (z > 0.3 && z < 0.7) {  // 15 scales from a wall
            const double delta = static_cast<double>(b.z_pos[i]) - z;
            magnitude.add(std::abs(delta));
            square.add(delta * delta);
        }
    }
    CHECK(within_5_se(magnitude, b_scale));
    CHECK(within_5_se(square, 2.0 * b_scale * b_scale));
}

TEST_CASE("contrastive_pairs on the sphere: unit latents and the conditional's spread", "[core-data][pairs]") {
    const int64_t d = 10, batch = 30000;
    auto dot_moments = [&](ContrastivePairs& data, uint64_t counter) {
        PairBatch b = draw_pairs(data, sample_ctx(5, counter), batch);
        Moments dot, anchor_first;
        for (int64_t j = 0; j < batch; ++j) {
            double w = 0.0, nz = 0.0, np = 0.0;
            for (int64_t k = 0; k < d; ++k) {
                const double z = b.z[j * d + k], p = b.z_pos[j * d + k];
                w += z * p;
                nz += z * z;
                np += p * p;
            }
            REQUIRE(std::sqrt(nz) == Approx(1.0).margin(1e-6));
            REQUIRE(std::sqrt(np) == Approx(1.0).margin(1e-6));
            dot.add(w);
            anchor_first.add(b.z[j * d]);
        }
        CHECK(within_5_se(anchor_first, 0.0));  // uniform anchors: no preferred direction
        return dot;
    };
    SECTION("vMF: E[z . z_pos] = A_d(kappa)") {
        const double kappa = 20.0;
        ConfigBuilder config = pairs_config(d, "sphere", "vmf", 0.05, kappa);
        auto data = make_pairs(config);
        CHECK(within_5_se(dot_moments(*data, 3), std::cyl_bessel_i(5.0, kappa) / std::cyl_bessel_i(4.0, kappa)));
    }
    SECTION("normal: projected N(z, s^2 I), against numerical integration") {
        const double s = 0.3;
        ConfigBuilder config = pairs_config(d, "sphere", "normal", s);
        auto data = make_pairs(config);
        const DirectionMoments exact = projected_direction_moments(
            [s](double n) { return normal_density(n, s); },
            ScaledChiDensity(d - 1, s), 1.0 + 12.0 * s);
        REQUIRE(exact.mass == Approx(1.0).margin(1e-5));
        CHECK(within_5_se(dot_moments(*data, 4), exact.mean_cos));
    }
    SECTION("laplace, small scale: 1 - z . z_pos ~ |noise orthogonal to z|^2 / 2, mean (d - 1) b^2") {
        // Laplace(b) noise has covariance 2 b^2 I; the O(b^4) remainder is far below the 3 %.
        const double b_scale = 0.01;
        ConfigBuilder config = pairs_config(d, "sphere", "laplace", b_scale);
        auto data = make_pairs(config);
        const Moments dot = dot_moments(*data, 5);
        CHECK(1.0 - dot.mean() == Approx((d - 1) * b_scale * b_scale).epsilon(0.03));
    }
}

TEST_CASE("contrastive_pairs observes both latents through the same mixing", "[core-data][pairs]") {
    const int64_t d = 6, batch = 200;
    ConfigBuilder config = pairs_config(d, "box", "normal", 0.1);
    auto data = make_pairs(config);
    PairBatch b = draw_pairs(*data, sample_ctx(5, 6), batch);
    std::vector<double> z(d), x(d), scratch(d);
    double worst = 0.0;
    for (int64_t j = 0; j < batch; ++j) {
        for (const auto& [latent, observed] : {std::make_pair(&b.z, &b.x), std::make_pair(&b.z_pos, &b.x_pos)}) {
            for (int64_t k = 0; k < d; ++k) z[k] = (*latent)[j * d + k];
            data->mixing().apply(z.data(), x.data(), scratch.data());
            for (int64_t k = 0; k < d; ++k) worst = std::max(worst, std::abs(x[k] - (*observed)[j * d + k]));
        }
    }
    CHECK(worst < 1e-5);  // only the f32 rounding of z and x
    CHECK(data->mixing().layers() == 3);
}

TEST_CASE("contrastive_pairs batches depend only on seed, stream, counter and row", "[core-data][pairs]") {
    const int64_t d = 4;
    for (const char* space : {"box", "sphere"}) {
        INFO(space);
        ConfigBuilder config = pairs_config(d, space, "normal", 0.1);
        auto first = make_pairs(config, 8);
        auto second = make_pairs(config, 8);
        PairBatch a = draw_pairs(*first, sample_ctx(8, 2), 64);
        PairBatch again = draw_pairs(*second, sample_ctx(8, 2), 64);
        PairBatch small = draw_pairs(*first, sample_ctx(8, 2), 5);
        PairBatch next = draw_pairs(*first, sample_ctx(8, 3), 64);
        PairBatch eval = draw_pairs(*first, sample_ctx(8, 2, IDLAB_RNG_STREAM_EVAL), 64);
        CHECK(same_rows(a, again, 64, d));
        CHECK(same_rows(a, small, 5, d));
        CHECK_FALSE(same_rows(a, next, 64, d));
        CHECK_FALSE(same_rows(a, eval, 64, d));
        // A team of threads splits the rows (unevenly, or leaving members without a row) and
        // draws the same ones.
        for (uint32_t threads : {3u, 5u}) {
            INFO("threads " << threads);
            auto team = make_pairs(config, 8, threads);
            PairBatch t64 = draw_pairs(*team, sample_ctx(8, 2), 64);
            PairBatch t2 = draw_pairs(*team, sample_ctx(8, 2), 2);
            CHECK(same_rows(a, t64, 64, d));
            CHECK(same_rows(a, t2, 2, d));
        }
    }
}

TEST_CASE("contrastive_pairs rejects bad parameters with the key at fault", "[core-data][pairs]") {
    auto expect_error = [](ConfigBuilder config, const std::string& key) {
        try {
            make_pairs(config);
            FAIL("no error");
        } catch (const idlab::Error& e) {
            CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
            CHECK(e.param_key() == key);
        }
    };
    expect_error(pairs_config(5, "box", "vmf", 0.05), "conditional");  // vMF needs the sphere
    expect_error(pairs_config(1, "sphere", "normal", 0.05), "latent_dim");
    expect_error(pairs_config(5, "torus", "normal", 0.05), "space");
    expect_error(pairs_config(5, "box", "cauchy", 0.05), "conditional");
    expect_error(pairs_config(5, "box", "normal", 0.0), "conditional_scale");
    expect_error(pairs_config(5, "box", "normal", 11.0), "conditional_scale");
    expect_error(pairs_config(5, "sphere", "vmf", 0.05, 0.0), "kappa");
    expect_error(pairs_config(5, "box", "normal", 0.05, 10.0, -1), "mixing_layers");

    ConfigBuilder one_dimensional_box = pairs_config(1, "box", "laplace", 0.05, 10.0, 0);
    CHECK_NOTHROW(make_pairs(one_dimensional_box));
}
