// ReLU and its backward pass on flat float32 arrays.
#pragma once

#include <cstdint>

namespace idlab::cnn {

inline void relu_in_place(float* a, int64_t n) {
    for (int64_t i = 0; i < n; ++i) a[i] = a[i] > 0.0f ? a[i] : 0.0f;
}

// g *= (a > 0), from the ReLU output a (as PyTorch's threshold_backward: 0 at the kink).
inline void relu_backward(float* g, const float* a, int64_t n) {
    for (int64_t i = 0; i < n; ++i) g[i] = a[i] > 0.0f ? g[i] : 0.0f;
}

}  // namespace idlab::cnn
