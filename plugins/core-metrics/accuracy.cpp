#include "accuracy.hpp"

#include "metric_inputs.hpp"

#include <cmath>
#include <limits>
#include <string>

namespace idlab::core {

idlab::ComponentSpec Accuracy::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "accuracy of the loss's linear head on the evaluation samples";
    s.doc =
        "Scores every evaluation sample against every row w_c of the loss's head "
        "'loss.head.weight' [rows, dim] by the dot product <features, w_c> (no bias; a positive "
        "temperature does not change the winner) and reports the fraction whose best row is the "
        "sample's target: its 'label' (a class head) or its 'index' (a DIET instance head). "
        "normalize_rows = true scores with unit-norm rows, as the loss does with normalize_rows. With "
        "split_field (an i64 field, e.g. the image datasets' \"split\"), only the rows whose value there is "
        "score_value count (1: the validation rows).";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::string("target", "\"label\"", "the data field naming each sample's row of the head")
            .one_of("label|index"),
        idlab::Param::boolean("normalize_rows", "false",
                              "normalise every head row to unit norm first (match the loss's normalize_rows)"),
        idlab::Param::string("split_field", "\"\"",
                             "i64 field selecting the rows that count (e.g. \"split\"); empty: all rows"),
        idlab::Param::integer("score_value", "1", "with split_field: count the rows of this value (1: validation)"),
    };
    return s;
}

Accuracy::Accuracy(const idlab::CreateContext& ctx, const idlab::Config& config)
    : target_(config.get_string("target")),
      normalize_rows_(config.get_bool("normalize_rows")),
      split_field_(config.get_string("split_field")),
      score_value_(config.get_int("score_value")) {
    if (target_ != "label" && target_ != "index")
        idlab::config_error("target", "target must be \"label\" or \"index\", got \"" + target_ + "\"");
    inputs_ = {"features", target_, kHead};
    if (!split_field_.empty()) {
        const idlab_field_desc_t* field = ctx.find_field(split_field_);
        if (ctx.raw().field_count > 0 && !field)
            idlab::config_error("split_field", "the data provides no field '" + split_field_ + "'");
        if (field && (field->dtype != IDLAB_DTYPE_I64 || field->width != 0))
            idlab::config_error("split_field", "field '" + split_field_ + "' is not an i64 value per sample");
        inputs_.push_back(split_field_);
    }
}

void Accuracy::evaluate(const idlab_exec_ctx_t&, const idlab::TensorSet& inputs, double* values) {
    const DLTensor& ft = inputs.get("features");
    const DLTensor& tt = inputs.get(target_);
    const DLTensor& wt = inputs.get(kHead);
    idlab::require_tensor(ft, "features", IDLAB_DTYPE_F32, -1, -1);
    idlab::require_tensor(tt, target_.c_str(), IDLAB_DTYPE_I64, ft.shape[0], 0);
    idlab::require_tensor(wt, kHead, IDLAB_DTYPE_F32, -1, -1);
    const int64_t n = ft.shape[0];
    const int64_t dim = ft.shape[1];
    const int64_t rows = wt.shape[0];
    if (n < 1) idlab::argument_error("accuracy: no evaluation samples");
    if (rows < 1) idlab::argument_error(std::string("accuracy: the head '") + kHead + "' has no rows");
    if (wt.shape[1] != dim)
        idlab::argument_error(std::string("accuracy: the head '") + kHead + "' (" + idlab::shape_string(wt) +
                              ") does not match the features (" + idlab::shape_string(ft) + ")");

    copy_finite(wt, "accuracy", kHead, head_);
    if (normalize_rows_) {
        for (int64_t c = 0; c < rows; ++c) {
            double* w = head_.data() + c * dim;
            double sq = 0.0;
            for (int64_t k = 0; k < dim; ++k) sq += w[k] * w[k];
            if (sq > 0.0)
                for (int64_t k = 0; k < dim; ++k) w[k] /= std::sqrt(sq);
        }
    }

    const float* f = idlab::data_of<float>(ft);
    for (int64_t i = 0; i < n * dim; ++i)
        if (!std::isfinite(f[i]))
            throw idlab::Error(IDLAB_STATUS_NUMERIC_ERROR, "accuracy: features contain a non-finite value");
    const int64_t* target = idlab::data_of<int64_t>(tt);
    const int64_t* split = nullptr;
    if (!split_field_.empty()) {
        const DLTensor& st = inputs.get(split_field_);
        idlab::require_tensor(st, split_field_.c_str(), IDLAB_DTYPE_I64, n, 0);
        split = idlab::data_of<int64_t>(st);
    }
    int64_t correct = 0, counted = 0;
    for (int64_t i = 0; i < n; ++i) {
        if (split && split[i] != score_value_) continue;
        ++counted;
        if (target[i] < 0 || target[i] >= rows)
            idlab::argument_error("accuracy: " + target_ + " " + std::to_string(target[i]) +
                                  " of sample " + std::to_string(i) + " has no row in the head '" +
                                  kHead + "' (" + std::to_string(rows) + " rows)");
        const float* x = f + i * dim;
        // The first of equal scores wins, as argmax does.
        int64_t best = 0;
        double best_score = -std::numeric_limits<double>::infinity();
        for (int64_t c = 0; c < rows; ++c) {
            const double* w = head_.data() + c * dim;
            double score = 0.0;
            for (int64_t k = 0; k < dim; ++k) score += static_cast<double>(x[k]) * w[k];
            if (score > best_score) {
                best_score = score;
                best = c;
            }
        }
        if (best == target[i]) ++correct;
    }
    if (counted == 0)
        idlab::argument_error("accuracy: none of the " + std::to_string(n) + " evaluation samples has " + split_field_ +
                              " = " + std::to_string(score_value_));
    values[0] = static_cast<double>(correct) / static_cast<double>(counted);
}

}  // namespace idlab::core
