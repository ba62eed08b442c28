// The scalar noise laws against closed forms: Laplace(0, s) has E|x| = s and E x^2 = 2 s^2;
// the generalized normal with shape beta has E|x|^k = s^k Gamma((k + 1) / beta) / Gamma(1 / beta)
// (beta = 1 is Laplace(0, s), beta = 2 is Normal(0, s^2 / 2)); the truncated Laplace stays in
// [-T, T] and |x| follows the truncated exponential, P(|x| <= t) = (1 - e^(-t/s)) / (1 - e^(-T/s)).
// Every law is symmetric: mean 0 and P(x > 0) = 1/2.
#include "scalar_laws.hpp"
#include "statistics.hpp"

#include <idlab/philox.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>

using idlab::PhiloxStream;
using namespace idlab::core;
using namespace idlab::test;

namespace {

constexpr int64_t kDraws = 200000;

struct Summary {
    Moments value, magnitude, square;
    int64_t positive = 0;
};

Summary summarise(const std::function<double(PhiloxStream&)>& draw, uint32_t purpose) {
    PhiloxStream rng = PhiloxStream::for_setup(2024, purpose);
    Summary s;
    for (int64_t i = 0; i < kDraws; ++i) {
        const double v = draw(rng);
        s.value.add(v);
        s.magnitude.add(std::abs(v));
        s.square.add(v * v);
        if (v > 0.0) ++s.positive;
    }
    return s;
}

void check_symmetric(const Summary& s) {
    CHECK(within_5_se(s.value, 0.0));
    CHECK(binomial_close(s.positive, kDraws, 0.5));
}

double generalized_normal_abs_moment(double scale, double shape, int k) {
    return std::pow(scale, k) * std::tgamma((k + 1.0) / shape) / std::tgamma(1.0 / shape);
}

}  // namespace

TEST_CASE("Laplace draws match the closed-form moments", "[core-data][laws]") {
    for (double scale : {0.05, 1.0, 3.0}) {
        INFO("scale = " << scale);
        const Summary s = summarise([&](PhiloxStream& rng) { return sample_laplace(rng, scale); },
                                    static_cast<uint32_t>(scale * 100));
        check_symmetric(s);
        CHECK(within_5_se(s.magnitude, scale));
        CHECK(within_5_se(s.square, 2.0 * scale * scale));
    }
}

TEST_CASE("generalized-normal draws match the closed-form moments", "[core-data][laws]") {
    for (double shape : {0.5, 1.0, 1.5, 2.0, 3.0, 8.0}) {
        for (double scale : {0.3, 2.0}) {
            INFO("shape = " << shape << ", scale = " << scale);
            const Summary s = summarise(
                [&](PhiloxStream& rng) { return sample_generalized_normal(rng, scale, shape); },
                static_cast<uint32_t>(shape * 1000 + scale * 10));
            check_symmetric(s);
            CHECK(within_5_se(s.magnitude, generalized_normal_abs_moment(scale, shape, 1)));
            CHECK(within_5_se(s.square, generalized_normal_abs_moment(scale, shape, 2)));
        }
    }
}

TEST_CASE("the generalized normal is Laplace for shape 1 and Normal for shape 2", "[core-data][laws]") {
    const double scale = 0.8;
    SECTION("shape 1: Laplace(0, s) moments, E x^4 = 24 s^4 included") {
        Moments fourth;
        const Summary s = summarise(
            [&](PhiloxStream& rng) {
                const double v = sample_generalized_normal(rng, scale, 1.0);
                fourth.add(v * v * v * v);
                return v;
            },
            11);
        CHECK(within_5_se(s.magnitude, scale));
        CHECK(within_5_se(s.square, 2.0 * scale * scale));
        CHECK(within_5_se(fourth, 24.0 * std::pow(scale, 4)));
    }
    SECTION("shape 2: Normal(0, s^2 / 2) moments, E|x| = sigma sqrt(2 / pi), E x^4 = 3 sigma^4") {
        const double sigma = scale / std::sqrt(2.0);
        Moments fourth;
        const Summary s = summarise(
            [&](PhiloxStream& rng) {
                const double v = sample_generalized_normal(rng, scale, 2.0);
                fourth.add(v * v * v * v);
                return v;
            },
            12);
        CHECK(within_5_se(s.magnitude, sigma * std::sqrt(2.0 / 3.14159265358979323846)));
        CHECK(within_5_se(s.square, sigma * sigma));
        CHECK(within_5_se(fourth, 3.0 * std::pow(sigma, 4)));
    }
}

TEST_CASE("truncated Laplace draws stay in bounds and follow the truncated law", "[core-data][laws]") {
    struct Case {
        double scale, bound;
    };
    for (const Case c : {Case{1.0, 2.0}, Case{0.3, 0.1}, Case{5.0, 1.0}, Case{0.5, 3.0}}) {
        INFO("scale = " << c.scale << ", bound = " << c.bound);
        const double s = c.scale, t_max = c.bound;
        PhiloxStream rng = PhiloxStream::for_setup(77, static_cast<uint32_t>(s * 100 + t_max * 10));
        Summary sum;
        const double probes[] = {0.1 * t_max, 0.5 * t_max, 0.9 * t_max};
        int64_t below[3] = {0, 0, 0};
        double largest = 0.0;
        for (int64_t i = 0; i < kDraws; ++i) {
            const double v = sample_truncated_laplace(rng, s, t_max);
            REQUIRE(std::abs(v) <= t_max);
            largest = std::max(largest, std::abs(v));
            sum.value.add(v);
            sum.magnitude.add(std::abs(v));
            sum.square.add(v * v);
            if (v > 0.0) ++sum.positive;
            for (int p = 0; p < 3; ++p)
                if (std::abs(v) <= probes[p]) ++below[p];
        }
        check_symmetric(sum);
        // Truncated exponential with q = e^(-T/s): E|x| = s - T q / (1 - q),
        // E x^2 = 2 s^2 - (T^2 + 2 s T) q / (1 - q).
        const double q = std::exp(-t_max / s);
        CHECK(within_5_se(sum.magnitude, s - t_max * q / (1.0 - q)));
        CHECK(within_5_se(sum.square, 2.0 * s * s - (t_max * t_max + 2.0 * s * t_max) * q / (1.0 - q)));
        for (int p = 0; p < 3; ++p) {
            const double cdf = -std::expm1(-probes[p] / s) / -std::expm1(-t_max / s);
            INFO("P(|x| <= " << probes[p] << ") = " << cdf);
            CHECK(binomial_close(below[p], kDraws, cdf));
        }
        CHECK(largest > 0.99 * t_max);  // the whole interval is reached
    }
}

TEST_CASE("CoordinateNoise draws from the law it names", "[core-data][laws]") {
    auto second_moment = [](const CoordinateNoise& noise, uint32_t purpose) {
        PhiloxStream rng = PhiloxStream::for_setup(5, purpose);
        Moments m;
        for (int64_t i = 0; i < kDraws; ++i) {
            const double v = noise.draw(rng);
            m.add(v * v);
        }
        return m;
    };
    CoordinateNoise noise;
    noise.scale = 0.7;
    noise.shape = 3.0;
    noise.bound = 0.5;
    noise.law = NoiseLaw::Normal;
    CHECK(within_5_se(second_moment(noise, 1), 0.49));
    noise.law = NoiseLaw::Laplace;
    CHECK(within_5_se(second_moment(noise, 2), 2.0 * 0.49));
    noise.law = NoiseLaw::GeneralizedNormal;
    CHECK(within_5_se(second_moment(noise, 3), generalized_normal_abs_moment(0.7, 3.0, 2)));
    noise.law = NoiseLaw::TruncatedLaplace;
    const double q = std::exp(-0.5 / 0.7);
    CHECK(within_5_se(second_moment(noise, 4), 2.0 * 0.49 - (0.25 + 2.0 * 0.7 * 0.5) * q / (1.0 - q)));
}
