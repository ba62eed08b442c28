// core.linear_r2: how linearly the ground-truth latents z can be read from learned features.
// OLS from features to z on the first half of the rows, sklearn's uniform-average R² on the
// second half (paper §4.1; reference code's "lin. disentanglement"). Optionally also the
// paper's MAE_o: how far that map (no intercept, all rows) is from a scaled orthogonal map.
#pragma once

#include <idlab/plugin.hpp>

#include <string>
#include <vector>

namespace idlab::core {

// The score itself, on row-major double arrays: x [n, p], y [n, d], n >= 4.
double linear_r2(const double* x, const double* y, int64_t n, int64_t p, int64_t d, bool intercept);

class LinearR2 final : public idlab::Metric {
public:
    static constexpr const char* kId = "core.linear_r2";
    static idlab::ComponentSpec spec();

    LinearR2(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<std::string>& inputs() const override { return inputs_; }
    const std::vector<std::string>& values() const override { return values_; }
    void evaluate(const idlab_exec_ctx_t& ctx, const idlab::TensorSet& inputs, double* values) override;

private:
    // What the singular values of the no-intercept map are compared with.
    enum class SingularValues { none, inverse_kappa, one };

    bool intercept_;
    SingularValues singular_values_;
    std::vector<std::string> inputs_{"features", "z"};
    std::vector<std::string> values_;
    std::vector<double> x_, y_;  // float64 copies, kept between evaluations
};

}  // namespace idlab::core
