#include "pearson_probe.hpp"

#include "correlation.hpp"
#include "least_squares.hpp"
#include "metric_inputs.hpp"
#include "name_list.hpp"

#include <cmath>

namespace idlab::probes {

namespace {

bool is_float64(const DLTensor& t) { return t.dtype.code == kDLFloat && t.dtype.bits == 64; }
bool is_float32(const DLTensor& t) { return t.dtype.code == kDLFloat && t.dtype.bits == 32; }

// Value i of a factor field: i64, f32 or f64, one value per row (shape checked by the caller).
double factor_value(const DLTensor& t, int64_t i) {
    if (is_float64(t)) return idlab::data_of<double>(t)[i];
    if (is_float32(t)) return idlab::data_of<float>(t)[i];
    return static_cast<double>(idlab::data_of<int64_t>(t)[i]);
}

void require_factor(const DLTensor& t, const std::string& name, int64_t n) {
    const idlab_dtype_t dtype = is_float64(t) ? IDLAB_DTYPE_F64 : is_float32(t) ? IDLAB_DTYPE_F32 : IDLAB_DTYPE_I64;
    idlab::require_tensor(t, name.c_str(), dtype, n, 0);
}

// Rows `rows` of the features (f32 or f64 [n, p]) as a row-major double matrix; throws a
// numeric error on a non-finite value.
void gather_features(const DLTensor& t, const std::vector<int64_t>& rows, int64_t p, std::vector<double>& out) {
    out.resize(rows.size() * static_cast<size_t>(p));
    const bool f64 = is_float64(t);
    for (size_t r = 0; r < rows.size(); ++r) {
        const int64_t i = rows[r];
        double* dst = out.data() + r * static_cast<size_t>(p);
        if (f64) {
            const double* src = idlab::data_of<double>(t) + i * p;
            for (int64_t k = 0; k < p; ++k) dst[k] = src[k];
        } else {
            const float* src = idlab::data_of<float>(t) + i * p;
            for (int64_t k = 0; k < p; ++k) dst[k] = src[k];
        }
        for (int64_t k = 0; k < p; ++k)
            if (!std::isfinite(dst[k]))
                throw idlab::Error(IDLAB_STATUS_NUMERIC_ERROR,
                                   std::string(PearsonProbe::kId) + ": features contains a non-finite value");
    }
}

}  // namespace

PearsonReadout::PearsonReadout(const std::vector<double>& x_fit, const std::vector<double>& y_fit, int64_t n_fit,
                               int64_t p, int64_t f, const std::vector<std::string>& factor_names)
    : p_(p), f_(f) {
    if (n_fit < 2)
        idlab::argument_error(std::string(PearsonProbe::kId) + ": " + std::to_string(n_fit) +
                              " fit rows; the readout needs at least 2");
    // Standardise every factor with its mean and standard deviation on the fit rows.
    std::vector<double> y(y_fit.begin(), y_fit.begin() + n_fit * f);
    for (int64_t k = 0; k < f; ++k) {
        double mean = 0.0;
        for (int64_t i = 0; i < n_fit; ++i) mean += y[i * f + k];
        mean /= static_cast<double>(n_fit);
        double ss = 0.0;
        for (int64_t i = 0; i < n_fit; ++i) ss += (y[i * f + k] - mean) * (y[i * f + k] - mean);
        const double stddev = std::sqrt(ss / static_cast<double>(n_fit));
        if (!(stddev > 0.0))
            throw idlab::Error(IDLAB_STATUS_NUMERIC_ERROR,
                               std::string(PearsonProbe::kId) + ": factor '" + factor_names[k] +
                                   "' is constant on the " + std::to_string(n_fit) +
                                   " fit rows, so it cannot be standardised");
        for (int64_t i = 0; i < n_fit; ++i) y[i * f + k] = (y[i * f + k] - mean) / stddev;
    }
    coef_ = core::fit_least_squares(x_fit.data(), y.data(), n_fit, p, f, false).coef;
}

std::vector<double> PearsonReadout::score(const std::vector<double>& x, const std::vector<double>& y, int64_t n) const {
    if (n < 2)
        idlab::argument_error(std::string(PearsonProbe::kId) + ": " + std::to_string(n) +
                              " score rows; a correlation needs at least 2");
    std::vector<double> predicted(static_cast<size_t>(n * f_), 0.0);
    for (int64_t r = 0; r < n; ++r)
        for (int64_t k = 0; k < p_; ++k) {
            const double v = x[static_cast<size_t>(r * p_ + k)];
            for (int64_t j = 0; j < f_; ++j) predicted[static_cast<size_t>(r * f_ + j)] += v * coef_[static_cast<size_t>(k * f_ + j)];
        }
    std::vector<double> held_out(y.begin(), y.begin() + n * f_);  // pearson_matrix centres its inputs in place
    std::vector<double> corr;
    core::pearson_matrix(held_out, predicted, n, f_, f_, corr);
    std::vector<double> r(static_cast<size_t>(f_));
    for (int64_t k = 0; k < f_; ++k) r[static_cast<size_t>(k)] = corr[static_cast<size_t>(k * f_ + k)];
    return r;
}

idlab::ComponentSpec PearsonProbe::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "Pearson r of a no-intercept least-squares readout of each factor (DisLib protocol, paper Table 4)";
    s.doc =
        "For every factor field named in 'factors' (comma-separated; i64, f32 or f64, one value per sample): "
        "cuts the evaluation samples into fit and score rows (by the i64 field split_field: fit_value rows fit, the "
        "rows of each of score_values are scored separately, others are unused; or, with split_field empty, in "
        "order: the first floor(train_fraction * n) fit, the rest score), standardises the factor with its mean and "
        "standard deviation on the fit rows, fits least squares without intercept from the features to it there "
        "(minimum-norm, as pinv(X^T X) X^T y), and reports Pearson's r between the factor and its prediction on "
        "the score rows (0 when either is constant there): '<prefix>_<factor>', or with score_names "
        "'<prefix>_<name>_<factor>' for each scored part. A factor constant on the fit rows is an error. The "
        "reference fits on the training split and scores the validation split: with the image datasets, "
        "split_field = \"split\", fit_value = 0, score_values = [1, 2], score_names = \"val,test\" "
        "(eval_train_rows > 0). The host's baseline evaluation (features = x) gives the raw-input row of Table 4.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::string("factors", "", "comma-separated factor fields, e.g. \"elevation,azimuth,object_type\"")
            .make_required(),
        idlab::Param::string("split_field", "\"\"",
                             "i64 field that says which rows fit and which score (the image datasets' \"split\"); "
                             "empty: split the rows in order by train_fraction"),
        idlab::Param::integer("fit_value", "0", "with split_field: fit on the rows of this value (0: train)"),
        idlab::Param::int_list("score_values", "[1]",
                               "with split_field: score the rows of each of these values separately (1: val, 2: test)"),
        idlab::Param::string("score_names", "\"\"",
                             "comma-separated names of the scored parts, one per score value (e.g. \"val,test\"); "
                             "values are then <prefix>_<name>_<factor>"),
        idlab::Param::floating("train_fraction", "0.5",
                               "without split_field: share of the evaluation samples (the first ones) used to fit")
            .above(0.0)
            .below(1.0),
        idlab::Param::string("prefix", "\"pearson\"", "values are named <prefix>_<factor>"),
    };
    return s;
}

PearsonProbe::PearsonProbe(const idlab::CreateContext& ctx, const idlab::Config& config)
    : factors_(parse_name_list(config.get_string("factors"), "factors")),
      train_fraction_(config.get_float("train_fraction")),
      split_field_(config.get_string("split_field")),
      fit_value_(config.get_int("fit_value")),
      score_values_(config.get_int_list("score_values")) {
    if (!(train_fraction_ > 0.0 && train_fraction_ < 1.0))
        idlab::config_error("train_fraction", "train_fraction must lie in (0, 1), got " + std::to_string(train_fraction_));
    const std::string prefix = config.get_string("prefix");
    if (prefix.empty()) idlab::config_error("prefix", "prefix must not be empty");
    const bool know_fields = ctx.raw().field_count > 0;
    for (const std::string& name : factors_) {
        if (name == "features")
            idlab::config_error("factors", "'features' is the encoder's output, not a factor field");
        const idlab_field_desc_t* field = ctx.find_field(name);
        if (know_fields && !field)
            idlab::config_error("factors", "the data provides no field '" + name + "'");
        if (field && field->width != 0)
            idlab::config_error("factors", "field '" + name + "' has " + std::to_string(field->width) +
                                               " values per sample; a factor needs one");
    }
    if (!split_field_.empty()) {
        const idlab_field_desc_t* field = ctx.find_field(split_field_);
        if (know_fields && !field)
            idlab::config_error("split_field", "the data provides no field '" + split_field_ + "'");
        if (field && (field->dtype != IDLAB_DTYPE_I64 || field->width != 0))
            idlab::config_error("split_field", "field '" + split_field_ + "' is not an i64 value per sample");
        if (score_values_.empty()) idlab::config_error("score_values", "score_values names no part to score");
        for (size_t i = 0; i < score_values_.size(); ++i) {
            if (score_values_[i] == fit_value_)
                idlab::config_error("score_values", "score value " + std::to_string(fit_value_) +
                                                        " is the fit_value: the readout would be scored on the rows "
                                                        "it was fitted on");
            for (size_t j = 0; j < i; ++j)
                if (score_values_[j] == score_values_[i])
                    idlab::config_error("score_values", "score_values lists " + std::to_string(score_values_[i]) + " twice");
        }
    } else {
        score_values_ = {0};  // one scored part: the rows after the fit ones
    }
    const std::string names_text = config.get_string("score_names");
    std::vector<std::string> names;
    if (!names_text.empty()) names = parse_name_list(names_text, "score_names");
    if (!names.empty() && names.size() != score_values_.size())
        idlab::config_error("score_names", "score_names has " + std::to_string(names.size()) + " names for " +
                                               std::to_string(score_values_.size()) + " scored parts");
    if (names.empty() && score_values_.size() > 1)
        idlab::config_error("score_names", "several score_values need score_names, one per value (e.g. \"val,test\"), "
                                           "to tell their values apart");
    inputs_.push_back("features");
    for (const std::string& name : factors_) inputs_.push_back(name);
    for (size_t part = 0; part < score_values_.size(); ++part)
        for (const std::string& name : factors_)
            values_.push_back(prefix + "_" + (names.empty() ? "" : names[part] + "_") + name);
    bool split_is_factor = false;
    for (const std::string& name : factors_) split_is_factor = split_is_factor || name == split_field_;
    if (!split_field_.empty() && !split_is_factor) inputs_.push_back(split_field_);
}

void PearsonProbe::choose_rows(const idlab::TensorSet& inputs, int64_t n) {
    fit_rows_.clear();
    score_rows_.assign(score_values_.size(), {});
    if (split_field_.empty()) {
        const int64_t fit = static_cast<int64_t>(std::floor(train_fraction_ * static_cast<double>(n)));
        for (int64_t i = 0; i < n; ++i) (i < fit ? fit_rows_ : score_rows_[0]).push_back(i);
        if (fit_rows_.size() < 2 || score_rows_[0].size() < 2)
            idlab::argument_error(std::string(kId) + ": " + std::to_string(n) + " evaluation rows with train_fraction " +
                                  std::to_string(train_fraction_) + " give " + std::to_string(fit_rows_.size()) +
                                  " fit and " + std::to_string(score_rows_[0].size()) +
                                  " score rows; each part needs at least 2");
        return;
    }
    const DLTensor& st = inputs.get(split_field_);
    idlab::require_tensor(st, split_field_.c_str(), IDLAB_DTYPE_I64, n, 0);
    const int64_t* split = idlab::data_of<int64_t>(st);
    for (int64_t i = 0; i < n; ++i) {
        if (split[i] == fit_value_) {
            fit_rows_.push_back(i);
            continue;
        }
        for (size_t part = 0; part < score_values_.size(); ++part)
            if (split[i] == score_values_[part]) score_rows_[part].push_back(i);
    }
    std::string counts = std::to_string(fit_rows_.size()) + " have " + split_field_ + " = " +
                         std::to_string(fit_value_) + " (fit)";
    bool enough = fit_rows_.size() >= 2;
    for (size_t part = 0; part < score_values_.size(); ++part) {
        counts += " and " + std::to_string(score_rows_[part].size()) + " have " + split_field_ + " = " +
                  std::to_string(score_values_[part]) + " (score)";
        enough = enough && score_rows_[part].size() >= 2;
    }
    if (!enough)
        idlab::argument_error(std::string(kId) + ": of the " + std::to_string(n) + " evaluation rows, " + counts +
                              "; each part needs at least 2 (the image datasets read training rows only with "
                              "eval_train_rows > 0, test rows only with eval_split = \"test\" or \"val+test\")");
}

void PearsonProbe::evaluate(const idlab_exec_ctx_t&, const idlab::TensorSet& inputs, double* values) {
    const DLTensor& ft = inputs.get("features");
    core::require_float_matrix(ft, "features", -1, -1);
    const int64_t n = ft.shape[0];
    const int64_t p = ft.shape[1];
    const int64_t f = static_cast<int64_t>(factors_.size());
    if (p < 1) idlab::argument_error(std::string(kId) + ": the features have no columns");
    std::vector<const DLTensor*> factor_tensors;
    for (const std::string& name : factors_) {
        const DLTensor& t = inputs.get(name);
        require_factor(t, name, n);
        factor_tensors.push_back(&t);
    }
    choose_rows(inputs, n);

    // The fit and score rows in float64, read straight from the views (no copy of all rows).
    gather_features(ft, fit_rows_, p, x_fit_);
    auto gather_factors = [&](const std::vector<int64_t>& rows, std::vector<double>& out) {
        out.resize(rows.size() * static_cast<size_t>(f));
        for (size_t r = 0; r < rows.size(); ++r)
            for (int64_t k = 0; k < f; ++k) {
                const double v = factor_value(*factor_tensors[static_cast<size_t>(k)], rows[r]);
                if (!std::isfinite(v))
                    throw idlab::Error(IDLAB_STATUS_NUMERIC_ERROR, std::string(kId) + ": factor '" + factors_[k] +
                                                                       "' has a non-finite value at row " +
                                                                       std::to_string(rows[r]));
                out[r * static_cast<size_t>(f) + static_cast<size_t>(k)] = v;
            }
    };
    gather_factors(fit_rows_, y_fit_);
    const PearsonReadout readout(x_fit_, y_fit_, static_cast<int64_t>(fit_rows_.size()), p, f, factors_);
    for (size_t part = 0; part < score_rows_.size(); ++part) {
        gather_features(ft, score_rows_[part], p, x_score_);
        gather_factors(score_rows_[part], y_score_);
        const std::vector<double> r = readout.score(x_score_, y_score_, static_cast<int64_t>(score_rows_[part].size()));
        for (int64_t k = 0; k < f; ++k) values[static_cast<int64_t>(part) * f + k] = r[static_cast<size_t>(k)];
    }
}

}  // namespace idlab::probes
