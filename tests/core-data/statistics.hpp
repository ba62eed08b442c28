// Test helper: running moments and the tolerances the statistical tests use. A check passes
// when the estimate lies within 5 standard errors of the exact value: a sampler off by a few
// percent fails, the fixed seeds never sit near the edge.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace idlab::test {

// Running mean and standard error of a scalar.
struct Moments {
    double sum = 0.0, sum_sq = 0.0;
    int64_t n = 0;
    void add(double v) {
        sum += v;
        sum_sq += v * v;
        ++n;
    }
    double mean() const { return sum / static_cast<double>(n); }
    double std_error() const {
        const double m = mean();
        const double var = sum_sq / static_cast<double>(n) - m * m;
        return std::sqrt(std::max(var, 0.0) / static_cast<double>(n));
    }
};

// |estimate - exact| within 5 standard errors.
inline bool within_5_se(const Moments& m, double exact) {
    return std::abs(m.mean() - exact) <= 5.0 * m.std_error();
}

// A count of `hits` in `n` Bernoulli(p) trials, within 5 binomial standard errors of n p.
inline bool binomial_close(int64_t hits, int64_t n, double p) {
    const double sd = std::sqrt(static_cast<double>(n) * p * (1.0 - p));
    return std::abs(static_cast<double>(hits) - static_cast<double>(n) * p) <= 5.0 * sd;
}

// Densities of the noise laws, for the quadratures.
inline double laplace_density(double x, double scale) {
    return std::exp(-std::abs(x) / scale) / (2.0 * scale);
}
inline double normal_density(double x, double sd) {
    const double t = x / sd;
    return std::exp(-0.5 * t * t) / (sd * 2.5066282746310002);  // sqrt(2 pi)
}
// Density proportional to exp(-(|x| / scale)^shape); the normaliser is computed once.
class GeneralizedNormalDensity {
public:
    GeneralizedNormalDensity(double scale, double shape)
        : scale_(scale), shape_(shape), norm_(shape / (2.0 * scale * std::tgamma(1.0 / shape))) {}
    double operator()(double x) const { return norm_ * std::exp(-std::pow(std::abs(x) / scale_, shape_)); }

private:
    double scale_, shape_, norm_;
};

// Length of a k-dimensional N(0, sd^2 I) vector: a scaled chi distribution with k degrees.
class ScaledChiDensity {
public:
    ScaledChiDensity(int64_t k, double sd)
        : k_(static_cast<double>(k)), sd_(sd),
          log_norm_(-(0.5 * k_ - 1.0) * std::log(2.0) - std::lgamma(0.5 * k_) - std::log(sd)) {}
    double operator()(double rho) const {
        if (rho < 0.0) return 0.0;
        if (rho == 0.0) return k_ == 1.0 ? 2.0 * normal_density(0.0, sd_) : 0.0;
        const double t = rho / sd_;
        return std::exp((k_ - 1.0) * std::log(t) - 0.5 * t * t + log_norm_);
    }

private:
    double k_, sd_, log_norm_;
};

}  // namespace idlab::test
