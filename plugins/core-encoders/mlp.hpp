// core.mlp: the paper's encoder, a PyTorch-equivalent MLP on the CPU (float32, OpenBLAS).
//     hidden block = Linear(bias) -> BatchNorm1d (optional) -> LeakyReLU(negative_slope)
//     output       = Linear(bias), optionally divided by its row L2 norm
//
// Threads: with CreateContext::threads() = T > 1 the instance keeps a team of T threads
// (idlab/thread_team.hpp) and cuts the batch into T parts of whole row blocks (kBlockRows):
// every member keeps its rows, in its own cache, from the first layer to the last and back. The
// products run as single-threaded sgemm on a part's rows; what batch norm needs of the whole
// batch comes from per-block sums (hidden_block.hpp), which every member combines alike; the
// weight gradient of each part, dh[rows]^T x[rows], is summed over the parts, in part order, at
// the end. So a layer costs one phase forward and one backward. The block sums do not depend on
// T; the products do, as T changes the rows per sgemm call and splits the weight gradient's sum
// over the batch (see docs/architecture.md, "Threads").
#pragma once

#include "hidden_block.hpp"

#include <idlab/plugin.hpp>
#include <idlab/thread_team.hpp>

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
        // per row block, [blocks, out]: the column sums of dL/dh (the bias gradient's parts)
        std::vector<float> bias_sums;
        // with a team: each part's weight gradient, [T, out, in]
        std::vector<float> weight_parts;
    };

    void init_layer(Layer& layer, int64_t in, int64_t out, bool with_bn, uint64_t seed,
                    const std::string& stage, const std::string& name);
    void register_layer(Layer& layer, const std::string& name, const std::string& bn_name);
    void ensure_train_capacity(int64_t batch);
    void ensure_eval_capacity(int64_t batch);
    // A team member's share of a pass; see the comment at the top.
    void forward_train(idlab::TeamMember& me, const float* x, int64_t batch, float* features);
    void forward_eval(idlab::TeamMember& me, const float* x, int64_t batch, float* features);
    void backward(idlab::TeamMember& me, const float* dfeatures, int64_t batch, float* dx);
    // After dL/da of hidden layer k is in g for the blocks `blocks`: the per-row work that can
    // start at once (batch norm's block sums, or without batch norm dL/dh itself).
    void start_backward(size_t k, float* g, Span blocks, int64_t batch);
    void finish_output(float* y, Span rows, float* norms);
    // The rows of part `part` of a batch: whole row blocks, split evenly over the team.
    Span part_blocks(int64_t batch, int64_t part) const;
    Span part_rows(int64_t batch, int64_t part) const;
    ChannelScratch scratch(unsigned member);
    static BatchNormCache cache_of(Layer& l);

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
    std::vector<double> acc0_, acc1_;     // per-channel scratch, max_width per team member
    std::vector<float> f0_, f1_, f2_, f3_;
    // per row block, for two layers in turn: batch norm's moments (forward) and gradient sums
    std::vector<float> moments_[2], grad_sums_[2];

    idlab::ThreadTeam team_;
};

}  // namespace idlab::core
