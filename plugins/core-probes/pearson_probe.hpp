// core.pearson_probe: how linearly each labelled factor can be read from the features, by the
// DisLib protocol of the paper (§4.2, Table 4; the reference dislib/main.py `evaluate`):
//   - the evaluation rows are cut into fit rows and score rows, either
//       * by a split field (split_field = "split", as the image datasets provide): fit on the
//         rows whose value is fit_value (0: training images), score separately the rows of
//         each of score_values (1: validation, 2: test); rows of other values are not used; or
//       * in order (split_field empty): the first floor(train_fraction * n) rows fit, the rest
//         score (for data whose evaluation rows are a random sample, such as core.features);
//   - each factor is standardised with its mean and standard deviation (numpy's, ddof 0) on the
//     fit rows;
//   - one least-squares map without intercept, features -> standardised factors, is fitted on
//     the fit rows (minimum-norm solution: pinv(X^T X) X^T y, as the reference computes);
//   - "<prefix>_<factor>" is Pearson's r between the factor and its prediction on the score
//     rows (0 when either is constant there); with score_names ("val,test", one per score
//     value) "<prefix>_<name>_<factor>" for each scored part, from the one fit.
// The reference fits on the training split and scores the validation split; with features = x
// (the host's baseline evaluation) this is the raw-input row "x" of Table 4.
#pragma once

#include <idlab/plugin.hpp>

#include <string>
#include <vector>

namespace idlab::probes {

// The readout of the protocol, fitted on row-major double arrays: x_fit [n_fit, p], factors
// y_fit [n_fit, f]. Throws idlab::Error when there are fewer than 2 rows or a factor is
// constant on them.
class PearsonReadout {
public:
    PearsonReadout(const std::vector<double>& x_fit, const std::vector<double>& y_fit, int64_t n_fit, int64_t p,
                   int64_t f, const std::vector<std::string>& factor_names);
    // Pearson r of each factor with its prediction on x [n, p], y [n, f] (n >= 2).
    std::vector<double> score(const std::vector<double>& x, const std::vector<double>& y, int64_t n) const;

private:
    int64_t p_, f_;
    std::vector<double> coef_;  // [p, f], onto the standardised factors
};

class PearsonProbe final : public idlab::Metric {
public:
    static constexpr const char* kId = "core.pearson_probe";
    static idlab::ComponentSpec spec();

    PearsonProbe(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<std::string>& inputs() const override { return inputs_; }
    const std::vector<std::string>& values() const override { return values_; }
    void evaluate(const idlab_exec_ctx_t& ctx, const idlab::TensorSet& inputs, double* values) override;

private:
    // Which evaluation rows fit and which score (one list per scored part), from the split
    // field or the fraction.
    void choose_rows(const idlab::TensorSet& inputs, int64_t n);

    std::vector<std::string> factors_;
    double train_fraction_;
    std::string split_field_;            // empty: split in order by train_fraction
    int64_t fit_value_ = 0;
    std::vector<int64_t> score_values_;  // with split_field: one scored part each
    std::vector<std::string> inputs_;    // "features", the factors, then the split field
    std::vector<std::string> values_;    // per scored part, per factor
    // Kept between evaluations: the chosen rows and their float64 copies.
    std::vector<int64_t> fit_rows_;
    std::vector<std::vector<int64_t>> score_rows_;
    std::vector<double> x_fit_, y_fit_, x_score_, y_score_;
};

}  // namespace idlab::probes
