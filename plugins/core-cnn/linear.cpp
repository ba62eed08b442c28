#include "linear.hpp"

#include <cblas.h>

namespace idlab::cnn {

Linear::Linear(int64_t in, int64_t out) : in_(in), out_(out) {
    weight.assign(out * in, 0.0f);
    grad_weight.assign(out * in, 0.0f);
    bias.assign(out, 0.0f);
    grad_bias.assign(out, 0.0f);
}

void Linear::initialize(const InitKey& key, const std::string& name) {
    uniform_fan_in(weight, in_, key, name + ".weight");
    uniform_fan_in(bias, in_, key, name + ".bias");
}

void Linear::forward(const float* x, int64_t batch, float* y) const {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(batch),
                static_cast<int>(out_), static_cast<int>(in_), 1.0f, x, static_cast<int>(in_),
                weight.data(), static_cast<int>(in_), 0.0f, y, static_cast<int>(out_));
    for (int64_t r = 0; r < batch; ++r)
        for (int64_t o = 0; o < out_; ++o) y[r * out_ + o] += bias[o];
}

void Linear::backward(const float* x, const float* dy, int64_t batch, float* dx) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(out_),
                static_cast<int>(in_), static_cast<int>(batch), 1.0f, dy, static_cast<int>(out_),
                x, static_cast<int>(in_), 0.0f, grad_weight.data(), static_cast<int>(in_));
    for (int64_t o = 0; o < out_; ++o) {
        double sum = 0.0;
        for (int64_t r = 0; r < batch; ++r) sum += dy[r * out_ + o];
        grad_bias[o] = static_cast<float>(sum);
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(batch),
                static_cast<int>(in_), static_cast<int>(out_), 1.0f, dy, static_cast<int>(out_),
                weight.data(), static_cast<int>(in_), 0.0f, dx, static_cast<int>(in_));
}

}  // namespace idlab::cnn
