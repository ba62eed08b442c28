// How close a linear map is to a scaled orthogonal one, through its singular values: the
// paper's MAE_o (Table 2). An orthogonal map times s has every singular value equal to s.
#pragma once

#include <cstdint>
#include <vector>

namespace idlab::core {

// Singular values of a row-major [rows, cols] matrix, largest first (LAPACK dgesdd).
std::vector<double> singular_values(const double* a, int64_t rows, int64_t cols);

// Fits y [n, d] ~ x [n, p] by least squares without an intercept on all n rows (no split) and
// returns the mean of |s_k - target| over the min(p, d) singular values s_k of the [p, d]
// coefficient matrix.
double singular_value_mae(const double* x, const double* y, int64_t n, int64_t p, int64_t d,
                          double target);

}  // namespace idlab::core
