// core.head_r2: how linearly the cluster vectors can be read from the rows of the loss's head,
// the paper's "w_i -> v_c" (§3.2 of paper-spec): row i of W is paired with cluster vector
// v_{i mod K}, OLS on the first half of the rows, R² on the rest. Optionally the MAE of that
// map's singular values against 1 (unit-norm rows: W = O V, an orthogonal map).
#pragma once

#include <idlab/plugin.hpp>

#include <string>
#include <vector>

namespace idlab::core {

class HeadR2 final : public idlab::Metric {
public:
    static constexpr const char* kId = "core.head_r2";
    static constexpr const char* kHead = "loss.head.weight";
    static constexpr const char* kClusters = "data.cluster_vectors";
    static idlab::ComponentSpec spec();

    HeadR2(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<std::string>& inputs() const override { return inputs_; }
    const std::vector<std::string>& values() const override { return values_; }
    void evaluate(const idlab_exec_ctx_t& ctx, const idlab::TensorSet& inputs, double* values) override;

private:
    bool intercept_;
    bool singular_values_;  // report head_sv_mae (target 1)
    std::vector<std::string> inputs_{kHead, kClusters};
    std::vector<std::string> values_;
    std::vector<double> rows_, clusters_, targets_;  // float64 copies, kept between evaluations
};

}  // namespace idlab::core
