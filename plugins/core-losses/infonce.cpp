#include "infonce.hpp"

#include <idlab/vector_clones.hpp>
#include "softmax_cross_entropy.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <string>

// How the gradient is assembled. Write L_ik for the logit of negative k of anchor i and L_i+
// for the positive's, A_ik = dL/dL_ik and a_i = dL/dL_i+ (what the softmax kernel leaves in the
// logit block: A_ik = p_ik / B, a_i = (p_i+ - 1) / B, so sum_k A_ik = -a_i), c_k = sum_i A_ik.
//   dot:       L_ik = <h_i, h_k> / tau, L_i+ = <h_i, p_i> / tau
//              dh_m = (1/tau) [ (A H)_m + (A^T H)_m + a_m p_m ],   dp_m = (1/tau) a_m h_m
//   distance:  L_ik = -|h_i - h_k|^2 / tau, L_i+ = -|h_i - p_i|^2 / tau
//              dh_m = (2/tau) [ (A H)_m + (A^T H)_m - c_m h_m + a_m p_m ],
//              dp_m = (2/tau) a_m (h_m - p_m)
// (in the distance form the terms -(sum_k A_mk) h_m and -a_m h_m cancel). A H and A^T H are
// GEMMs over each block of anchors; the rest is per row.

namespace idlab::core {
namespace {

double dot(const float* a, const float* b, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
    return s;
}

double squared_distance(const float* a, const float* b, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        const double d = static_cast<double>(a[i]) - b[i];
        s += d * d;
    }
    return s;
}

// row[k] = <h_i, h_k> on entry; -|h_i - h_k|^2 = 2 <h_i, h_k> - |h_i|^2 - |h_k|^2 on exit.
IDLAB_VECTOR_CLONES
void to_negative_squared_distances(float* row, int64_t n, float own_sq_norm,
                                   const float* sq_norms) {
    for (int64_t k = 0; k < n; ++k) row[k] = 2.0f * row[k] - own_sq_norm - sq_norms[k];
}

// sums[k] += block[i, k] for the rows of a block with leading dimension ld.
IDLAB_VECTOR_CLONES
void add_rows(const float* block, int64_t rows, int64_t cols, int64_t ld, float* sums) {
    for (int64_t i = 0; i < rows; ++i) {
        const float* row = block + i * ld;
        for (int64_t k = 0; k < cols; ++k) sums[k] += row[k];
    }
}

}  // namespace

idlab::ComponentSpec InfoNce::spec() {
    using idlab::Param;
    idlab::ComponentSpec s;
    s.id = "core.infonce";
    s.version = "1.0.0";
    s.summary =
        "InfoNCE on positive pairs (x, x_pos), the batch as negatives (Zimmermann et al. 2021)";
    s.doc =
        "Contrastive loss of cl-ica: anchors h = f(x), positives p = f(x_pos), negatives all "
        "anchors of the batch (the anchor itself included). form = \"distance\": similarity "
        "-|h - h'|^2 / temperature (cl-ica's default); form = \"dot\": <h, h'> / temperature "
        "(SimCLR, for unit-norm features). loss_i = -sim(h_i, p_i) + log(sum_k exp sim(h_i, "
        "h_k) + exp sim(h_i, p_i)), averaged over the batch. Needs the data field x_pos.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        Param::string("form", "\"distance\"",
                      "similarity: \"distance\" (negative squared distance) or \"dot\" (inner "
                      "product)")
            .one_of("distance|dot"),
        Param::floating("temperature", "1.0", "tau: the similarities are divided by it").above(0),
    };
    return s;
}

InfoNce::InfoNce(const idlab::CreateContext& ctx, const idlab::Config& config) {
    if (ctx.device().device_type != kDLCPU)
        throw idlab::Error(IDLAB_STATUS_UNSUPPORTED, "core.infonce runs on the CPU only");
    dim_ = ctx.input_dim();
    if (dim_ < 1) idlab::argument_error("core.infonce: the feature width must be at least 1");

    const std::string form = config.get_string("form");
    if (form == "distance")
        form_ = Form::distance;
    else if (form == "dot")
        form_ = Form::dot;
    else
        idlab::config_error("form", "form must be \"distance\" or \"dot\", got \"" + form + "\"");
    const double tau = config.get_float("temperature");
    if (!(tau > 0.0 && std::isfinite(tau)))
        idlab::config_error("temperature", "temperature must be a finite number > 0");
    temperature_ = static_cast<float>(tau);

    if (!ctx.find_field("x_pos"))
        throw idlab::Error(IDLAB_STATUS_INVALID_CONFIG,
                           "core.infonce needs positive pairs, but the data does not provide the "
                           "field 'x_pos' (use a data component that draws pairs, e.g. "
                           "core.contrastive_pairs)");
}

int64_t InfoNce::block_rows(int64_t batch) const {
    const int64_t automatic = std::max<int64_t>(1, kBlockFloats / (batch + 1));
    return std::min(batch, fixed_block_rows_ > 0 ? fixed_block_rows_ : automatic);
}

void InfoNce::ensure_capacity(int64_t batch) {
    const size_t logits = static_cast<size_t>(block_rows(batch) * (batch + 1));
    if (logits_.size() < logits) logits_.resize(logits);
    if (form_ == Form::distance && sq_norms_.size() < static_cast<size_t>(batch)) {
        sq_norms_.resize(batch);
        column_sums_.resize(batch);
    }
}

double InfoNce::forward(const idlab_exec_ctx_t& /*ctx*/, const DLTensor& features,
                        const idlab::TensorSet& /*inputs*/, DLTensor* dfeatures) {
    idlab::require_tensor(features, "features", IDLAB_DTYPE_F32, -1, dim_);
    const int64_t rows = features.shape[0];
    if (rows < 2 || rows % 2 != 0)
        idlab::argument_error("features: expected the views x and x_pos stacked, 2 * batch rows, "
                              "got " + std::to_string(rows) + " rows");
    if (dfeatures) idlab::require_tensor(*dfeatures, "dfeatures", IDLAB_DTYPE_F32, rows, dim_);
    const int64_t batch = rows / 2;
    ensure_capacity(batch);

    const bool distance = form_ == Form::distance;
    const float* h = idlab::data_of<float>(features);
    const float* p = h + batch * dim_;
    float* dh = dfeatures ? idlab::data_of<float>(*dfeatures) : nullptr;
    float* dp = dh ? dh + batch * dim_ : nullptr;
    if (dh) std::fill(dh, dh + batch * dim_, 0.0f);  // the GEMMs below accumulate into it
    if (distance) {
        for (int64_t k = 0; k < batch; ++k)
            sq_norms_[k] = static_cast<float>(dot(h + k * dim_, h + k * dim_, dim_));
        std::fill(column_sums_.begin(), column_sums_.begin() + batch, 0.0f);
    }

    const float inv_tau = 1.0f / temperature_;
    const float grad_coef = distance ? 2.0f * inv_tau : inv_tau;  // see the note at the top
    const int64_t ld = batch + 1;  // column k < batch: negative h_k; column batch: the positive
    const int64_t block = block_rows(batch);
    const int b = static_cast<int>(batch), d = static_cast<int>(dim_), l = static_cast<int>(ld);
    double loss_sum = 0.0;
    for (int64_t first = 0; first < batch; first += block) {
        const int64_t count = std::min(block, batch - first);
        const int n = static_cast<int>(count);
        const float* h_block = h + first * dim_;
        // logits[i, k] = <h_{first+i}, h_k>, then the similarities (before 1/tau).
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, b, d, 1.0f, h_block, d, h, d,
                    0.0f, logits_.data(), l);
        for (int64_t i = 0; i < count; ++i) {
            const int64_t anchor = first + i;
            const float* ha = h + anchor * dim_;
            const float* pa = p + anchor * dim_;
            float* row = logits_.data() + i * ld;
            if (distance) {
                to_negative_squared_distances(row, batch, sq_norms_[anchor], sq_norms_.data());
                row[anchor] = 0.0f;  // exactly: the anchor is at distance 0 from itself
                row[batch] = static_cast<float>(-squared_distance(ha, pa, dim_));
            } else {
                row[batch] = static_cast<float>(dot(ha, pa, dim_));
            }
            loss_sum += softmax_cross_entropy_row(row, ld, batch, inv_tau, 0.0f, dh != nullptr,
                                                  1.0f / static_cast<float>(batch));
        }
        if (!dh) continue;

        // The block now holds A (columns < batch) and a (column batch).
        const float* grad = logits_.data();
        // Anchor role, rows of this block: dh_block += coef A_block H.
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, d, b, grad_coef, grad, l, h, d,
                    1.0f, dh + first * dim_, d);
        // Negative role, every row: dh += coef A_block^T H_block.
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, b, d, n, grad_coef, grad, l, h_block,
                    d, 1.0f, dh, d);
        if (distance) add_rows(grad, count, batch, ld, column_sums_.data());
        for (int64_t i = 0; i < count; ++i) {
            const int64_t anchor = first + i;
            const float a = grad_coef * grad[i * ld + batch];
            const float* ha = h + anchor * dim_;
            const float* pa = p + anchor * dim_;
            float* dha = dh + anchor * dim_;
            float* dpa = dp + anchor * dim_;
            for (int64_t c = 0; c < dim_; ++c) {
                dha[c] += a * pa[c];
                dpa[c] = distance ? a * (ha[c] - pa[c]) : a * ha[c];
            }
        }
    }
    if (dh && distance)
        for (int64_t k = 0; k < batch; ++k) {
            const float shrink = grad_coef * column_sums_[k];
            for (int64_t c = 0; c < dim_; ++c) dh[k * dim_ + c] -= shrink * h[k * dim_ + c];
        }
    return loss_sum / static_cast<double>(batch);
}

}  // namespace idlab::core
