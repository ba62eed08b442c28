// Reading a metric's input tensors: float32 views become float64 copies (metrics compute in
// double precision), and a non-finite value becomes a numeric error instead of a NaN score.
#pragma once

#include <idlab/plugin.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::core {

// require_tensor for a compact 2-D tensor of either float type, f32 or f64 (constants such as
// "data.cluster_vectors" are exposed in double precision). rows/cols < 0 accept any extent.
void require_float_matrix(const DLTensor& t, const std::string& name, int64_t rows, int64_t cols);

// Copies every element of a compact f32 or f64 tensor (shape already checked by the caller)
// into `out`, reusing its storage. Throws IDLAB_STATUS_NUMERIC_ERROR "<metric>: <name> contains a
// non-finite value" when one is not finite.
void copy_finite(const DLTensor& t, const std::string& metric, const std::string& name,
                 std::vector<double>& out);

// The value of an f64 [1] tensor that must be positive and finite (a concentration such as
// "data.kappa"); any other shape, dtype or value is an argument error naming `name`.
double positive_scalar(const DLTensor& t, const std::string& metric, const std::string& name);

}  // namespace idlab::core
