// The vMF sampler (Wood 1994) against closed forms: with w = mu.z,
//     E[w]                 = A_d(kappa) = I_{d/2}(kappa) / I_{d/2-1}(kappa)
//     E[w^2]               = 1 - (d - 1) A_d(kappa) / kappa
//     E[(e.z)^2], e _|_ mu = (1 - E[w^2]) / (d - 1) = A_d(kappa) / kappa, and E[e.z] = 0.
// Tolerances are 5 standard errors of the sample mean: a sampler off by a few percent fails,
// the fixed seeds never sit near the edge.
#include "statistics.hpp"
#include "vmf_sampler.hpp"

#include <idlab/philox.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using idlab::PhiloxStream;
using idlab::core::VmfSampler;
using idlab::test::Moments;

namespace {

double mean_resultant_length(int64_t d, double kappa) {
    const double nu = 0.5 * static_cast<double>(d);
    return std::cyl_bessel_i(nu, kappa) / std::cyl_bessel_i(nu - 1.0, kappa);
}

// A fixed unit vector with every coordinate non-zero, and a unit vector orthogonal to it.
void mean_and_tangent(int64_t d, std::vector<double>& mu, std::vector<double>& e) {
    mu.assign(static_cast<size_t>(d), 0.0);
    e.assign(static_cast<size_t>(d), 0.0);
    double n2 = 0.0;
    for (int64_t k = 0; k < d; ++k) {
        mu[k] = 1.0 + 0.37 * static_cast<double>(k) * (k % 2 ? -1.0 : 1.0);
        n2 += mu[k] * mu[k];
    }
    for (double& v : mu) v /= std::sqrt(n2);
    // e = e_0 minus its mu-component, normalised.
    e[0] = 1.0;
    for (int64_t k = 0; k < d; ++k) e[k] -= mu[0] * mu[k];
    double e2 = 0.0;
    for (double v : e) e2 += v * v;
    for (double& v : e) v /= std::sqrt(e2);
}

}  // namespace

TEST_CASE("vMF samples match the closed-form moments", "[core-data][vmf]") {
    const int64_t samples = 40000;
    for (int64_t d : {2, 3, 5, 10}) {
        for (double kappa : {1.0, 10.0, 50.0}) {
            INFO("d = " << d << ", kappa = " << kappa);
            std::vector<double> mu, e;
            mean_and_tangent(d, mu, e);
            const VmfSampler sampler(d, kappa);
            PhiloxStream rng = PhiloxStream::for_setup(1234 + static_cast<uint64_t>(d), static_cast<uint32_t>(kappa));
            std::vector<double> z(static_cast<size_t>(d));
            Moments cosine, tangent, tangent_sq;
            double worst_norm_error = 0.0;
            for (int64_t s = 0; s < samples; ++s) {
                sampler.sample(rng, mu.data(), z.data());
                double w = 0.0, t = 0.0, n2 = 0.0;
                for (int64_t k = 0; k < d; ++k) {
                    w += mu[k] * z[k];
                    t += e[k] * z[k];
                    n2 += z[k] * z[k];
                }
                worst_norm_error = std::max(worst_norm_error, std::abs(std::sqrt(n2) - 1.0));
                cosine.add(w);
                tangent.add(t);
                tangent_sq.add(t * t);
            }
            const double a = mean_resultant_length(d, kappa);
            INFO("A_d(kappa) = " << a << ", sample mean of mu.z = " << cosine.mean());
            CHECK(worst_norm_error < 1e-12);
            CHECK(std::abs(cosine.mean() - a) < 5.0 * cosine.std_error());
            CHECK(std::abs(tangent.mean()) < 5.0 * tangent.std_error());
            CHECK(std::abs(tangent_sq.mean() - a / kappa) < 5.0 * tangent_sq.std_error());
        }
    }
}

TEST_CASE("vMF cosines match the closed-form second moment", "[core-data][vmf]") {
    const int64_t samples = 40000;
    for (int64_t d : {3, 5, 10}) {
        for (double kappa : {1.0, 10.0, 50.0}) {
            INFO("d = " << d << ", kappa = " << kappa);
            const VmfSampler sampler(d, kappa);
            PhiloxStream rng = PhiloxStream::for_setup(99, static_cast<uint32_t>(d * 1000 + static_cast<int64_t>(kappa)));
            Moments w2;
            for (int64_t s = 0; s < samples; ++s) {
                const double w = sampler.sample_cosine(rng);
                REQUIRE(w >= -1.0);
                REQUIRE(w <= 1.0);
                w2.add(w * w);
            }
            const double expected = 1.0 - static_cast<double>(d - 1) * mean_resultant_length(d, kappa) / kappa;
            CHECK(std::abs(w2.mean() - expected) < 5.0 * w2.std_error());
        }
    }
}

TEST_CASE("a very concentrated vMF stays close to its mean", "[core-data][vmf]") {
    // For large kappa, 1 - E[w] = (d - 1) / (2 kappa) + O(kappa^-2) (the Bessel functions
    // themselves overflow); the sampler must neither stall nor lose precision there.
    const int64_t d = 5;
    const double kappa = 1e4;
    const VmfSampler sampler(d, kappa);
    PhiloxStream rng = PhiloxStream::for_setup(5, 5);
    Moments gap;
    for (int i = 0; i < 5000; ++i) gap.add(1.0 - sampler.sample_cosine(rng));
    const double expected = static_cast<double>(d - 1) / (2.0 * kappa);
    CHECK(std::abs(gap.mean() - expected) < 5.0 * gap.std_error());
}

TEST_CASE("Gamma and Beta draws have the right mean and variance", "[core-data][vmf]") {
    const int64_t samples = 40000;
    for (double shape : {0.5, 1.0, 2.5, 10.0}) {
        INFO("shape = " << shape);
        PhiloxStream rng = PhiloxStream::for_setup(3, static_cast<uint32_t>(shape * 10));
        Moments g, g_sq_dev;
        for (int64_t s = 0; s < samples; ++s) {
            const double v = idlab::core::sample_gamma(rng, shape);
            REQUIRE(v > 0.0);
            g.add(v);
            g_sq_dev.add((v - shape) * (v - shape));
        }
        // Gamma(shape, 1): mean = variance = shape.
        CHECK(std::abs(g.mean() - shape) < 5.0 * g.std_error());
        CHECK(std::abs(g_sq_dev.mean() - shape) < 5.0 * g_sq_dev.std_error());
    }
    for (double a : {0.5, 2.0, 4.5}) {
        INFO("Beta(a, a), a = " << a);
        PhiloxStream rng = PhiloxStream::for_setup(4, static_cast<uint32_t>(a * 10));
        Moments b, b_sq_dev;
        for (int64_t s = 0; s < samples; ++s) {
            const double v = idlab::core::sample_beta_symmetric(rng, a);
            REQUIRE(v >= 0.0);
            REQUIRE(v <= 1.0);
            b.add(v);
            b_sq_dev.add((v - 0.5) * (v - 0.5));
        }
        // Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1)).
        CHECK(std::abs(b.mean() - 0.5) < 5.0 * b.std_error());
        CHECK(std::abs(b_sq_dev.mean() - 0.25 / (2.0 * a + 1.0)) < 5.0 * b_sq_dev.std_error());
    }
}

TEST_CASE("the vMF sampler rejects invalid parameters", "[core-data][vmf]") {
    CHECK_THROWS(VmfSampler(1, 10.0));
    CHECK_THROWS(VmfSampler(5, 0.0));
    CHECK_THROWS(VmfSampler(5, -1.0));
    CHECK_THROWS(VmfSampler(5, std::nan("")));
    CHECK_THROWS(VmfSampler(5, HUGE_VAL));
}
