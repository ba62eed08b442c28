// Comparing the CUDA path's numbers with the CPU's: the largest difference relative to the
// largest magnitude of the reference, so that a tolerance reads as "this many digits".
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace idlab::cuda_test {

template <class A, class B>
double relative_error(const A* got, const B* want, size_t n) {
    double diff = 0.0, scale = 0.0;
    for (size_t i = 0; i < n; ++i) {
        const double g = static_cast<double>(got[i]), w = static_cast<double>(want[i]);
        if (!std::isfinite(g) || !std::isfinite(w)) return INFINITY;
        diff = std::max(diff, std::abs(g - w));
        scale = std::max(scale, std::abs(w));
    }
    return diff / std::max(scale, 1e-30);
}

template <class A, class B>
double relative_error(const std::vector<A>& got, const std::vector<B>& want) {
    return got.size() == want.size() ? relative_error(got.data(), want.data(), got.size()) : INFINITY;
}

inline std::vector<float> normal_floats(size_t n, unsigned seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> v(n);
    for (float& x : v) x = normal(rng);
    return v;
}

}  // namespace idlab::cuda_test
