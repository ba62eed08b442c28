// Row-major float32 building blocks of a Linear layer (PyTorch layout: weight [out, in]),
// all products through cblas_sgemm.
#pragma once

#include <cstdint>

namespace idlab::core {

// y[batch, out] = x[batch, in] * w[out, in]^T (overwrites y).
void linear_forward(const float* x, const float* w, int64_t batch, int64_t in, int64_t out,
                    float* y);

// dw[out, in] = dy[batch, out]^T * x[batch, in] (overwrites dw).
void linear_grad_weight(const float* dy, const float* x, int64_t batch, int64_t in, int64_t out,
                        float* dw);

// dx[batch, in] = dy[batch, out] * w[out, in] (overwrites dx).
void linear_grad_input(const float* dy, const float* w, int64_t batch, int64_t in, int64_t out,
                       float* dx);

// y[r, :] += bias for every row.
void add_bias_rows(float* y, const float* bias, int64_t batch, int64_t width);

// sums[c] = sum over rows of a[r, c] (overwrites sums); double accumulators in `scratch[width]`.
void column_sums(const float* a, int64_t batch, int64_t width, double* scratch, float* sums);

}  // namespace idlab::core
