// core.cnn: a ResNet-18-style image encoder on the CPU (float32, NCHW, im2col + OpenBLAS).
//
//     x [batch, C*H*W] (channel-major images)
//  -> stem: conv (3x3 stride 1, or 7x7 stride 2) -> BN -> ReLU [-> 3x3 stride-2 max pool]
//  -> stages i = 0..S-1: blocks[i] BasicBlocks of widths[i] channels, the first of every stage
//     after the first with stride 2
//  -> global average pooling -> widths.back() features
//  -> Linear(widths.back(), out_dim) with bias, or nothing when out_dim == widths.back()
//
// With stem_kernel = 7, max_pool = true and the default widths and blocks this is
// torchvision's resnet18 with conv1 = Conv2d(C, 64, 7, 2, 3) and fc = Identity, the paper's
// DisLib CNN. Parameter names follow torchvision's state_dict ("layer2.0.downsample.1.weight").
#pragma once

#include "basic_block.hpp"
#include "conv_bn.hpp"
#include "geometry.hpp"
#include "linear.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace idlab::cnn {

class Cnn : public idlab::Encoder {
public:
    static idlab::ComponentSpec spec();
    Cnn(const idlab::CreateContext& ctx, const idlab::Config& config);

    int64_t output_dim() const override { return out_dim_; }
    void forward(const idlab_exec_ctx_t& ctx, const DLTensor& x, DLTensor& features) override;
    void backward(const idlab_exec_ctx_t& ctx, const DLTensor& dfeatures, DLTensor* dx) override;

    // For tests. Checkpoints read the views: the parameters (idlab.parameters/1) and every batch
    // norm's running statistics, "<bn>.running_mean" / "<bn>.running_var" (idlab.state/1).
    const FeatureShape& input_shape() const { return input_; }
    const ConvBn& stem() const { return *stem_; }
    size_t block_count() const { return blocks_.size(); }
    const BasicBlock& block(size_t i) const { return blocks_[i]; }
    bool has_fc() const { return fc_.has_value(); }

    // The on/off state of every ReLU and the choice of every max-pool window in the last
    // training forward: two forwards with the same pattern lie on the same linear piece of the
    // network (up to batch norm, which is smooth), which gradient tests use to avoid kinks.
    std::vector<int32_t> activation_pattern() const;

private:
    // Exposes every parameter and running statistic as a view (raw pointers into the layers).
    void register_views();
    void register_conv_bn(ConvBn& unit);
    void ensure_workspace(int64_t batch);
    void ensure_train_capacity(int64_t batch);
    void ensure_eval_capacity(int64_t batch);
    void forward_train(const float* x, int64_t batch, float* features);
    void forward_eval(const float* x, int64_t batch, float* features);
    // The stem's output after the optional max pool, i.e. the first block's input (training).
    const float* stem_output() const;
    // Features [batch, widths.back()] -> the output (through fc_ when there is one).
    void head_forward(const float* pooled, int64_t batch, float* features) const;

    FeatureShape input_;
    int64_t out_dim_ = 0;
    std::optional<ConvBn> stem_;
    std::optional<Window> max_pool_;  // the stem's 3x3 stride-2 max pool when enabled
    std::vector<BasicBlock> blocks_;
    std::optional<Linear> fc_;        // absent when out_dim == widths.back()
    int64_t largest_map_ = 0;         // floats of the largest feature map of one sample
    int64_t min_bn_plane_ = 0;        // smallest H*W any batch norm sees (the last stage's)

    // Buffers grown to the largest batch seen, never inside a call at a size already seen.
    std::vector<float> workspace_;    // im2col columns and GEMM output of one sample group
    int64_t workspace_batch_ = 0;
    int64_t train_capacity_ = 0, eval_capacity_ = 0;
    int64_t cached_batch_ = 0;        // batch of the last training forward; 0: none
    std::vector<float> input_copy_;   // x of the last training forward
    std::vector<float> stem_h_, stem_a_, stem_pooled_;
    std::vector<int32_t> pool_argmax_;
    std::vector<float> pooled_;       // [batch, widths.back()] after global average pooling
    std::vector<float> grad_a_, grad_b_, scratch_;  // [batch, largest_map_] each
    std::vector<float> grad_pooled_;  // [batch, widths.back()]
    std::vector<float> eval_a_, eval_b_, eval_t1_, eval_t2_, eval_pooled_;
};

}  // namespace idlab::cnn
