// 2-norm condition number of small square matrices (sigma_max / sigma_min), by LAPACK's SVD in
// double precision. Keeps its work buffers, so repeated calls do not allocate.
#pragma once

#include <cstdint>
#include <vector>

namespace idlab::core {

class ConditionNumber {
public:
    explicit ConditionNumber(int64_t dim);

    // cond_2 of the row-major dim x dim matrix a (left unchanged); +inf when it is singular.
    double operator()(const double* a);

private:
    int64_t dim_;
    std::vector<double> copy_;      // dgesvd overwrites its input
    std::vector<double> singular_;
    std::vector<double> work_;
};

}  // namespace idlab::core
