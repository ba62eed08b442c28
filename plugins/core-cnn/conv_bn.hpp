// The unit every ResNet layer is made of: a convolution followed by BatchNorm2d (the
// convolution then has no bias, as in torchvision), or, with batch norm switched off, a
// convolution with a bias.
#pragma once

#include "batch_norm2d.hpp"
#include "conv2d.hpp"
#include "geometry.hpp"
#include "weight_init.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace idlab::cnn {

struct NormSettings {
    bool batch_norm = true;
    float momentum = 0.1f;
    float eps = 1e-5f;
};

class ConvBn {
public:
    // conv_name and bn_name name the parameters ("layer1.0.conv1", "layer1.0.bn1").
    ConvBn(const Window& window, const NormSettings& norm, std::string conv_name,
           std::string bn_name);

    void initialize(const InitKey& key) { conv.initialize(key, conv_name); }
    const FeatureShape& out_shape() const { return conv.window().out; }
    bool has_batch_norm() const { return bn.has_value(); }

    // Training: with batch norm, h = conv(x) (kept by the caller for backward()) and
    // y = bn(h) with batch statistics; without, y = conv(x) and h is not used (may be null).
    void forward_train(const float* x, int64_t batch, float* h, float* y, float* workspace);

    // Evaluation with the running statistics.
    void forward_eval(const float* x, int64_t batch, float* y, float* workspace) const;

    // g holds dL/dy on entry and is overwritten. x and h are those of forward_train(). Writes
    // dL/dx into dx (adds it when add_to_dx; skips it when dx is null) and overwrites the
    // parameter gradients.
    void backward(const float* x, const float* h, float* g, int64_t batch, float* dx,
                  bool add_to_dx, float* workspace);

    Conv2d conv;
    std::optional<BatchNorm2d> bn;
    std::string conv_name, bn_name;
};

}  // namespace idlab::cnn
