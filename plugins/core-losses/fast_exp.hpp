// exp(x) for float32 written as plain arithmetic, so that a loop calling it compiles to SIMD
// code (std::exp is a library call the compiler cannot vectorise). The softmax kernels spend
// most of their time here.
//
// Method: x = n ln 2 + r with n = round(x / ln 2) and |r| <= ln 2 / 2 (ln 2 split into a short
// high part, so n * high is exact, and a low correction: Cody and Waite's reduction), e^r from
// its Taylor series up to r^7 (truncation error below 6e-9 relative, a tenth of a float ulp),
// then 2^n built in the exponent bits. 2^n is applied as two factors 2^(n/2) 2^(n - n/2) so that
// results down to the subnormal range and up to FLT_MAX come out right without a branch.
//
// Accuracy: within about 1.5 ulp of the correctly rounded result for x in [-87.3, 88.7]
// (checked against double exp in tests/core-losses/test_fast_exp.cpp); subnormal results are
// close to std::exp in absolute terms; x > 88.73 gives +inf, x < -104 gives 0, NaN gives NaN.
//
// A loop over it vectorises only when compiled with -fno-trapping-math (plugins/core-losses
// sets it): the clamps are comparisons, and otherwise GCC keeps them as branches (a comparison
// may raise an FP exception) and leaves the loop scalar. The values are the same either way;
// nothing in idlab reads the FP exception flags.
#pragma once

#include <cstdint>
#include <cstring>

namespace idlab::core {

namespace fast_exp_detail {
// 2^k for an integer k in [-126, 127], from its exponent bits.
inline float power_of_two(int32_t k) {
    const int32_t bits = (k + 127) << 23;
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}
}  // namespace fast_exp_detail

inline float fast_exp(float x) {
    constexpr float kLog2e = 1.44269504088896341f;
    constexpr float kLn2High = 0.693359375f;               // 355 / 512: n * kLn2High is exact
    constexpr float kLn2Low = -2.12194440054690583e-4f;    // ln 2 - kLn2High
    constexpr float kRoundingShift = 12582912.0f;          // 1.5 * 2^23: (t + it) - it rounds t
    // Beyond these e^x is 0 or +inf in float anyway; clamping keeps n within the bit tricks.
    // A NaN becomes the lower bound here (no integer conversion of a NaN) and is restored below.
    float clamped = x > -104.0f ? x : -104.0f;
    clamped = clamped < 89.0f ? clamped : 89.0f;

    const float n = (clamped * kLog2e + kRoundingShift) - kRoundingShift;
    float r = clamped - n * kLn2High;
    r = r - n * kLn2Low;

    // Taylor series of e^r to r^7, Horner form.
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;

    const int32_t k = static_cast<int32_t>(n);  // in [-150, 128]
    const int32_t k_half = k >> 1;
    const float result = p * fast_exp_detail::power_of_two(k_half) *
                         fast_exp_detail::power_of_two(k - k_half);
    return x == x ? result : x;
}

}  // namespace idlab::core
