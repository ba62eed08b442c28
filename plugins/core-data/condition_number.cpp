#include "condition_number.hpp"

#include <lapacke.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace idlab::core {

ConditionNumber::ConditionNumber(int64_t dim)
    : dim_(dim), copy_(static_cast<size_t>(dim * dim)), singular_(static_cast<size_t>(dim)) {
    // Ask LAPACK once for the workspace size of a singular-values-only SVD.
    const lapack_int n = static_cast<lapack_int>(dim);
    double query = 0.0;
    lapack_int info = LAPACKE_dgesvd_work(LAPACK_COL_MAJOR, 'N', 'N', n, n, copy_.data(), n,
                                          singular_.data(), nullptr, 1, nullptr, 1, &query, -1);
    if (info != 0) throw std::runtime_error("dgesvd workspace query failed: " + std::to_string(info));
    work_.resize(static_cast<size_t>(std::max(1.0, query)));
}

double ConditionNumber::operator()(const double* a) {
    // Singular values of A and A^T are equal, so the row-major array can go in as column-major.
    std::copy(a, a + dim_ * dim_, copy_.begin());
    const lapack_int n = static_cast<lapack_int>(dim_);
    lapack_int info = LAPACKE_dgesvd_work(LAPACK_COL_MAJOR, 'N', 'N', n, n, copy_.data(), n,
                                          singular_.data(), nullptr, 1, nullptr, 1, work_.data(),
                                          static_cast<lapack_int>(work_.size()));
    if (info != 0) throw std::runtime_error("dgesvd failed: " + std::to_string(info));
    const double smax = singular_.front();  // LAPACK returns them in descending order
    const double smin = singular_.back();
    if (!(smin > 0.0)) return std::numeric_limits<double>::infinity();
    return smax / smin;
}

}  // namespace idlab::core
