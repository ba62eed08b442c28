// core.pearson_probe: how linearly each labelled factor can be read from the features, by the
// DisLib protocol of the paper (§4.2, Table 4; the reference dislib/main.py `evaluate`):
//   - the evaluation rows are split in order: the first floor(train_fraction * n) rows train,
//     the rest are held out;
//   - each factor is standardised with its mean and standard deviation (numpy's, ddof 0) on the
//     train rows;
//   - one least-squares map without intercept, features -> standardised factors, is fitted on
//     the train rows (minimum-norm solution: pinv(X^T X) X^T y, as the reference computes);
//   - "pearson_<factor>" is Pearson's r between the factor and its prediction on the held-out
//     rows (0 when either is constant there).
// With features = x (the host's baseline evaluation) this is the raw-input row "x" of Table 4.
#pragma once

#include <idlab/plugin.hpp>

#include <string>
#include <vector>

namespace idlab::probes {

// The probe on row-major double arrays: x [n, p], factors [n, f]; returns f correlations.
// Throws idlab::Error when a part has fewer than 2 rows or a factor is constant on the train rows.
std::vector<double> pearson_probe(const std::vector<double>& x, const std::vector<double>& factors,
                                  int64_t n, int64_t p, int64_t f, double train_fraction,
                                  const std::vector<std::string>& factor_names);

class PearsonProbe final : public idlab::Metric {
public:
    static constexpr const char* kId = "core.pearson_probe";
    static idlab::ComponentSpec spec();

    PearsonProbe(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<std::string>& inputs() const override { return inputs_; }
    const std::vector<std::string>& values() const override { return values_; }
    void evaluate(const idlab_exec_ctx_t& ctx, const idlab::TensorSet& inputs, double* values) override;

private:
    std::vector<std::string> factors_;
    double train_fraction_;
    std::vector<std::string> inputs_;  // "features", then the factors
    std::vector<std::string> values_;  // "pearson_<factor>"
    std::vector<double> x_, y_;        // float64 copies, kept between evaluations
};

}  // namespace idlab::probes
