#include "correlation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace idlab::core {

namespace {

// Centres every column of m [n, cols] in place and returns each column's Euclidean norm
// after centring; exactly 0 for a constant column, whose computed mean may be off by rounding.
std::vector<double> centre_columns(std::vector<double>& m, int64_t n, int64_t cols) {
    std::vector<double> norm(static_cast<size_t>(cols), 0.0);
    for (int64_t j = 0; j < cols; ++j) {
        bool constant = true;
        for (int64_t r = 1; r < n && constant; ++r) constant = m[r * cols + j] == m[j];
        if (constant) {
            for (int64_t r = 0; r < n; ++r) m[r * cols + j] = 0.0;
            continue;
        }
        double mean = 0.0;
        for (int64_t r = 0; r < n; ++r) mean += m[r * cols + j];
        mean /= static_cast<double>(n);
        double sq = 0.0;
        for (int64_t r = 0; r < n; ++r) {
            m[r * cols + j] -= mean;
            sq += m[r * cols + j] * m[r * cols + j];
        }
        norm[j] = std::sqrt(sq);
    }
    return norm;
}

}  // namespace

void pearson_matrix(std::vector<double>& a, std::vector<double>& b, int64_t n, int64_t p,
                    int64_t q, std::vector<double>& corr) {
    const std::vector<double> anorm = centre_columns(a, n, p);
    const std::vector<double> bnorm = centre_columns(b, n, q);
    corr.assign(static_cast<size_t>(p * q), 0.0);
    for (int64_t r = 0; r < n; ++r)
        for (int64_t i = 0; i < p; ++i) {
            const double ai = a[r * p + i];
            for (int64_t j = 0; j < q; ++j) corr[i * q + j] += ai * b[r * q + j];
        }
    for (int64_t i = 0; i < p; ++i)
        for (int64_t j = 0; j < q; ++j) {
            const double scale = anorm[i] * bnorm[j];
            // Clamp: rounding can push |r| of an exact linear relation a hair above 1.
            corr[i * q + j] = scale > 0.0 ? std::clamp(corr[i * q + j] / scale, -1.0, 1.0) : 0.0;
        }
}

void rank_columns(double* m, int64_t n, int64_t cols, std::vector<int64_t>& order) {
    order.resize(static_cast<size_t>(n));
    std::vector<double> ranks(static_cast<size_t>(n));
    for (int64_t j = 0; j < cols; ++j) {
        std::iota(order.begin(), order.end(), int64_t{0});
        std::sort(order.begin(), order.end(),
                  [&](int64_t x, int64_t y) { return m[x * cols + j] < m[y * cols + j]; });
        // Runs of equal values [first, last) share the mean of ranks first+1 .. last.
        for (int64_t first = 0; first < n;) {
            int64_t last = first + 1;
            while (last < n && m[order[last] * cols + j] == m[order[first] * cols + j]) ++last;
            const double mean_rank = 0.5 * static_cast<double>(first + 1 + last);
            for (int64_t k = first; k < last; ++k) ranks[order[k]] = mean_rank;
            first = last;
        }
        for (int64_t r = 0; r < n; ++r) m[r * cols + j] = ranks[r];
    }
}

}  // namespace idlab::core
