// core.cross_entropy: the paper's loss. A bias-free linear head W [classes, dim] (the rows w_i)
// on the encoder's features, logits = beta * <w_i, f(x)>, mean cross-entropy over the batch
// (paper eq. 1; DIET with target = "index", supervised with target = "label").
//
// Options (the defaults give the plain loss of the reference code: beta = 1, nothing normalised):
//   normalize_rows      case C3: every row of W is projected to unit norm, in place, before
//                       each forward pass (see cross_entropy.cpp for why a projection).
//   normalize_features  cases C1/C2: the features are divided by their L2 norm before the head.
//   learn_temperature   beta becomes a trainable parameter "beta" (start: temperature_init).
//   label_smoothing     PyTorch's label smoothing: q = (1 - eps) onehot + eps / classes.
#pragma once

#include "narrow_head.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::core {

class CrossEntropy final : public idlab::Loss {
public:
    static idlab::ComponentSpec spec();
    CrossEntropy(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<std::string>& inputs() const override { return inputs_; }
    double forward(const idlab_exec_ctx_t& ctx, const DLTensor& features,
                   const idlab::TensorSet& inputs, DLTensor* dfeatures) override;

    // The head W, row-major [classes(), dim()] (row i = w_i), as the optimizer left it. With
    // normalize_rows the rows are unit vectors right after a forward pass; an optimizer step
    // moves them off the sphere until the next forward projects them back.
    const std::vector<float>& head_weight() const { return head_; }
    int64_t classes() const { return classes_; }
    int64_t dim() const { return dim_; }
    // The inverse temperature the logits are multiplied by (trained with learn_temperature).
    float beta() const { return beta_; }

private:
    void ensure_capacity(int64_t batch);
    void check_targets(const int64_t* targets, int64_t batch) const;
    // Narrow features (dim <= kNarrowHeadMaxDim, e.g. the paper's default of 5) run one sample
    // at a time through narrow_head.hpp; wider ones through three GEMMs over the whole batch.
    bool narrow() const { return dim_ <= kNarrowHeadMaxDim; }
    // Both return the summed row losses for features f [batch, dim]; when df is not null they
    // leave G^T f in head_grad_ (G = dL/dlogits, beta not applied) and write beta G W to df.
    double forward_narrow(const float* f, const int64_t* targets, int64_t batch, float* df);
    double forward_gemm(const float* f, const int64_t* targets, int64_t batch, float* df);

    std::string target_;  // the data field with the class of each sample
    int64_t classes_ = 0, dim_ = 0;
    bool normalize_rows_ = false, normalize_features_ = false, learn_temperature_ = false;
    float smoothing_ = 0.0f;

    std::vector<float> head_, head_grad_;  // W and dL/dW, [classes, dim]
    float beta_ = 1.0f, beta_grad_ = 0.0f;

    // Sized on first use and grown with the batch, never inside a same-size call.
    int64_t capacity_ = 0;
    std::vector<float> scores_;         // [batch, classes]: <w_i, f>, then dL/dlogits (GEMM path)
    std::vector<float> unit_features_;  // [batch, dim] with normalize_features
    std::vector<float> feature_norms_;  // [batch]
    std::vector<float> unit_grad_;      // [batch, dim]: dL/d(unit features)
    // The narrow path's buffers, sized once: W^T and G^T f transposed [dim, classes], and one
    // row of scores [classes].
    std::vector<float> head_t_, head_grad_t_, row_;

    std::vector<std::string> inputs_;
};

}  // namespace idlab::core
