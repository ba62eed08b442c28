// core.linear_r2: how linearly the ground-truth latents z can be read from learned features.
// OLS from features to z on the first half of the rows, sklearn's uniform-average R² on the
// second half (paper §4.1; reference code's "lin. disentanglement").
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
    bool intercept_;
    std::vector<std::string> inputs_{"features", "z"};
    std::vector<std::string> values_{"linear_r2"};
};

}  // namespace idlab::core
