#include "mcc.hpp"

#include "correlation.hpp"
#include "hungarian.hpp"
#include "metric_inputs.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace idlab::core {

double matched_mean_abs_correlation(const std::vector<double>& corr, int64_t d, int64_t q) {
    std::vector<double> cost(corr.size());
    for (size_t i = 0; i < corr.size(); ++i) cost[i] = -std::abs(corr[i]);
    const std::vector<int64_t> match = min_cost_assignment(cost.data(), d, q);
    double total = 0.0;
    for (int64_t i = 0; i < d; ++i)
        if (match[i] >= 0) total += std::abs(corr[i * q + match[i]]);
    return total / static_cast<double>(std::min(d, q));
}

idlab::ComponentSpec Mcc::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "mean correlation coefficient (Pearson and Spearman) of features and z after Hungarian matching";
    s.doc =
        "Correlates every latent z_i with every feature f_j over the evaluation samples "
        "(in-sample), pairs min(d, dim) latents with distinct features by the Hungarian algorithm "
        "so that the summed |corr| is largest, and reports the mean |corr| of the pairs: "
        "'mcc_pearson' on the values, 'mcc_spearman' on their ranks (ties share the mean rank). "
        "A constant feature correlates 0. As cl-ica's permutation disentanglement (Zimmermann et "
        "al. 2021).";
    s.devices = IDLAB_DEVICE_CPU;
    return s;
}

Mcc::Mcc(const idlab::CreateContext&, const idlab::Config&) {}

void Mcc::evaluate(const idlab_exec_ctx_t&, const idlab::TensorSet& inputs, double* values) {
    const DLTensor& ft = inputs.get("features");
    const DLTensor& zt = inputs.get("z");
    idlab::require_tensor(ft, "features", IDLAB_DTYPE_F32, -1, -1);
    idlab::require_tensor(zt, "z", IDLAB_DTYPE_F32, ft.shape[0], -1);
    const int64_t n = ft.shape[0];
    const int64_t q = ft.shape[1];
    const int64_t d = zt.shape[1];
    if (n < 2) idlab::argument_error("mcc needs at least 2 samples, got " + std::to_string(n));
    if (q < 1 || d < 1) idlab::argument_error("mcc: features and z need at least one column");

    copy_finite(ft, "mcc", "features", features_);
    copy_finite(zt, "mcc", "z", z_);
    feature_ranks_ = features_;
    z_ranks_ = z_;
    rank_columns(feature_ranks_.data(), n, q, order_);
    rank_columns(z_ranks_.data(), n, d, order_);

    pearson_matrix(z_, features_, n, d, q, corr_);
    values[0] = matched_mean_abs_correlation(corr_, d, q);
    pearson_matrix(z_ranks_, feature_ranks_, n, d, q, corr_);
    values[1] = matched_mean_abs_correlation(corr_, d, q);
}

}  // namespace idlab::core
