#include "head_r2.hpp"

#include "linear_r2.hpp"
#include "metric_inputs.hpp"
#include "singular_values.hpp"

#include <string>

namespace idlab::core {

idlab::ComponentSpec HeadR2::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "R² of a least-squares map from the head's rows w_i to the cluster vectors v_(i mod K)";
    s.doc =
        "Reads the loss's head 'loss.head.weight' (f32 [R, dim], one row per class or per instance) "
        "and the data's 'data.cluster_vectors' (f32 or f64 [K, dim]). Row i is paired with cluster "
        "vector i mod K; ordinary least squares is fitted on the first floor(R/2) rows and sklearn's r2_score "
        "(uniform average) is reported on the rest: 'head_r2' with an intercept (the paper's R²_a), "
        "'head_r2_o' without (R²_o). singular_values = \"one\" adds 'head_sv_mae': the map without "
        "intercept fitted on all rows, mean |s_k - 1| over its singular values (MAE_o).";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::boolean("intercept", "true", "fit an intercept (affine map); false: linear map through 0"),
        idlab::Param::string("singular_values", "\"none\"",
                             "\"one\": also report head_sv_mae, the singular values' mean absolute "
                             "error against 1")
            .one_of("none|one"),
    };
    return s;
}

HeadR2::HeadR2(const idlab::CreateContext&, const idlab::Config& config)
    : intercept_(config.get_bool("intercept")) {
    const std::string sv = config.get_string("singular_values");
    if (sv != "none" && sv != "one")
        idlab::config_error("singular_values", "singular_values must be \"none\" or \"one\", got \"" + sv + "\"");
    singular_values_ = sv == "one";
    values_.push_back(intercept_ ? "head_r2" : "head_r2_o");
    if (singular_values_) values_.push_back("head_sv_mae");
}

void HeadR2::evaluate(const idlab_exec_ctx_t&, const idlab::TensorSet& inputs, double* values) {
    const DLTensor& wt = inputs.get(kHead);
    const DLTensor& vt = inputs.get(kClusters);
    idlab::require_tensor(wt, kHead, IDLAB_DTYPE_F32, -1, -1);
    require_float_matrix(vt, kClusters, -1, -1);  // f64 from core.vmf_clusters
    const int64_t rows = wt.shape[0];
    const int64_t dim = wt.shape[1];
    const int64_t clusters = vt.shape[0];
    if (rows < 4)
        idlab::argument_error(std::string("head_r2 needs a head with at least 4 rows, '") + kHead +
                              "' has " + std::to_string(rows));
    if (clusters < 1 || dim < 1) idlab::argument_error("head_r2: empty head or cluster vectors");
    if (vt.shape[1] != dim)
        idlab::argument_error(std::string("head_r2: the head's rows ('") + kHead + "', " +
                              idlab::shape_string(wt) + ") and the cluster vectors ('" + kClusters +
                              "', " + idlab::shape_string(vt) + ") differ in dimension");

    copy_finite(wt, "head_r2", kHead, rows_);
    copy_finite(vt, "head_r2", kClusters, clusters_);
    // The regression target of row i is v_(i mod K).
    targets_.resize(static_cast<size_t>(rows * dim));
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < dim; ++j) targets_[i * dim + j] = clusters_[(i % clusters) * dim + j];

    values[0] = linear_r2(rows_.data(), targets_.data(), rows, dim, dim, intercept_);
    if (singular_values_)
        values[1] = singular_value_mae(rows_.data(), targets_.data(), rows, dim, dim, 1.0);
}

}  // namespace idlab::core
