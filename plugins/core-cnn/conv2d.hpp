// A 2-D convolution (torch.nn.Conv2d with a square kernel, no dilation or groups) on NCHW
// float32 batches, computed as im2col + one cblas_sgemm per group of samples.
//
// Samples are processed in groups so that each GEMM has at least about 256 columns even when
// the feature maps are small (late ResNet stages); the GEMM output [out_channels, group * OH*OW]
// is then copied into NCHW order. A group of one sample writes straight into the output.
#pragma once

#include "geometry.hpp"
#include "weight_init.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::cnn {

class Conv2d {
public:
    Conv2d(const Window& window, bool with_bias);

    // torchvision's ResNet initialisation: Kaiming normal (fan_out) weights; the bias, if any,
    // PyTorch's default U(+-1/sqrt(fan_in)). Tensors are named `name`.weight and `name`.bias.
    void initialize(const InitKey& key, const std::string& name);

    const Window& window() const { return window_; }
    bool has_bias() const { return !bias.empty(); }

    // Floats of scratch that forward() and backward() need for `batch` samples.
    int64_t workspace_floats(int64_t batch) const;

    // y [batch, out] = conv(x [batch, in]) (+ bias).
    void forward(const float* x, int64_t batch, float* y, float* workspace) const;

    // From the forward input x and dy = dL/dy: overwrites grad_weight (and grad_bias). When dx
    // is not null, writes dL/dx into it, or adds dL/dx to it when add_to_dx.
    void backward(const float* x, const float* dy, int64_t batch, float* dx, bool add_to_dx,
                  float* workspace);

    std::vector<float> weight, grad_weight;  // [out_channels, in_channels, kernel, kernel]
    std::vector<float> bias, grad_bias;      // [out_channels]; empty without bias

private:
    int64_t samples_per_gemm(int64_t batch) const;

    Window window_;
};

}  // namespace idlab::cnn
