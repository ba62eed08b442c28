// core.mlp: the paper's encoder, a PyTorch-equivalent MLP on the CPU (float32, OpenBLAS).
//     hidden block = Linear(bias) -> BatchNorm1d (optional) -> LeakyReLU(negative_slope)
//     output       = Linear(bias), optionally divided by its row L2 norm
#pragma once

#include "hidden_block.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::core {

class Mlp : public idlab::Encoder {
public:
    static idlab::ComponentSpec spec();
    Mlp(const idlab::CreateContext& ctx, const idlab::Config& config);

    int64_t output_dim() const override { return out_dim_; }
    void forward(const idlab_exec_ctx_t& ctx, const DLTensor& x, DLTensor& features) override;
    void backward(const idlab_exec_ctx_t& ctx, const DLTensor& dfeatures, DLTensor* dx) override;

    // Running statistics of hidden layer `i`, empty without BN (for tests). Everything a later
    // forward depends on is exposed as a view: the parameters through idlab.parameters/1, the
    // running statistics as state "bn<i>.running_mean" / "bn<i>.running_var" (idlab.state/1).
    const std::vector<float>& running_mean(size_t i) const { return layers_[i].running_mean; }
    const std::vector<float>& running_var(size_t i) const { return layers_[i].running_var; }
    size_t hidden_count() const { return layers_.size(); }

private:
    // One Linear layer (hidden or output) with its optional batch norm and its activations.
    struct Layer {
        int64_t in = 0, out = 0;
        std::vector<float> weight, bias, grad_weight, grad_bias;
        // batch norm (hidden layers with batch_norm = true)
        std::vector<float> gamma, beta, grad_gamma, grad_beta, running_mean, running_var;
        // per-channel values of the last training forward (see BatchNormCache)
        std::vector<float> batch_mean, invstd, scale, shift;
        // training caches, [capacity, out]: the GEMM output before batch norm (with batch norm
        // only) and the block output
        std::vector<float> pre, act;
    };

    void init_layer(Layer& layer, int64_t in, int64_t out, bool with_bn, uint64_t seed,
                    const std::string& stage, const std::string& name);
    void register_layer(Layer& layer, const std::string& name, const std::string& bn_name);
    void ensure_train_capacity(int64_t batch);
    void ensure_eval_capacity(int64_t batch);
    void forward_train(const float* x, int64_t batch, float* features);
    void forward_eval(const float* x, int64_t batch, float* features);
    void finish_output(float* y, int64_t batch, float* norms);
    ChannelScratch scratch();

    int64_t in_dim_ = 0, out_dim_ = 0, max_width_ = 0;
    bool batch_norm_ = true, normalize_output_ = false;
    float slope_ = 0.01f, momentum_ = 0.1f, eps_ = 1e-5f;

    std::vector<Layer> layers_;  // hidden layers
    Layer output_;

    // Buffers sized on first use and grown with the batch, never inside a same-size call.
    int64_t train_capacity_ = 0, eval_capacity_ = 0;
    int64_t cached_batch_ = 0;            // batch of the last training forward (0: none)
    std::vector<float> input_;            // copy of x from the last training forward
    std::vector<float> out_pre_;          // output layer before normalisation (normalize_output)
    std::vector<float> out_norm_;         // row norms when normalize_output
    std::vector<float> grad_a_, grad_b_;  // ping-pong gradient buffers [capacity, max_width]
    std::vector<float> eval_a_, eval_b_;  // ping-pong eval activations
    std::vector<double> acc0_, acc1_;     // per-channel scratch
    std::vector<float> f0_, f1_, f2_, f3_;
};

}  // namespace idlab::core
