#include "conv2d.hpp"

#include "im2col.hpp"

#include <cblas.h>

#include <algorithm>

namespace idlab::cnn {

namespace {
// Below this many columns OpenBLAS's SGEMM runs far from its peak.
constexpr int64_t kGemmColumns = 256;
}  // namespace

Conv2d::Conv2d(const Window& window, bool with_bias) : window_(window) {
    const int64_t weights = window.out.channels * window.patch();
    weight.assign(weights, 0.0f);
    grad_weight.assign(weights, 0.0f);
    if (with_bias) {
        bias.assign(window.out.channels, 0.0f);
        grad_bias.assign(window.out.channels, 0.0f);
    }
}

void Conv2d::initialize(const InitKey& key, const std::string& name) {
    kaiming_normal_fan_out(weight, window_.out.channels * window_.kernel * window_.kernel, key,
                           name + ".weight");
    if (has_bias()) uniform_fan_in(bias, window_.patch(), key, name + ".bias");
}

int64_t Conv2d::samples_per_gemm(int64_t batch) const {
    const int64_t plane = window_.out.plane();
    return std::max<int64_t>(1, std::min(batch, (kGemmColumns + plane - 1) / plane));
}

int64_t Conv2d::workspace_floats(int64_t batch) const {
    const int64_t columns = samples_per_gemm(batch) * window_.out.plane();
    return (window_.patch() + window_.out.channels) * columns;
}

void Conv2d::forward(const float* x, int64_t batch, float* y, float* workspace) const {
    const int64_t group = samples_per_gemm(batch);
    const int64_t patch = window_.patch(), out_channels = window_.out.channels;
    const int64_t plane = window_.out.plane();
    float* col = workspace;
    float* gathered = workspace + patch * group * plane;
    for (int64_t first = 0; first < batch; first += group) {
        const int64_t count = std::min(group, batch - first);
        const int64_t columns = count * plane;
        float* y_first = y + first * window_.out.size();
        float* product = count == 1 ? y_first : gathered;
        im2col(window_, x + first * window_.in.size(), count, col);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(out_channels),
                    static_cast<int>(columns), static_cast<int>(patch), 1.0f, weight.data(),
                    static_cast<int>(patch), col, static_cast<int>(columns), 0.0f, product,
                    static_cast<int>(columns));
        if (count == 1) continue;
        // product [out_channels, count, plane] -> y [count, out_channels, plane]
        for (int64_t s = 0; s < count; ++s)
            for (int64_t c = 0; c < out_channels; ++c) {
                const float* src = product + c * columns + s * plane;
                std::copy(src, src + plane, y_first + (s * out_channels + c) * plane);
            }
    }
    if (!has_bias()) return;
    for (int64_t n = 0; n < batch; ++n)
        for (int64_t c = 0; c < out_channels; ++c) {
            float* p = y + (n * out_channels + c) * plane;
            for (int64_t i = 0; i < plane; ++i) p[i] += bias[c];
        }
}

void Conv2d::backward(const float* x, const float* dy, int64_t batch, float* dx, bool add_to_dx,
                      float* workspace) {
    const int64_t group = samples_per_gemm(batch);
    const int64_t patch = window_.patch(), out_channels = window_.out.channels;
    const int64_t plane = window_.out.plane();
    float* col = workspace;
    float* gathered = workspace + patch * group * plane;
    for (int64_t first = 0; first < batch; first += group) {
        const int64_t count = std::min(group, batch - first);
        const int64_t columns = count * plane;
        // dy of the group as a matrix [out_channels, count * plane].
        const float* dy_first = dy + first * window_.out.size();
        const float* dy_matrix = dy_first;
        if (count > 1) {
            for (int64_t s = 0; s < count; ++s)
                for (int64_t c = 0; c < out_channels; ++c) {
                    const float* src = dy_first + (s * out_channels + c) * plane;
                    std::copy(src, src + plane, gathered + c * columns + s * plane);
                }
            dy_matrix = gathered;
        }
        // grad_weight (+)= dy_matrix * col^T, summed over the groups.
        im2col(window_, x + first * window_.in.size(), count, col);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(out_channels),
                    static_cast<int>(patch), static_cast<int>(columns), 1.0f, dy_matrix,
                    static_cast<int>(columns), col, static_cast<int>(columns),
                    first == 0 ? 0.0f : 1.0f, grad_weight.data(), static_cast<int>(patch));
        if (!dx) continue;
        // dcol = weight^T * dy_matrix (reusing col), folded back onto dx.
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(patch),
                    static_cast<int>(columns), static_cast<int>(out_channels), 1.0f,
                    weight.data(), static_cast<int>(patch), dy_matrix, static_cast<int>(columns),
                    0.0f, col, static_cast<int>(columns));
        float* dx_first = dx + first * window_.in.size();
        if (!add_to_dx) std::fill(dx_first, dx_first + count * window_.in.size(), 0.0f);
        col2im_add(window_, col, count, dx_first);
    }
    if (!has_bias()) return;
    for (int64_t c = 0; c < out_channels; ++c) {
        double sum = 0.0;
        for (int64_t n = 0; n < batch; ++n) {
            const float* p = dy + (n * out_channels + c) * plane;
            for (int64_t i = 0; i < plane; ++i) sum += p[i];
        }
        grad_bias[c] = static_cast<float>(sum);
    }
}

}  // namespace idlab::cnn
