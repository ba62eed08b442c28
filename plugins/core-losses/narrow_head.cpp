#include "narrow_head.hpp"

#include <idlab/vector_clones.hpp>

// The loops walk along the classes and take the feature dimensions two at a time: each pass
// then reads and writes the row once for two dimensions, and the two sums of the backward dot
// products are independent chains, so consecutive vector FMAs need not wait on each other.

namespace idlab::core {

void transpose(const float* w, int64_t rows, int64_t cols, float* wt) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) wt[c * rows + r] = w[r * cols + c];
}

IDLAB_VECTOR_CLONES
void narrow_head_scores(const float* wt, int64_t classes, int64_t dim, const float* f,
                        float* scores) {
    int64_t c = 0;
    if (dim % 2 == 1) {
        const float f0 = f[0];
#pragma omp simd
        for (int64_t j = 0; j < classes; ++j) scores[j] = f0 * wt[j];
        c = 1;
    } else {
#pragma omp simd
        for (int64_t j = 0; j < classes; ++j) scores[j] = 0.0f;
    }
    for (; c < dim; c += 2) {
        const float f0 = f[c], f1 = f[c + 1];
        const float* w0 = wt + c * classes;
        const float* w1 = w0 + classes;
#pragma omp simd
        for (int64_t j = 0; j < classes; ++j) scores[j] += f0 * w0[j] + f1 * w1[j];
    }
}

IDLAB_VECTOR_CLONES
void narrow_head_backward(const float* wt, int64_t classes, int64_t dim, const float* f,
                          const float* g, float df_scale, float* dwt, float* df) {
    int64_t c = 0;
    for (; c + 1 < dim; c += 2) {
        const float f0 = f[c], f1 = f[c + 1];
        const float* w0 = wt + c * classes;
        const float* w1 = w0 + classes;
        float* dw0 = dwt + c * classes;
        float* dw1 = dw0 + classes;
        float dot0 = 0.0f, dot1 = 0.0f;
#pragma omp simd reduction(+ : dot0, dot1)
        for (int64_t j = 0; j < classes; ++j) {
            const float gj = g[j];
            dot0 += gj * w0[j];
            dot1 += gj * w1[j];
            dw0[j] += f0 * gj;
            dw1[j] += f1 * gj;
        }
        df[c] = df_scale * dot0;
        df[c + 1] = df_scale * dot1;
    }
    if (c < dim) {  // the last dimension of an odd dim
        const float fc = f[c];
        const float* w = wt + c * classes;
        float* dw = dwt + c * classes;
        float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
        for (int64_t j = 0; j < classes; ++j) {
            dot += g[j] * w[j];
            dw[j] += fc * g[j];
        }
        df[c] = df_scale * dot;
    }
}

}  // namespace idlab::core
