// Binary logistic regression with an L2 penalty, as sklearn's LogisticRegression() fits it by
// default: minimise
//     sum_i log(1 + exp(-s_i (w.x_i + b))) + ||w||^2 / (2 C),    s_i = 2 y_i - 1,
// with the intercept b not penalised. Solver: Newton's method in float64, the exact Hessian
// X^T D X + I/C (BLAS dsyrk) solved by Cholesky (LAPACK dposv), a backtracking line search,
// started from zero; once the Newton decrement says the objective is within 1e-12 (relative)
// of its minimum it takes that last full step and stops. sklearn's default lbfgs stops after 100 iterations, often before
// convergence; this solver reaches the minimum both aim at.
#pragma once

#include <cstdint>
#include <vector>

namespace idlab::probes {

struct LogisticModel {
    std::vector<double> weights;  // [p]
    double intercept = 0.0;
    int iterations = 0;           // Newton steps taken

    // The class sklearn's predict() gives: 1 when w.x + b > 0, else 0.
    int predict(const double* x) const;
};

// Fits y [n] (each 0 or 1) on x [n, p] (row-major), C > 0. Throws std::invalid_argument for
// an empty problem or labels other than 0/1, std::runtime_error when Newton's method does not
// converge in 100 steps.
LogisticModel fit_logistic_regression(const std::vector<double>& x, const std::vector<uint8_t>& y,
                                      int64_t n, int64_t p, double C);

// Fraction of rows of x [n, p] whose predicted class equals y.
double accuracy(const LogisticModel& model, const std::vector<double>& x,
                const std::vector<uint8_t>& y, int64_t n);

}  // namespace idlab::probes
