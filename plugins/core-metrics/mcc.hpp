// core.mcc: mean correlation coefficient between features and latents after the best
// one-to-one matching of their dimensions (cl-ica's "permutation disentanglement"): identity up
// to permutation and sign (and, for Spearman, any monotone map per dimension) scores 1.
#pragma once

#include <idlab/plugin.hpp>

#include <string>
#include <vector>

namespace idlab::core {

// The score on a correlation matrix corr [d, q] (latent i versus feature j): Hungarian matching
// of min(d, q) pairs maximising the summed |corr|, then the mean |corr| over those pairs.
double matched_mean_abs_correlation(const std::vector<double>& corr, int64_t d, int64_t q);

class Mcc final : public idlab::Metric {
public:
    static constexpr const char* kId = "core.mcc";
    static idlab::ComponentSpec spec();

    Mcc(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<std::string>& inputs() const override { return inputs_; }
    const std::vector<std::string>& values() const override { return values_; }
    void evaluate(const idlab_exec_ctx_t& ctx, const idlab::TensorSet& inputs, double* values) override;

private:
    std::vector<std::string> inputs_{"features", "z"};
    std::vector<std::string> values_{"mcc_pearson", "mcc_spearman"};
    // Scratch kept between evaluations: float64 copies, their ranks, the correlation matrix.
    std::vector<double> features_, z_, feature_ranks_, z_ranks_, corr_;
    std::vector<int64_t> order_;
};

}  // namespace idlab::core
