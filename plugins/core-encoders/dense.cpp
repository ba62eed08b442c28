#include "dense.hpp"

#include <cblas.h>

namespace idlab::core {

void linear_forward(const float* x, const float* w, int64_t batch, int64_t in, int64_t out,
                    float* y) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(batch),
                static_cast<int>(out), static_cast<int>(in), 1.0f, x, static_cast<int>(in), w,
                static_cast<int>(in), 0.0f, y, static_cast<int>(out));
}

void linear_grad_weight(const float* dy, const float* x, int64_t batch, int64_t in, int64_t out,
                        float* dw) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(out),
                static_cast<int>(in), static_cast<int>(batch), 1.0f, dy, static_cast<int>(out), x,
                static_cast<int>(in), 0.0f, dw, static_cast<int>(in));
}

void linear_grad_input(const float* dy, const float* w, int64_t batch, int64_t in, int64_t out,
                       float* dx) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(batch),
                static_cast<int>(in), static_cast<int>(out), 1.0f, dy, static_cast<int>(out), w,
                static_cast<int>(in), 0.0f, dx, static_cast<int>(in));
}

void add_bias_rows(float* y, const float* bias, int64_t batch, int64_t width) {
    for (int64_t r = 0; r < batch; ++r) {
        float* row = y + r * width;
        for (int64_t c = 0; c < width; ++c) row[c] += bias[c];
    }
}

void column_sums(const float* a, int64_t batch, int64_t width, double* scratch, float* sums) {
    for (int64_t c = 0; c < width; ++c) scratch[c] = 0.0;
    for (int64_t r = 0; r < batch; ++r) {
        const float* row = a + r * width;
        for (int64_t c = 0; c < width; ++c) scratch[c] += row[c];
    }
    for (int64_t c = 0; c < width; ++c) sums[c] = static_cast<float>(scratch[c]);
}

}  // namespace idlab::core
