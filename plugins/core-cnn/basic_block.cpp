#include "basic_block.hpp"

#include "relu.hpp"

#include <algorithm>

namespace idlab::cnn {

namespace {
bool needs_downsample(const FeatureShape& in, int64_t out_channels, int64_t stride) {
    return stride != 1 || in.channels != out_channels;
}
}  // namespace

BasicBlock::BasicBlock(const FeatureShape& in, int64_t out_channels, int64_t stride,
                       const NormSettings& norm, const std::string& name)
    : conv1(Window::make(in, out_channels, 3, stride, 1), norm, name + ".conv1", name + ".bn1"),
      conv2(Window::make(conv1.out_shape(), out_channels, 3, 1, 1), norm, name + ".conv2",
            name + ".bn2") {
    if (needs_downsample(in, out_channels, stride))
        downsample.emplace(Window::make(in, out_channels, 1, stride, 0), norm,
                           name + ".downsample.0", name + ".downsample.1");
}

void BasicBlock::initialize(const InitKey& key) {
    conv1.initialize(key);
    conv2.initialize(key);
    if (downsample) downsample->initialize(key);
}

int64_t BasicBlock::workspace_floats(int64_t batch) const {
    int64_t floats = std::max(conv1.conv.workspace_floats(batch), conv2.conv.workspace_floats(batch));
    if (downsample) floats = std::max(floats, downsample->conv.workspace_floats(batch));
    return floats;
}

void BasicBlock::reserve_training(int64_t batch) {
    const size_t n = static_cast<size_t>(batch * out_shape().size());
    if (out_.size() >= n) return;
    a1_.resize(n);
    out_.resize(n);
    if (conv1.has_batch_norm()) {
        h1_.resize(n);
        h2_.resize(n);
        if (downsample) hs_.resize(n);
    }
}

void BasicBlock::forward_train(const float* x, int64_t batch, float* scratch, float* workspace) {
    const int64_t n = batch * out_shape().size();
    conv1.forward_train(x, batch, h1_.data(), a1_.data(), workspace);
    relu_in_place(a1_.data(), n);
    conv2.forward_train(a1_.data(), batch, h2_.data(), out_.data(), workspace);
    const float* shortcut = x;
    if (downsample) {
        downsample->forward_train(x, batch, hs_.data(), scratch, workspace);
        shortcut = scratch;
    }
    float* out = out_.data();
    for (int64_t i = 0; i < n; ++i) out[i] += shortcut[i];
    relu_in_place(out, n);
}

void BasicBlock::forward_eval(const float* x, int64_t batch, float* out, float* t1, float* t2,
                              float* workspace) const {
    const int64_t n = batch * out_shape().size();
    conv1.forward_eval(x, batch, t1, workspace);
    relu_in_place(t1, n);
    conv2.forward_eval(t1, batch, out, workspace);
    const float* shortcut = x;
    if (downsample) {
        downsample->forward_eval(x, batch, t2, workspace);
        shortcut = t2;
    }
    for (int64_t i = 0; i < n; ++i) out[i] += shortcut[i];
    relu_in_place(out, n);
}

void BasicBlock::backward(const float* x, float* g_out, int64_t batch, float* g_in,
                          float* scratch, float* workspace) {
    const int64_t n = batch * out_shape().size();
    relu_backward(g_out, out_.data(), n);
    // The shortcut first: both branches read g_out, and the main branch overwrites it.
    if (downsample) {
        std::copy(g_out, g_out + n, scratch);
        downsample->backward(x, hs_.data(), scratch, batch, g_in, false, workspace);
    } else {
        std::copy(g_out, g_out + n, g_in);
    }
    float* g_a1 = scratch;
    conv2.backward(a1_.data(), h2_.data(), g_out, batch, g_a1, false, workspace);
    relu_backward(g_a1, a1_.data(), n);
    conv1.backward(x, h1_.data(), g_a1, batch, g_in, true, workspace);
}

void BasicBlock::append_relu_pattern(int64_t batch, std::vector<int32_t>& pattern) const {
    const int64_t n = batch * out_shape().size();
    for (int64_t i = 0; i < n; ++i) pattern.push_back(a1_[i] > 0.0f ? 1 : 0);
    for (int64_t i = 0; i < n; ++i) pattern.push_back(out_[i] > 0.0f ? 1 : 0);
}

}  // namespace idlab::cnn
