#include "cross_entropy.hpp"

#include "narrow_head.hpp"
#include "softmax_cross_entropy.hpp"
#include "unit_rows.hpp"

#include <idlab/openblas_threads.hpp>
#include <idlab/seeded_uniform.hpp>

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>

// Row normalisation (case C3) is a projection, not a reparametrisation. The paper optimises over
// heads with unit rows (Thm. 1C) and does not say how the constraint is kept; the official code
// that produced its Table 2 rescales every row of W to unit norm in place, outside autograd,
// before each forward pass (reference-code.md §1.4, paper-spec.md §2.2 and §6.4). So the forward
// uses the projected W, dL/dW is the plain gradient at that W, and the optimizer state is left
// alone. A reparametrisation W = V / |V| would instead pass only the tangential part
// (I - w w^T) g / |v| to V: same constrained optimum, different trajectory. We follow the code,
// which is what the reproduced numbers depend on.

namespace idlab::core {

idlab::ComponentSpec CrossEntropy::spec() {
    using idlab::Param;
    idlab::ComponentSpec s;
    s.id = "core.cross_entropy";
    s.version = "1.0.0";
    s.summary = "cross-entropy over a bias-free linear head (DIET with target = \"index\")";
    s.doc =
        "logits = beta * features W^T with a learned head W [classes, dim] (no bias, PyTorch "
        "nn.Linear initialisation); mean cross-entropy over the batch. The number of classes is "
        "the cardinality of the target field. normalize_rows projects each row of W to unit "
        "norm before every forward pass (case C3); normalize_features divides the features by "
        "their L2 norm (cases C1/C2).";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        Param::string("target", "\"label\"",
                      "data field holding the class: \"label\" (supervised) or \"index\" (DIET)")
            .one_of("label|index"),
        Param::boolean("normalize_rows", "false",
                       "project every row of W to unit norm before each forward pass (case C3)"),
        Param::boolean("normalize_features", "false",
                       "divide the features by their L2 norm before the head (cases C1/C2)"),
        Param::boolean("learn_temperature", "false",
                       "train the inverse temperature beta that multiplies the logits"),
        Param::floating("temperature_init", "1.0",
                        "inverse temperature beta: its start value, or its fixed value when "
                        "learn_temperature = false")
            .above(0),
        Param::floating("label_smoothing", "0.0",
                        "PyTorch label smoothing: target = (1 - eps) onehot + eps / classes")
            .at_least(0)
            .below(1),
    };
    return s;
}

CrossEntropy::CrossEntropy(const idlab::CreateContext& ctx, const idlab::Config& config)
    : team_(ctx.threads()) {
    if (ctx.device().device_type != kDLCPU)
        throw idlab::Error(IDLAB_STATUS_UNSUPPORTED, "core.cross_entropy runs on the CPU only");
    dim_ = ctx.input_dim();
    if (dim_ < 1) idlab::argument_error("core.cross_entropy: the feature width must be at least 1");

    target_ = config.get_string("target");
    if (target_ != "label" && target_ != "index")
        idlab::config_error("target", "target must be \"label\" or \"index\", got \"" + target_ + "\"");
    const idlab_field_desc_t* field = ctx.find_field(target_);
    if (!field)
        idlab::config_error("target", "target = \"" + target_ + "\" needs the data field '" +
                                          target_ + "', but the data does not provide it");
    if (field->dtype != IDLAB_DTYPE_I64 || field->width != 0 || field->cardinality < 1)
        idlab::config_error("target", "the data field '" + target_ +
                                          "' is not categorical (one i64 class per sample with a "
                                          "cardinality), so it cannot be a classification target");
    classes_ = field->cardinality;
    inputs_ = {target_};

    normalize_rows_ = config.get_bool("normalize_rows");
    normalize_features_ = config.get_bool("normalize_features");
    learn_temperature_ = config.get_bool("learn_temperature");
    const double beta = config.get_float("temperature_init");
    if (!(beta > 0.0 && std::isfinite(beta)))
        idlab::config_error("temperature_init", "temperature_init must be a finite number > 0");
    beta_ = static_cast<float>(beta);
    const double smoothing = config.get_float("label_smoothing");
    if (!(smoothing >= 0.0 && smoothing < 1.0))
        idlab::config_error("label_smoothing", "label_smoothing must lie in [0, 1)");
    smoothing_ = static_cast<float>(smoothing);

    // PyTorch nn.Linear(dim, classes, bias=False): W ~ U(-1/sqrt(dim), 1/sqrt(dim)).
    const float bound = static_cast<float>(1.0 / std::sqrt(static_cast<double>(dim_)));
    head_.resize(classes_ * dim_);
    idlab::SeededUniform rng(ctx.seed(), "loss", "head.weight");
    for (float& w : head_) w = rng.symmetric(bound);
    head_grad_.assign(head_.size(), 0.0f);
    if (narrow()) {
        head_t_.resize(head_.size());
        rows_.resize(static_cast<size_t>(idlab::padded_stride<float>(classes_)) *
                     kNarrowHeadGroup * team_.size());
    }

    add_parameter("head.weight", head_.data(), head_grad_.data(), {classes_, dim_});
    if (learn_temperature_) add_parameter("beta", &beta_, &beta_grad_, {1});
}

void CrossEntropy::ensure_capacity(int64_t batch) {
    if (batch <= capacity_) return;
    if (narrow())
        chunk_grad_t_.resize(chunk_count(batch) * dim_ * classes_);
    else
        scores_.resize(batch * classes_);
    row_loss_.resize(batch);
    if (normalize_features_) {
        unit_features_.resize(batch * dim_);
        feature_norms_.resize(batch);
        unit_grad_.resize(batch * dim_);
    }
    capacity_ = batch;
}

void CrossEntropy::check_targets(const int64_t* targets, int64_t batch) const {
    for (int64_t r = 0; r < batch; ++r)
        if (targets[r] < 0 || targets[r] >= classes_)
            idlab::argument_error("core.cross_entropy: " + target_ + " value " +
                                  std::to_string(targets[r]) + " (row " + std::to_string(r) +
                                  ") is outside [0, " + std::to_string(classes_) + ")");
}

double CrossEntropy::forward(const idlab_exec_ctx_t& /*ctx*/, const DLTensor& features,
                             const idlab::TensorSet& inputs, DLTensor* dfeatures) {
    idlab::require_tensor(features, "features", IDLAB_DTYPE_F32, -1, dim_);
    const int64_t batch = features.shape[0];
    if (batch < 1) idlab::argument_error("features: the batch is empty");
    const DLTensor& target = inputs.get(target_);
    idlab::require_tensor(target, target_.c_str(), IDLAB_DTYPE_I64, batch, 0);
    if (dfeatures) idlab::require_tensor(*dfeatures, "dfeatures", IDLAB_DTYPE_F32, batch, dim_);
    const int64_t* targets = idlab::data_of<int64_t>(target);
    check_targets(targets, batch);
    ensure_capacity(batch);

    const float* f = idlab::data_of<float>(features);
    float* df = dfeatures ? idlab::data_of<float>(*dfeatures) : nullptr;
    {
        const idlab::SingleThreadedOpenBlas blas(team_.size());
        team_.run([&](idlab::TeamMember& me) { forward_part(me, f, targets, batch, df); });
    }
    double loss_sum = 0.0;
    for (int64_t r = 0; r < batch; ++r) loss_sum += row_loss_[r];
    const double loss = loss_sum / static_cast<double>(batch);
    if (!df) return loss;

    // dL/dbeta = sum_ij G_ij (f W^T)_ij = <G^T f, W> costs classes * dim this way instead of
    // batch * classes.
    if (learn_temperature_) {
        double dbeta = 0.0;
        for (size_t i = 0; i < head_.size(); ++i)
            dbeta += static_cast<double>(head_grad_[i]) * head_[i];
        beta_grad_ = static_cast<float>(dbeta);
    }
    // dL/dW = beta G^T f.
    if (beta_ != 1.0f)
        for (float& v : head_grad_) v *= beta_;
    return loss;
}

void CrossEntropy::forward_part(idlab::TeamMember& me, const float* f, const int64_t* targets,
                                int64_t batch, float* df) {
    const int64_t parts = team_.size();
    // The head by classes (projected rows, the transposed copy of the narrow path) and the
    // features by rows.
    const float* fh = normalize_features_ ? unit_features_.data() : f;
    me.share(parts, [&](int64_t part) {
        const Span classes = split_evenly(classes_, parts, part);
        if (normalize_rows_)
            normalize_rows(head_.data() + classes.begin * dim_, classes.size(), dim_, nullptr);
        if (narrow())
            for (int64_t j = classes.begin; j < classes.end; ++j)
                for (int64_t c = 0; c < dim_; ++c) head_t_[c * classes_ + j] = head_[j * dim_ + c];
        if (normalize_features_) {
            const Span rows = split_evenly(batch, parts, part);
            std::memcpy(unit_features_.data() + rows.begin * dim_, f + rows.begin * dim_,
                        sizeof(float) * rows.size() * dim_);
            normalize_rows(unit_features_.data() + rows.begin * dim_, rows.size(), dim_,
                           feature_norms_.data() + rows.begin);
        }
    });
    float* dfh = df && normalize_features_ ? unit_grad_.data() : df;
    if (narrow())
        narrow_part(me, fh, targets, batch, dfh, df);
    else
        gemm_part(me, fh, targets, batch, dfh, df);
}

// Back through the feature normalisation for rows `rows`, once dL/d(unit features) is there.
void CrossEntropy::features_backward(Span rows, float* df) {
    if (!normalize_features_) return;
    unit_rows_backward(unit_features_.data() + rows.begin * dim_, feature_norms_.data() + rows.begin,
                       unit_grad_.data() + rows.begin * dim_, rows.size(), dim_,
                       df + rows.begin * dim_);
}

void CrossEntropy::narrow_part(idlab::TeamMember& me, const float* fh, const int64_t* targets,
                               int64_t batch, float* dfh, float* df) {
    const int64_t parts = team_.size();
    const int64_t chunks = chunk_count(batch);
    const int64_t head_size = dim_ * classes_;
    const int64_t stride = idlab::padded_stride<float>(classes_);
    float* group_rows = rows_.data() + me.index() * kNarrowHeadGroup * stride;
    const float grad_scale = 1.0f / static_cast<float>(batch);
    const float* wt = head_t_.data();
    // Chunk by chunk, kNarrowHeadGroup samples at a time (the chunk's last few one by one): the
    // rows of scores stay in the L1 cache from the scores to the gradients, and each chunk sums
    // its samples' part of G^T f on its own. Grouped or alone, a sample gets the same bits.
    me.share(chunks, [&](int64_t k) {
        const Span chunk_rows = split_evenly(batch, chunks, k);
        float* dwt = chunk_grad_t_.data() + k * head_size;
        if (dfh) std::fill(dwt, dwt + head_size, 0.0f);
        auto softmax_rows = [&](int64_t first, int64_t count) {
            for (int64_t i = 0; i < count; ++i)
                row_loss_[first + i] =
                    softmax_cross_entropy_row(group_rows + i * stride, classes_, targets[first + i],
                                              beta_, smoothing_, dfh != nullptr, grad_scale);
        };
        int64_t r = chunk_rows.begin;
        for (; r + kNarrowHeadGroup <= chunk_rows.end; r += kNarrowHeadGroup) {
            const float* fr = fh + r * dim_;
            narrow_head_scores_group(wt, classes_, dim_, fr, group_rows, stride);
            softmax_rows(r, kNarrowHeadGroup);
            if (dfh)
                narrow_head_backward_group(wt, classes_, dim_, fr, group_rows, stride, beta_, dwt,
                                           dfh + r * dim_);
        }
        for (; r < chunk_rows.end; ++r) {
            const float* fr = fh + r * dim_;
            narrow_head_scores(wt, classes_, dim_, fr, group_rows);
            softmax_rows(r, 1);
            if (dfh)
                narrow_head_backward(wt, classes_, dim_, fr, group_rows, beta_, dwt,
                                     dfh + r * dim_);
        }
    });
    if (!dfh) return;
    // By classes: G^T f as the chunk sums added up in chunk order (into chunk 0), transposed
    // into head_grad_; by rows: dL/df through the feature normalisation.
    me.share(parts, [&](int64_t part) {
        const Span classes = split_evenly(classes_, parts, part);
        float* total = chunk_grad_t_.data();
        for (int64_t k = 1; k < chunks; ++k) {
            const float* sum = chunk_grad_t_.data() + k * head_size;
            for (int64_t c = 0; c < dim_; ++c)
                for (int64_t j = classes.begin; j < classes.end; ++j)
                    total[c * classes_ + j] += sum[c * classes_ + j];
        }
        for (int64_t j = classes.begin; j < classes.end; ++j)
            for (int64_t c = 0; c < dim_; ++c) head_grad_[j * dim_ + c] = total[c * classes_ + j];
        features_backward(split_evenly(batch, parts, part), df);
    });
}

void CrossEntropy::gemm_part(idlab::TeamMember& me, const float* fh, const int64_t* targets,
                             int64_t batch, float* dfh, float* df) {
    const int64_t parts = team_.size();
    const int k = static_cast<int>(classes_), d = static_cast<int>(dim_);
    const float grad_scale = 1.0f / static_cast<float>(batch);
    // By rows: scores[rows] = f[rows] W^T, then the row kernel (which applies beta) turns them
    // into G = dL/dlogits.
    me.share(parts, [&](int64_t part) {
        const Span rows = split_evenly(batch, parts, part);
        if (rows.empty()) return;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows.size()), k, d,
                    1.0f, fh + rows.begin * dim_, d, head_.data(), d, 0.0f,
                    scores_.data() + rows.begin * classes_, k);
        for (int64_t r = rows.begin; r < rows.end; ++r)
            row_loss_[r] = softmax_cross_entropy_row(scores_.data() + r * classes_, classes_,
                                                     targets[r], beta_, smoothing_,
                                                     dfh != nullptr, grad_scale);
    });
    if (!dfh) return;
    // dW[classes] = G[:, classes]^T f by classes, df[rows] = beta G[rows] W by rows.
    me.share(parts, [&](int64_t part) {
        const Span classes = split_evenly(classes_, parts, part);
        if (!classes.empty())
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(classes.size()),
                        d, static_cast<int>(batch), 1.0f, scores_.data() + classes.begin, k, fh, d,
                        0.0f, head_grad_.data() + classes.begin * dim_, d);
        const Span rows = split_evenly(batch, parts, part);
        if (!rows.empty())
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rows.size()),
                        d, k, beta_, scores_.data() + rows.begin * classes_, k, head_.data(), d,
                        0.0f, dfh + rows.begin * dim_, d);
        features_backward(rows, df);
    });
}

}  // namespace idlab::core
