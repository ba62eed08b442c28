#include "singular_values.hpp"

#include "least_squares.hpp"

#include <lapacke.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace idlab::core {

std::vector<double> singular_values(const double* a, int64_t rows, int64_t cols) {
    if (rows < 1 || cols < 1) throw std::invalid_argument("singular_values: empty matrix");
    std::vector<double> work(a, a + rows * cols);  // dgesdd destroys its input
    std::vector<double> s(static_cast<size_t>(std::min(rows, cols)));
    // jobz = 'N': values only; U and V^T are not referenced, but row-major LAPACKE still
    // checks their leading dimensions against the matrix (ldvt >= cols), so pass full ones.
    const lapack_int ld = static_cast<lapack_int>(std::max(rows, cols));
    const lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'N', static_cast<lapack_int>(rows),
                                           static_cast<lapack_int>(cols), work.data(),
                                           static_cast<lapack_int>(cols), s.data(), nullptr, ld,
                                           nullptr, ld);
    if (info != 0) throw std::runtime_error("singular values (dgesdd) failed with info " + std::to_string(info));
    return s;
}

double singular_value_mae(const double* x, const double* y, int64_t n, int64_t p, int64_t d,
                          double target) {
    const LinearFit fit = fit_least_squares(x, y, n, p, d, /*intercept=*/false);
    const std::vector<double> s = singular_values(fit.coef.data(), p, d);
    double total = 0.0;
    for (double v : s) total += std::abs(v - target);
    return total / static_cast<double>(s.size());
}

}  // namespace idlab::core
