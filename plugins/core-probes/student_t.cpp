#include "student_t.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace idlab::probes {

namespace {

// The continued fraction of I_x(a, b) (without its prefactor), by the modified Lentz method:
//   1 / (1 + d_1 / (1 + d_2 / (1 + ...))), with
//   d_{2m}   =  m (b - m) x / ((a + 2m - 1)(a + 2m)),
//   d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
// It converges quickly for x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double x, double a, double b) {
    constexpr double tiny = 1e-300;
    constexpr double eps = 1e-16;
    constexpr int max_terms = 10000;
    auto guard = [](double v) { return std::fabs(v) < tiny ? tiny : v; };

    double c = 1.0;
    double d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));  // the d_1 step
    double h = d;
    for (int m = 1; m <= max_terms; ++m) {
        const double two_m = 2.0 * m;
        const double even = m * (b - m) * x / ((a + two_m - 1.0) * (a + two_m));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        h *= d * c;
        const double odd = -(a + m) * (a + b + m) * x / ((a + two_m) * (a + two_m + 1.0));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        const double step = d * c;
        h *= step;
        if (std::fabs(step - 1.0) < eps) return h;
    }
    throw std::runtime_error("incomplete beta: the continued fraction did not converge (a = " +
                             std::to_string(a) + ", b = " + std::to_string(b) + ", x = " +
                             std::to_string(x) + ")");
}

}  // namespace

double regularized_incomplete_beta(double x, double a, double b) {
    if (!(a > 0.0) || !(b > 0.0) || std::isinf(a) || std::isinf(b))
        throw std::invalid_argument("incomplete beta: a and b must be positive and finite");
    if (!(x >= 0.0 && x <= 1.0)) throw std::invalid_argument("incomplete beta: x must lie in [0, 1]");
    if (x == 0.0) return 0.0;
    if (x == 1.0) return 1.0;
    // x^a (1-x)^b / B(a, b), in logarithms so that large a, b do not overflow.
    const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
                             b * std::log1p(-x);
    const double front = std::exp(log_front);
    // Use the fraction where it converges fast, the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) elsewhere.
    if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_continued_fraction(x, a, b) / a;
    return 1.0 - front * beta_continued_fraction(1.0 - x, b, a) / b;
}

double student_t_two_sided_p(double t, double df) {
    if (!(df > 0.0)) throw std::invalid_argument("t distribution: degrees of freedom must be positive");
    if (std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
    if (std::isinf(t)) return 0.0;
    // P(|T| >= |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2).
    return regularized_incomplete_beta(df / (df + t * t), 0.5 * df, 0.5);
}

double student_t_cdf(double t, double df) {
    const double tail = 0.5 * student_t_two_sided_p(t, df);  // P(T >= |t|)
    return t > 0.0 ? 1.0 - tail : tail;
}

TTestResult one_sample_t_test(const std::vector<double>& values, double mu) {
    const size_t n = values.size();
    if (n < 2)
        throw std::invalid_argument("t-test: needs at least 2 values, got " + std::to_string(n));
    TTestResult r;
    for (double v : values) r.mean += v;
    r.mean /= static_cast<double>(n);
    double ss = 0.0;
    for (double v : values) ss += (v - r.mean) * (v - r.mean);
    r.stddev = std::sqrt(ss / static_cast<double>(n - 1));
    r.df = static_cast<double>(n - 1);
    bool all_equal = true;
    for (double v : values) all_equal = all_equal && v == values.front();
    if (all_equal) {
        // No spread: the mean is known exactly.
        const bool at_mu = values.front() == mu;
        r.stddev = 0.0;
        r.t = at_mu ? 0.0 : (values.front() > mu ? 1.0 : -1.0) * std::numeric_limits<double>::infinity();
        r.p_value = at_mu ? 1.0 : 0.0;
        return r;
    }
    r.t = (r.mean - mu) / (r.stddev / std::sqrt(static_cast<double>(n)));
    r.p_value = student_t_two_sided_p(r.t, r.df);
    return r;
}

}  // namespace idlab::probes
