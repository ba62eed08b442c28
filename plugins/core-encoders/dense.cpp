#include "dense.hpp"

#include <cblas.h>

namespace idlab::core {

namespace {
int as_int(int64_t v) { return static_cast<int>(v); }
}  // namespace

void linear_forward(const float* x, const float* w, int64_t in, int64_t out, Span rows, float* y) {
    if (rows.empty()) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, as_int(rows.size()), as_int(out),
                as_int(in), 1.0f, x + rows.begin * in, as_int(in), w, as_int(in), 0.0f,
                y + rows.begin * out, as_int(out));
}

void linear_grad_weight(const float* dy, const float* x, int64_t in, int64_t out, Span rows,
                        float* dw) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, as_int(out), as_int(in),
                as_int(rows.size()), 1.0f, dy + rows.begin * out, as_int(out),
                x + rows.begin * in, as_int(in), 0.0f, dw, as_int(in));
}

void linear_grad_input(const float* dy, const float* w, int64_t in, int64_t out, Span rows,
                       float* dx) {
    if (rows.empty()) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, as_int(rows.size()), as_int(in),
                as_int(out), 1.0f, dy + rows.begin * out, as_int(out), w, as_int(in), 0.0f,
                dx + rows.begin * in, as_int(in));
}

void add_bias_rows(float* y, const float* bias, int64_t width, Span rows) {
    for (int64_t r = rows.begin; r < rows.end; ++r) {
        float* row = y + r * width;
        for (int64_t c = 0; c < width; ++c) row[c] += bias[c];
    }
}

}  // namespace idlab::core
