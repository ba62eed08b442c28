// torchvision's BasicBlock, the residual unit of ResNet-18:
//     out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
// conv1 is 3x3 with the block's stride, conv2 3x3 stride 1; the shortcut is x itself, or a
// 1x1 convolution with the block's stride followed by batch norm ("downsample") when the
// stride or the channel count changes.
#pragma once

#include "conv_bn.hpp"
#include "geometry.hpp"
#include "weight_init.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace idlab::cnn {

class BasicBlock {
public:
    // `name` prefixes the parameter names, e.g. "layer2.0" gives "layer2.0.conv1.weight".
    BasicBlock(const FeatureShape& in, int64_t out_channels, int64_t stride,
               const NormSettings& norm, const std::string& name);

    void initialize(const InitKey& key);
    const FeatureShape& in_shape() const { return conv1.conv.window().in; }
    const FeatureShape& out_shape() const { return conv2.out_shape(); }

    // Floats of convolution workspace the block needs for `batch` samples.
    int64_t workspace_floats(int64_t batch) const;

    // Grows the activations kept for backward to hold `batch` samples (never shrinks).
    void reserve_training(int64_t batch);

    // Training forward of x [batch, in_shape]; keeps what backward() needs, the result stays
    // in output(). scratch: batch * out_shape().size() floats.
    void forward_train(const float* x, int64_t batch, float* scratch, float* workspace);
    const float* output() const { return out_.data(); }

    // Evaluation: out, t1 and t2 hold batch * out_shape().size() floats each; none overlaps x.
    void forward_eval(const float* x, int64_t batch, float* out, float* t1, float* t2,
                      float* workspace) const;

    // Backward of the last forward_train() on x. g_out holds dL/d(output) and is overwritten;
    // writes dL/dx into g_in. scratch: batch * out_shape().size() floats.
    void backward(const float* x, float* g_out, int64_t batch, float* g_in, float* scratch,
                  float* workspace);

    // Appends the on/off state (1/0) of every ReLU of the last training forward.
    void append_relu_pattern(int64_t batch, std::vector<int32_t>& pattern) const;

    ConvBn conv1, conv2;
    std::optional<ConvBn> downsample;

private:
    // Kept from the training forward, each [batch, out_shape]: conv outputs before batch norm
    // (h*, with batch norm only), the inner activation and the block output.
    std::vector<float> h1_, a1_, h2_, hs_, out_;
};

}  // namespace idlab::cnn
