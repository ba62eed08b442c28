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

// The group kernels repeat the expressions of the single-sample ones row by row (the same
// products, added in the same order), so a row does not depend on whether it went through a
// group or alone.
static_assert(kNarrowHeadGroup == 4, "the group kernels below are written out for 4 samples");

IDLAB_VECTOR_CLONES
void narrow_head_scores_group(const float* wt, int64_t classes, int64_t dim, const float* f,
                              float* scores, int64_t stride) {
    float* s0 = scores;
    float* s1 = s0 + stride;
    float* s2 = s1 + stride;
    float* s3 = s2 + stride;
    const float* f0 = f;
    const float* f1 = f0 + dim;
    const float* f2 = f1 + dim;
    const float* f3 = f2 + dim;
    int64_t c = 0;
    if (dim % 2 == 1) {
        const float a0 = f0[0], a1 = f1[0], a2 = f2[0], a3 = f3[0];
#pragma omp simd
        for (int64_t j = 0; j < classes; ++j) {
            const float w = wt[j];
            s0[j] = a0 * w;
            s1[j] = a1 * w;
            s2[j] = a2 * w;
            s3[j] = a3 * w;
        }
        c = 1;
    } else {
#pragma omp simd
        for (int64_t j = 0; j < classes; ++j) s0[j] = s1[j] = s2[j] = s3[j] = 0.0f;
    }
    for (; c < dim; c += 2) {
        const float a0 = f0[c], b0 = f0[c + 1], a1 = f1[c], b1 = f1[c + 1];
        const float a2 = f2[c], b2 = f2[c + 1], a3 = f3[c], b3 = f3[c + 1];
        const float* w0 = wt + c * classes;
        const float* w1 = w0 + classes;
#pragma omp simd
        for (int64_t j = 0; j < classes; ++j) {
            const float u = w0[j], v = w1[j];
            s0[j] += a0 * u + b0 * v;
            s1[j] += a1 * u + b1 * v;
            s2[j] += a2 * u + b2 * v;
            s3[j] += a3 * u + b3 * v;
        }
    }
}

IDLAB_VECTOR_CLONES
void narrow_head_backward_group(const float* wt, int64_t classes, int64_t dim, const float* f,
                                const float* g, int64_t stride, float df_scale, float* dwt,
                                float* df) {
    const float* g0 = g;
    const float* g1 = g0 + stride;
    const float* g2 = g1 + stride;
    const float* g3 = g2 + stride;
    const float* f0 = f;
    const float* f1 = f0 + dim;
    const float* f2 = f1 + dim;
    const float* f3 = f2 + dim;
    int64_t c = 0;
    for (; c + 1 < dim; c += 2) {
        const float a0 = f0[c], b0 = f0[c + 1], a1 = f1[c], b1 = f1[c + 1];
        const float a2 = f2[c], b2 = f2[c + 1], a3 = f3[c], b3 = f3[c + 1];
        const float* w0 = wt + c * classes;
        const float* w1 = w0 + classes;
        float* dw0 = dwt + c * classes;
        float* dw1 = dw0 + classes;
        float p0 = 0.0f, q0 = 0.0f, p1 = 0.0f, q1 = 0.0f;  // sample r: p_r (dim c), q_r (c + 1)
        float p2 = 0.0f, q2 = 0.0f, p3 = 0.0f, q3 = 0.0f;
#pragma omp simd reduction(+ : p0, q0, p1, q1, p2, q2, p3, q3)
        for (int64_t j = 0; j < classes; ++j) {
            const float u = w0[j], v = w1[j];
            const float h0 = g0[j], h1 = g1[j], h2 = g2[j], h3 = g3[j];
            p0 += h0 * u;
            q0 += h0 * v;
            p1 += h1 * u;
            q1 += h1 * v;
            p2 += h2 * u;
            q2 += h2 * v;
            p3 += h3 * u;
            q3 += h3 * v;
            dw0[j] = dw0[j] + a0 * h0 + a1 * h1 + a2 * h2 + a3 * h3;
            dw1[j] = dw1[j] + b0 * h0 + b1 * h1 + b2 * h2 + b3 * h3;
        }
        df[c] = df_scale * p0;
        df[c + 1] = df_scale * q0;
        df[dim + c] = df_scale * p1;
        df[dim + c + 1] = df_scale * q1;
        df[2 * dim + c] = df_scale * p2;
        df[2 * dim + c + 1] = df_scale * q2;
        df[3 * dim + c] = df_scale * p3;
        df[3 * dim + c + 1] = df_scale * q3;
    }
    if (c < dim) {  // the last dimension of an odd dim
        const float a0 = f0[c], a1 = f1[c], a2 = f2[c], a3 = f3[c];
        const float* w = wt + c * classes;
        float* dw = dwt + c * classes;
        float p0 = 0.0f, p1 = 0.0f, p2 = 0.0f, p3 = 0.0f;
#pragma omp simd reduction(+ : p0, p1, p2, p3)
        for (int64_t j = 0; j < classes; ++j) {
            const float u = w[j];
            const float h0 = g0[j], h1 = g1[j], h2 = g2[j], h3 = g3[j];
            p0 += h0 * u;
            p1 += h1 * u;
            p2 += h2 * u;
            p3 += h3 * u;
            dw[j] = dw[j] + a0 * h0 + a1 * h1 + a2 * h2 + a3 * h3;
        }
        df[c] = df_scale * p0;
        df[dim + c] = df_scale * p1;
        df[2 * dim + c] = df_scale * p2;
        df[3 * dim + c] = df_scale * p3;
    }
}

}  // namespace idlab::core
