// torch.nn.Linear (weight [out, in], bias [out]) on row-major float32 batches, through
// cblas_sgemm: the CNN's optional final layer from the pooled features to out_dim.
#pragma once

#include "weight_init.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::cnn {

class Linear {
public:
    Linear(int64_t in, int64_t out);

    // PyTorch's default: weight and bias ~ U(+-1/sqrt(in)), named `name`.weight, `name`.bias.
    void initialize(const InitKey& key, const std::string& name);

    int64_t in() const { return in_; }
    int64_t out() const { return out_; }

    // y [batch, out] = x [batch, in] * weight^T + bias.
    void forward(const float* x, int64_t batch, float* y) const;

    // From the forward input x and dy [batch, out]: overwrites grad_weight and grad_bias and
    // writes dx [batch, in].
    void backward(const float* x, const float* dy, int64_t batch, float* dx);

    std::vector<float> weight, grad_weight, bias, grad_bias;

private:
    int64_t in_, out_;
};

}  // namespace idlab::cnn
