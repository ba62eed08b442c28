// Ordinary least squares Y ~ X B (+ b) and sklearn's R² score, in double precision through
// LAPACK's SVD-based, rank-robust dgelsd. Matrices are row-major.
#pragma once

#include <cstdint>
#include <vector>

namespace idlab::core {

struct LinearFit {
    int64_t inputs = 0;           // p
    int64_t outputs = 0;          // d
    std::vector<double> coef;     // [p, d]: y = x coef + intercept
    std::vector<double> intercept;  // [d], zeros without an intercept
    int64_t rank = 0;             // effective rank of the (centred) design

    // yhat [n, d] from x [n, p].
    void predict(const double* x, int64_t n, double* yhat) const;
};

// Least squares fit of y [n, d] on x [n, p]. With an intercept the columns are centred first,
// as sklearn's LinearRegression does, so a constant (dead) feature only lowers the rank.
// Singular values below eps * max(n, p) * s_max count as zero (minimum-norm solution).
LinearFit fit_least_squares(const double* x, const double* y, int64_t n, int64_t p, int64_t d,
                            bool intercept);

// sklearn r2_score(y, yhat) with multioutput='uniform_average': the mean over the d outputs of
// 1 - SS_res / SS_tot (SS_tot around the mean of y). An output with SS_tot == 0 scores 1 when
// predicted exactly and 0 otherwise, as sklearn does.
double r2_score(const double* y, const double* yhat, int64_t n, int64_t d);

}  // namespace idlab::core
