// The regularised incomplete beta function and Student's t distribution against closed forms
// and published quantiles, and the one-sample t-test built on them.
#include "student_t.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

using idlab::probes::one_sample_t_test;
using idlab::probes::regularized_incomplete_beta;
using idlab::probes::student_t_cdf;
using idlab::probes::student_t_two_sided_p;

namespace {

const double kPi = std::acos(-1.0);

// Closed forms of the t distribution's CDF for 1, 2 and 3 degrees of freedom.
double cdf_df1(double t) { return 0.5 + std::atan(t) / kPi; }
double cdf_df2(double t) { return 0.5 + t / (2.0 * std::sqrt(2.0 + t * t)); }
double cdf_df3(double t) {
    const double s = t / std::sqrt(3.0);
    return 0.5 + (s / (1.0 + s * s) + std::atan(s)) / kPi;
}

// P(Binomial(n, x) >= k) = I_x(k, n - k + 1), summed term by term.
double binomial_upper_tail(int n, int k, double x) {
    double sum = 0.0;
    for (int j = k; j <= n; ++j) {
        const double log_term = std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0) +
                                j * std::log(x) + (n - j) * std::log1p(-x);
        sum += std::exp(log_term);
    }
    return sum;
}

}  // namespace

TEST_CASE("the incomplete beta function matches its closed forms", "[core-probes][student-t]") {
    for (double x : {0.001, 0.1, 0.3, 0.5, 0.77, 0.999}) {
        INFO("x = " << x);
        CHECK(regularized_incomplete_beta(x, 2.5, 1.0) == Approx(std::pow(x, 2.5)).epsilon(1e-13));
        CHECK(regularized_incomplete_beta(x, 1.0, 3.5) == Approx(1.0 - std::pow(1.0 - x, 3.5)).epsilon(1e-13));
        CHECK(regularized_incomplete_beta(x, 2.0, 2.0) == Approx(3 * x * x - 2 * x * x * x).epsilon(1e-13));
        // Symmetry I_x(a, b) = 1 - I_{1-x}(b, a), on both branches of the continued fraction.
        CHECK(regularized_incomplete_beta(x, 7.0, 3.0) + regularized_incomplete_beta(1.0 - x, 3.0, 7.0) ==
              Approx(1.0).epsilon(1e-13));
    }
    CHECK(regularized_incomplete_beta(0.5, 40.0, 40.0) == Approx(0.5).epsilon(1e-13));
    CHECK(regularized_incomplete_beta(0.0, 2.0, 3.0) == 0.0);
    CHECK(regularized_incomplete_beta(1.0, 2.0, 3.0) == 1.0);
}

TEST_CASE("the incomplete beta function gives binomial tails for large parameters", "[core-probes][student-t]") {
    for (int k : {1, 10, 25, 40, 60}) {
        for (double x : {0.2, 0.45, 0.7}) {
            INFO("n = 60, k = " << k << ", x = " << x);
            CHECK(regularized_incomplete_beta(x, k, 60 - k + 1) == Approx(binomial_upper_tail(60, k, x)).epsilon(1e-11));
        }
    }
}

TEST_CASE("the incomplete beta function rejects arguments outside its domain", "[core-probes][student-t]") {
    CHECK_THROWS_AS(regularized_incomplete_beta(0.5, 0.0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(regularized_incomplete_beta(0.5, 1.0, -2.0), std::invalid_argument);
    CHECK_THROWS_AS(regularized_incomplete_beta(1.5, 1.0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(regularized_incomplete_beta(std::nan(""), 1.0, 1.0), std::invalid_argument);
}

TEST_CASE("the t distribution's CDF matches the closed forms for 1, 2 and 3 degrees of freedom",
          "[core-probes][student-t]") {
    for (double t : {-30.0, -4.0, -1.3, -0.2, 0.0, 0.01, 0.7, 2.0, 9.5, 250.0}) {
        INFO("t = " << t);
        CHECK(student_t_cdf(t, 1.0) == Approx(cdf_df1(t)).epsilon(1e-12).margin(1e-15));
        CHECK(student_t_cdf(t, 2.0) == Approx(cdf_df2(t)).epsilon(1e-12).margin(1e-15));
        CHECK(student_t_cdf(t, 3.0) == Approx(cdf_df3(t)).epsilon(1e-12).margin(1e-15));
    }
    CHECK(student_t_cdf(std::numeric_limits<double>::infinity(), 4.0) == 1.0);
    CHECK(student_t_cdf(-std::numeric_limits<double>::infinity(), 4.0) == 0.0);
}

TEST_CASE("two-sided p-values keep their precision far in the tail", "[core-probes][student-t]") {
    // df = 1: P(|T| >= t) = (2 / pi) atan(1 / t), about 2 / (pi t) for large t.
    for (double t : {10.0, 1e3, 1e6, 1e9}) {
        INFO("t = " << t);
        CHECK(student_t_two_sided_p(t, 1.0) == Approx(2.0 / kPi * std::atan(1.0 / t)).epsilon(1e-12));
        CHECK(student_t_two_sided_p(-t, 1.0) == Approx(2.0 / kPi * std::atan(1.0 / t)).epsilon(1e-12));
    }
    // df = 2: P(|T| >= t) = 1 - t / sqrt(2 + t^2) = 2 / (sqrt(2 + t^2) (sqrt(2 + t^2) + t)).
    for (double t : {5.0, 300.0, 1e5}) {
        const double r = std::sqrt(2.0 + t * t);
        CHECK(student_t_two_sided_p(t, 2.0) == Approx(2.0 / (r * (r + t))).epsilon(1e-12));
    }
    CHECK(student_t_two_sided_p(0.0, 7.0) == 1.0);
    CHECK(student_t_two_sided_p(std::numeric_limits<double>::infinity(), 7.0) == 0.0);
}

TEST_CASE("two-sided p-values at published t quantiles", "[core-probes][student-t]") {
    struct Quantile {
        double t, df, p;
    };
    // t_{1 - p/2, df} from standard tables (10 significant digits).
    const std::vector<Quantile> table = {
        {12.70620474, 1, 0.05}, {2.570581836, 5, 0.05},  {2.262157163, 9, 0.05},  {2.228138852, 10, 0.05},
        {3.169272673, 10, 0.01}, {2.085963447, 20, 0.05}, {2.042272456, 30, 0.05},  {2.749995654, 30, 0.01},
        {1.983971519, 100, 0.05},
    };
    for (const Quantile& q : table) {
        INFO("t = " << q.t << ", df = " << q.df);
        CHECK(student_t_two_sided_p(q.t, q.df) == Approx(q.p).epsilon(2e-8));
    }
}

TEST_CASE("the one-sample t-test: statistic, degrees of freedom and p-value", "[core-probes][student-t]") {
    // n = 4: df = 3, whose CDF has a closed form.
    const std::vector<double> values = {0.61, 0.7, 0.58, 0.66};
    const auto r = one_sample_t_test(values, 0.5);
    const double mean = (0.61 + 0.7 + 0.58 + 0.66) / 4.0;
    double ss = 0.0;
    for (double v : values) ss += (v - mean) * (v - mean);
    const double sd = std::sqrt(ss / 3.0);
    const double t = (mean - 0.5) / (sd / 2.0);
    CHECK(r.mean == Approx(mean).epsilon(1e-14));
    CHECK(r.stddev == Approx(sd).epsilon(1e-14));
    CHECK(r.df == 3.0);
    CHECK(r.t == Approx(t).epsilon(1e-12));
    CHECK(r.p_value == Approx(2.0 * (1.0 - cdf_df3(t))).epsilon(1e-9));

    // Below the reference mean: negative t, the same two-sided p as its mirror image.
    std::vector<double> mirrored;
    for (double v : values) mirrored.push_back(1.0 - v);
    const auto m = one_sample_t_test(mirrored, 0.5);
    CHECK(m.t == Approx(-t).epsilon(1e-12));
    CHECK(m.p_value == Approx(r.p_value).epsilon(1e-12));
}

TEST_CASE("the one-sample t-test without spread and with too few values", "[core-probes][student-t]") {
    const auto above = one_sample_t_test({1.0, 1.0, 1.0}, 0.5);
    CHECK(above.p_value == 0.0);
    CHECK(std::isinf(above.t));
    CHECK(above.t > 0.0);
    CHECK(above.stddev == 0.0);
    const auto at = one_sample_t_test({0.5, 0.5}, 0.5);
    CHECK(at.p_value == 1.0);
    CHECK(at.t == 0.0);
    CHECK_THROWS_AS(one_sample_t_test({0.7}, 0.5), std::invalid_argument);
}
