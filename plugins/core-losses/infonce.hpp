// core.infonce: the contrastive loss of Zimmermann et al. 2021 ("Contrastive Learning Inverts
// the Data Generating Process", brendel-group/cl-ica main_mlp.py), on positive pairs.
//
// The loss reads two views, x and x_pos; the host encodes both and stacks them, so features has
// 2B rows: h_i = f(x_i) in rows [0, B), p_i = f(x_pos_i) in rows [B, 2B). The negatives of
// anchor i are all anchors h_k of the batch, k = 1..B, h_i itself included (cl-ica's negatives
// are the batch rolled by one place, a permutation of it). With the temperature tau:
//
//   form = "distance" (cl-ica --p 2, the default):
//     loss_i = |h_i - p_i|^2 / tau
//              + log( sum_k exp(-|h_i - h_k|^2 / tau) + exp(-|h_i - p_i|^2 / tau) )
//   form = "dot" (cl-ica --p 0, SimCLR; meant for unit-norm features, e.g. an encoder with
//   normalize_output = true; the loss itself does not normalise):
//     loss_i = -<h_i, p_i> / tau + log( sum_k exp(<h_i, h_k> / tau) + exp(<h_i, p_i> / tau) )
//
//   loss = (1/B) sum_i loss_i
//
// i.e. a cross-entropy over B + 1 logits per anchor whose target is the positive. Gradients
// reach every row: h_i as anchor and as a negative of the others, p_i through its pair.
#pragma once

#include <idlab/plugin.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::core {

class InfoNce final : public idlab::Loss {
public:
    enum class Form { distance, dot };

    static idlab::ComponentSpec spec();
    InfoNce(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<std::string>& inputs() const override { return inputs_; }
    const std::vector<std::string>& views() const override { return views_; }
    double forward(const idlab_exec_ctx_t& ctx, const DLTensor& features,
                   const idlab::TensorSet& inputs, DLTensor* dfeatures) override;

    Form form() const { return form_; }
    float temperature() const { return temperature_; }
    // The logits are made about kBlockFloats at a time, a block of anchors by B + 1 columns,
    // so that a block stays in the L2 cache through the softmax and the two gradient GEMMs and
    // a large batch never needs a B x B matrix (cl-ica's batch of 6144 would take 150 MB).
    // set_block_rows fixes the anchors per block instead (tests use it to cover several blocks
    // on small batches); 0 restores the automatic size.
    static constexpr int64_t kBlockFloats = int64_t{1} << 18;  // 1 MiB
    void set_block_rows(int64_t rows) { fixed_block_rows_ = rows; }

private:
    void ensure_capacity(int64_t batch);
    int64_t block_rows(int64_t batch) const;

    Form form_ = Form::distance;
    float temperature_ = 1.0f;
    int64_t dim_ = 0;

    // Sized for the largest batch seen, never inside a same-size call.
    int64_t fixed_block_rows_ = 0;
    std::vector<float> logits_;       // [block_rows, B + 1]: logits, then dL/dlogits
    std::vector<float> sq_norms_;     // [B] |h_k|^2 (distance form)
    std::vector<float> column_sums_;  // [B] sum_i dL/dlogit_ik (distance form)

    std::vector<std::string> inputs_;
    std::vector<std::string> views_{"x", "x_pos"};
};

}  // namespace idlab::core
