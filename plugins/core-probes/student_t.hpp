// Student's t distribution and the one-sample t-test, for core.logistic_probe's test of the
// repeated accuracies against chance. Computed from the regularised incomplete beta function
// I_x(a, b), evaluated by its continued fraction (modified Lentz), in double precision.
#pragma once

#include <vector>

namespace idlab::probes {

// I_x(a, b) for a, b > 0 and x in [0, 1].
double regularized_incomplete_beta(double x, double a, double b);

// P(T <= t) for T ~ Student's t with `df` > 0 degrees of freedom; t may be infinite.
double student_t_cdf(double t, double df);

// P(|T| >= |t|): the two-sided tail, computed directly (not as 1 - cdf) so that small p-values
// keep their relative precision.
double student_t_two_sided_p(double t, double df);

struct TTestResult {
    double mean = 0.0;
    double stddev = 0.0;     // sample standard deviation (n - 1 in the denominator)
    double t = 0.0;
    double df = 0.0;         // n - 1
    double p_value = 1.0;    // two-sided, as scipy.stats.ttest_1samp
};

// One-sample t-test of `values` (at least 2) against the mean `mu`. When every value is equal
// the statistic is undefined; the test then reports p = 0 if they differ from mu (t = ±inf)
// and p = 1 if they equal it (t = 0), where scipy would give nan for the latter.
TTestResult one_sample_t_test(const std::vector<double>& values, double mu);

}  // namespace idlab::probes
