// Dividing the rows of a row-major float32 matrix by their L2 norms, and the backward pass of
// that division. Used for the head's rows (case C3) and for the features (cases C1/C2).
#pragma once

#include <cstdint>

namespace idlab::core {

// Smallest norm a row is divided by, as in torch.nn.functional.normalize: a zero row stays zero.
inline constexpr double kMinRowNorm = 1e-12;

// a[r, :] /= max(|a[r, :]|, kMinRowNorm) in place; writes the divisors to norms[r] when
// norms is not null.
void normalize_rows(float* a, int64_t rows, int64_t cols, float* norms);

// Given u = a / n (rows of unit vectors, n the divisors from normalize_rows) and g = dL/du,
// writes dL/da = (g - u (u . g)) / n row by row. grad_raw may not alias the inputs.
void unit_rows_backward(const float* unit, const float* norms, const float* grad_unit,
                        int64_t rows, int64_t cols, float* grad_raw);

}  // namespace idlab::core
