#include "unit_rows.hpp"

#include <algorithm>
#include <cmath>

namespace idlab::core {

void normalize_rows(float* a, int64_t rows, int64_t cols, float* norms) {
    for (int64_t r = 0; r < rows; ++r) {
        float* row = a + r * cols;
        double sq = 0.0;
        for (int64_t c = 0; c < cols; ++c) sq += static_cast<double>(row[c]) * row[c];
        const float norm = static_cast<float>(std::max(std::sqrt(sq), kMinRowNorm));
        for (int64_t c = 0; c < cols; ++c) row[c] /= norm;
        if (norms) norms[r] = norm;
    }
}

void unit_rows_backward(const float* unit, const float* norms, const float* grad_unit,
                        int64_t rows, int64_t cols, float* grad_raw) {
    for (int64_t r = 0; r < rows; ++r) {
        const float* u = unit + r * cols;
        const float* g = grad_unit + r * cols;
        float* out = grad_raw + r * cols;
        double dot = 0.0;
        for (int64_t c = 0; c < cols; ++c) dot += static_cast<double>(u[c]) * g[c];
        const float radial = static_cast<float>(dot);
        for (int64_t c = 0; c < cols; ++c) out[c] = (g[c] - u[c] * radial) / norms[r];
    }
}

}  // namespace idlab::core
