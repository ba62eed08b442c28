// Correlations between the columns of two samples of equal size, for core.mcc: Pearson's r
// and Spearman's rho (Pearson's r of the ranks, ties sharing their mean rank, as scipy does).
#pragma once

#include <cstdint>
#include <vector>

namespace idlab::core {

// corr [p, q] with corr[i, j] = Pearson r between column i of a [n, p] and column j of
// b [n, q], all row-major. a and b are centred in place (they are scratch copies). A constant
// column (every value equal) correlates 0 with everything.
void pearson_matrix(std::vector<double>& a, std::vector<double>& b, int64_t n, int64_t p,
                    int64_t q, std::vector<double>& corr);

// Replaces every column of m [n, cols] by its ranks 1..n; equal values get the mean of the
// ranks they span. `order` is scratch storage.
void rank_columns(double* m, int64_t n, int64_t cols, std::vector<int64_t>& order);

}  // namespace idlab::core
