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
//
// Threads: with CreateContext::threads() = T > 1 the work is shared by a team of T threads
// (idlab/thread_team.hpp): the head (projection, transposition, dL/dW) by classes, the samples
// by rows. On the narrow path nothing depends on T: every sample's row is computed alone, the
// samples' parts of dL/dW are summed within a fixed number of row chunks (kHeadChunks, whatever
// T) and the chunk sums added in chunk order, the row losses summed in row order. So any T gives
// the same bits. The GEMM path splits its products, which OpenBLAS may round differently.
#pragma once

#include "narrow_head.hpp"

#include <idlab/plugin.hpp>
#include <idlab/thread_team.hpp>

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
    // A team member's share of forward() (see the comment at the top): features f [batch,
    // dim], and df = dL/dfeatures or null. Leaves the row losses in row_loss_ and, with df,
    // G^T f in head_grad_ (G = dL/dlogits, beta not applied) and beta G W (through the feature
    // normalisation, if any) in df.
    void forward_part(idlab::TeamMember& me, const float* f, const int64_t* targets,
                      int64_t batch, float* df);
    // The two ways to the scores, from the features the head sees (fh) to dL/d(fh) (dfh, null
    // without gradients) and on to df.
    void narrow_part(idlab::TeamMember& me, const float* fh, const int64_t* targets,
                     int64_t batch, float* dfh, float* df);
    void gemm_part(idlab::TeamMember& me, const float* fh, const int64_t* targets, int64_t batch,
                   float* dfh, float* df);
    // With normalize_features: dL/df for rows `rows` from dL/d(unit features).
    void features_backward(Span rows, float* df);

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
    std::vector<double> row_loss_;      // [batch]
    // The narrow path's buffers: W^T [dim, classes] and one row of scores [classes] per team
    // member (sized once), and G^T f transposed, [dim, classes], per row chunk.
    std::vector<float> head_t_, rows_, chunk_grad_t_;
    // Rows of the batch are summed into dL/dW in this many chunks (fewer for a smaller batch),
    // whatever the number of threads.
    static constexpr int64_t kHeadChunks = 16;
    static int64_t chunk_count(int64_t batch) { return batch < kHeadChunks ? batch : kHeadChunks; }

    idlab::ThreadTeam team_;

    std::vector<std::string> inputs_;
};

}  // namespace idlab::core
