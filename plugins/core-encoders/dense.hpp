// Row-major float32 building blocks of a Linear layer (PyTorch layout: weight [out, in]), all
// products through cblas_sgemm. Each works on a range of rows of the batch (an idlab::Span), so
// that the members of a thread team can each take some rows; the whole batch gives the plain
// layer.
#pragma once

#include <idlab/thread_team.hpp>

#include <cstdint>

namespace idlab::core {

// y[rows, :] = x[rows, :] * w^T (overwrites); x [batch, in], w [out, in], y [batch, out].
void linear_forward(const float* x, const float* w, int64_t in, int64_t out, Span rows, float* y);

// dw = dy[rows, :]^T * x[rows, :] (overwrites): the weight gradient of the rows `rows`;
// dy [batch, out], x [batch, in], dw [out, in].
void linear_grad_weight(const float* dy, const float* x, int64_t in, int64_t out, Span rows,
                        float* dw);

// dx[rows, :] = dy[rows, :] * w (overwrites); dy [batch, out], dx [batch, in].
void linear_grad_input(const float* dy, const float* w, int64_t in, int64_t out, Span rows,
                       float* dx);

// y[r, :] += bias for the rows `rows` of y [batch, width].
void add_bias_rows(float* y, const float* bias, int64_t width, Span rows);


}  // namespace idlab::core
