// im2col and its adjoint col2im: unfold the patches a convolution reads into the columns of a
// matrix so that the convolution becomes one GEMM.
//
// For `count` consecutive samples x [count, C, H, W] and a window w, col has w.patch() rows
// (c, ki, kj) in that order, matching a weight [out_channels, C, k, k], and count * OH * OW
// columns (sample, out_row, out_col) in that order:
//     col[(c*k + ki)*k + kj][s*OH*OW + oy*OW + ox] = x[s][c][oy*stride - pad + ki][ox*stride - pad + kj]
// or 0 where that input position lies in the padding.
#pragma once

#include "geometry.hpp"

#include <cstdint>

namespace idlab::cnn {

void im2col(const Window& w, const float* x, int64_t count, float* col);

// Adds every column entry back onto the input position it was read from:
// dx [count, C, H, W] += fold(col). Padding entries are dropped.
void col2im_add(const Window& w, const float* col, int64_t count, float* dx);

}  // namespace idlab::cnn
