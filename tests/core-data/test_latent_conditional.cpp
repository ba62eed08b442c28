// LatentConditional: every conditional law around a mean vector.
//  - "v + noise, projected": the moments of the projected direction along v match a numerical
//    integration of the noise law (projected_direction.hpp): in d = 2 with v = e1 for Laplace and
//    the generalized normal (whose noise is not rotation invariant), in d = 5 with an arbitrary v
//    for the isotropic Normal.
//  - truncated Laplace: every coordinate stays within the truncation around v, is not projected,
//    and matches the truncated moments.
//  - vMF: E[v . z] = A_d(kappa).
#include "latent_conditional.hpp"
#include "projected_direction.hpp"
#include "statistics.hpp"

#include <idlab/philox.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using idlab::PhiloxStream;
using namespace idlab::core;
using namespace idlab::test;

namespace {

constexpr int64_t kDraws = 100000;

// Moments of v . z (and of the coordinate orthogonal to it in d = 2) over kDraws draws.
struct DirectionSample {
    Moments cos, cos2, orthogonal;
    double worst_norm_error = 0.0;
};

DirectionSample sample_directions(const LatentConditional& conditional, const std::vector<double>& mean,
                                  uint32_t purpose) {
    const int64_t d = conditional.dim();
    PhiloxStream rng = PhiloxStream::for_setup(31, purpose);
    std::vector<double> z(static_cast<size_t>(d));
    DirectionSample s;
    for (int64_t i = 0; i < kDraws; ++i) {
        conditional.sample(rng, mean.data(), z.data());
        double w = 0.0, n2 = 0.0;
        for (int64_t k = 0; k < d; ++k) {
            w += mean[k] * z[k];
            n2 += z[k] * z[k];
        }
        s.worst_norm_error = std::max(s.worst_norm_error, std::abs(std::sqrt(n2) - 1.0));
        s.cos.add(w);
        s.cos2.add(w * w);
        if (d == 2) s.orthogonal.add(mean[0] * z[1] - mean[1] * z[0]);
    }
    return s;
}

void check_against(const DirectionSample& s, const DirectionMoments& exact) {
    INFO("integrated: mass " << exact.mass << ", E[cos] " << exact.mean_cos << ", E[cos^2] " << exact.mean_cos2);
    INFO("sampled: E[cos] " << s.cos.mean() << " +- " << s.cos.std_error() << ", E[cos^2] " << s.cos2.mean());
    REQUIRE(exact.mass == Approx(1.0).margin(1e-5));  // the quadrature itself is accurate
    CHECK(s.worst_norm_error < 1e-12);
    CHECK(within_5_se(s.cos, exact.mean_cos));
    CHECK(within_5_se(s.cos2, exact.mean_cos2));
}

CoordinateNoise make_noise(NoiseLaw law, double scale, double shape = 2.0, double bound = 2.0) {
    CoordinateNoise noise;
    noise.law = law;
    noise.scale = scale;
    noise.shape = shape;
    noise.bound = bound;
    return noise;
}

}  // namespace

TEST_CASE("projected Laplace and generalized-normal conditionals match numerical integration",
          "[core-data][conditional]") {
    const std::vector<double> e1 = {1.0, 0.0};
    SECTION("Laplace, the paper's b = 1.0 and a narrow b = 0.3") {
        for (double b : {1.0, 0.3}) {
            INFO("b = " << b);
            const auto conditional = LatentConditional::additive(2, make_noise(NoiseLaw::Laplace, b), true);
            const DirectionSample s = sample_directions(conditional, e1, static_cast<uint32_t>(b * 10));
            const DirectionMoments exact = projected_direction_moments(
                [b](double n) { return laplace_density(n, b); },
                [b](double rho) { return 2.0 * laplace_density(rho, b); }, 1.0 + 45.0 * b);
            check_against(s, exact);
            CHECK(within_5_se(s.orthogonal, 0.0));
        }
    }
    SECTION("generalized normal, shapes 1.5 and 3") {
        for (double shape : {1.5, 3.0}) {
            INFO("shape = " << shape);
            const double scale = 0.8;
            const auto conditional =
                LatentConditional::additive(2, make_noise(NoiseLaw::GeneralizedNormal, scale, shape), true);
            const DirectionSample s = sample_directions(conditional, e1, static_cast<uint32_t>(100 + shape * 10));
            const GeneralizedNormalDensity density(scale, shape);
            const DirectionMoments exact = projected_direction_moments(
                density, [=](double rho) { return 2.0 * density(rho); }, 1.0 + 30.0 * scale);
            check_against(s, exact);
            CHECK(within_5_se(s.orthogonal, 0.0));
        }
    }
}

TEST_CASE("the projected Normal conditional matches numerical integration around any mean",
          "[core-data][conditional]") {
    // Isotropic noise: the component along v is N(0, s^2), the orthogonal length a scaled chi
    // with d - 1 degrees of freedom, whatever the direction of v.
    const int64_t d = 5;
    std::vector<double> v = {0.3, -0.5, 0.1, 0.7, -0.2};
    double n2 = 0.0;
    for (double c : v) n2 += c * c;
    for (double& c : v) c /= std::sqrt(n2);
    for (double s : {1.0, 0.2}) {
        INFO("sigma = " << s);
        const auto conditional = LatentConditional::additive(d, make_noise(NoiseLaw::Normal, s), true);
        const DirectionSample sampled = sample_directions(conditional, v, static_cast<uint32_t>(200 + s * 10));
        const DirectionMoments exact =
            projected_direction_moments([s](double n) { return normal_density(n, s); },
                                        ScaledChiDensity(d - 1, s),
                                        1.0 + 12.0 * s);
        check_against(sampled, exact);
    }
}

TEST_CASE("the truncated Laplace conditional stays within the truncation and is not projected",
          "[core-data][conditional]") {
    const int64_t d = 5;
    const std::vector<double> v = {0.6, 0.0, -0.8, 0.0, 0.0};
    const double b = 1.0, bound = 2.0;
    const auto conditional = LatentConditional::additive(d, make_noise(NoiseLaw::TruncatedLaplace, b, 2.0, bound), false);
    CHECK_FALSE(conditional.on_sphere());
    PhiloxStream rng = PhiloxStream::for_setup(9, 9);
    std::vector<double> z(d);
    Moments magnitude, square, norm;
    for (int64_t i = 0; i < kDraws / 5; ++i) {
        conditional.sample(rng, v.data(), z.data());
        double n2 = 0.0;
        for (int64_t k = 0; k < d; ++k) {
            const double noise = z[k] - v[k];
            REQUIRE(std::abs(noise) <= bound + 1e-12);
            magnitude.add(std::abs(noise));
            square.add(noise * noise);
            n2 += z[k] * z[k];
        }
        norm.add(std::sqrt(n2));
    }
    const double q = std::exp(-bound / b);
    CHECK(within_5_se(magnitude, b - bound * q / (1.0 - q)));
    CHECK(within_5_se(square, 2.0 * b * b - (bound * bound + 2.0 * b * bound) * q / (1.0 - q)));
    CHECK(norm.mean() > 1.5);  // far off the sphere: E|z|^2 = 1 + 5 E[noise^2] ~ 5.6
}

TEST_CASE("the vMF conditional has mean resultant length A_d(kappa)", "[core-data][conditional]") {
    const int64_t d = 5;
    const double kappa = 10.0;
    const auto conditional = LatentConditional::vmf(d, kappa);
    CHECK(conditional.is_vmf());
    CHECK(conditional.on_sphere());
    const std::vector<double> v = {0.0, 0.0, 1.0, 0.0, 0.0};
    const DirectionSample s = sample_directions(conditional, v, 300);
    CHECK(s.worst_norm_error < 1e-12);
    CHECK(within_5_se(s.cos, std::cyl_bessel_i(2.5, kappa) / std::cyl_bessel_i(1.5, kappa)));
}
