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

// Column `column` of y [n, columns] from a factor field: i64, f32 or f64, one value per row.
void read_factor(const DLTensor& t, const std::string& name, int64_t n, int64_t column, int64_t columns,
                 std::vector<double>& y) {
    const idlab_dtype_t dtype = is_float64(t) ? IDLAB_DTYPE_F64 : is_float32(t) ? IDLAB_DTYPE_F32 : IDLAB_DTYPE_I64;
    idlab::require_tensor(t, name.c_str(), dtype, n, 0);
    for (int64_t i = 0; i < n; ++i) {
        double v = 0.0;
        if (dtype == IDLAB_DTYPE_I64) v = static_cast<double>(idlab::data_of<int64_t>(t)[i]);
        else if (dtype == IDLAB_DTYPE_F32) v = idlab::data_of<float>(t)[i];
        else v = idlab::data_of<double>(t)[i];
        if (!std::isfinite(v))
            throw idlab::Error(IDLAB_STATUS_NUMERIC_ERROR, std::string(PearsonProbe::kId) + ": factor '" + name +
                                                               "' has a non-finite value at row " + std::to_string(i));
        y[static_cast<size_t>(i * columns + column)] = v;
    }
}

}  // namespace

std::vector<double> pearson_probe(const std::vector<double>& x, const std::vector<double>& factors,
                                  int64_t n, int64_t p, int64_t f, double train_fraction,
                                  const std::vector<std::string>& factor_names) {
    const int64_t train = static_cast<int64_t>(std::floor(train_fraction * static_cast<double>(n)));
    const int64_t test = n - train;
    if (train < 2 || test < 2)
        idlab::argument_error(std::string(PearsonProbe::kId) + ": " + std::to_string(n) +
                              " evaluation rows with train_fraction " + std::to_string(train_fraction) + " give " +
                              std::to_string(train) + " train and " + std::to_string(test) +
                              " held-out rows; each part needs at least 2");

    // Standardise every factor with its train mean and standard deviation.
    std::vector<double> y(factors.begin(), factors.begin() + train * f);
    for (int64_t k = 0; k < f; ++k) {
        double mean = 0.0;
        for (int64_t i = 0; i < train; ++i) mean += y[i * f + k];
        mean /= static_cast<double>(train);
        double ss = 0.0;
        for (int64_t i = 0; i < train; ++i) ss += (y[i * f + k] - mean) * (y[i * f + k] - mean);
        const double stddev = std::sqrt(ss / static_cast<double>(train));
        if (!(stddev > 0.0))
            throw idlab::Error(IDLAB_STATUS_NUMERIC_ERROR,
                               std::string(PearsonProbe::kId) + ": factor '" + factor_names[k] +
                                   "' is constant on the " + std::to_string(train) +
                                   " train rows, so it cannot be standardised");
        for (int64_t i = 0; i < train; ++i) y[i * f + k] = (y[i * f + k] - mean) / stddev;
    }

    const core::LinearFit fit = core::fit_least_squares(x.data(), y.data(), train, p, f, false);
    std::vector<double> predicted(static_cast<size_t>(test * f));
    fit.predict(x.data() + train * p, test, predicted.data());
    std::vector<double> held_out(factors.begin() + train * f, factors.begin() + n * f);
    std::vector<double> corr;
    core::pearson_matrix(held_out, predicted, test, f, f, corr);
    std::vector<double> r(static_cast<size_t>(f));
    for (int64_t k = 0; k < f; ++k) r[k] = corr[k * f + k];
    return r;
}

idlab::ComponentSpec PearsonProbe::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "Pearson r of a no-intercept least-squares readout of each factor (DisLib protocol, paper Table 4)";
    s.doc =
        "For every factor field named in 'factors' (comma-separated; i64, f32 or f64, one value per sample): "
        "splits the evaluation samples in order into train (the first floor(train_fraction * n)) and held-out "
        "rows, standardises the factor with its train mean and standard deviation, fits least squares without "
        "intercept from the features to it on the train rows (minimum-norm, as pinv(X^T X) X^T y), and reports "
        "'pearson_<factor>', Pearson's r between the factor and its prediction on the held-out rows (0 when "
        "either is constant there). A factor constant on the train rows is an error. The host's baseline "
        "evaluation (features = x) gives the raw-input row of Table 4.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::string("factors", "", "comma-separated factor fields, e.g. \"elevation,azimuth,object_type\"")
            .make_required(),
        idlab::Param::floating("train_fraction", "0.5", "share of the evaluation samples (the first ones) used to fit")
            .above(0.0)
            .below(1.0),
    };
    return s;
}

PearsonProbe::PearsonProbe(const idlab::CreateContext& ctx, const idlab::Config& config)
    : factors_(parse_name_list(config.get_string("factors"), "factors")),
      train_fraction_(config.get_float("train_fraction")) {
    if (!(train_fraction_ > 0.0 && train_fraction_ < 1.0))
        idlab::config_error("train_fraction", "train_fraction must lie in (0, 1), got " + std::to_string(train_fraction_));
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
    inputs_.push_back("features");
    for (const std::string& name : factors_) {
        inputs_.push_back(name);
        values_.push_back("pearson_" + name);
    }
}

void PearsonProbe::evaluate(const idlab_exec_ctx_t&, const idlab::TensorSet& inputs, double* values) {
    const DLTensor& ft = inputs.get("features");
    core::require_float_matrix(ft, "features", -1, -1);
    const int64_t n = ft.shape[0];
    const int64_t p = ft.shape[1];
    const int64_t f = static_cast<int64_t>(factors_.size());
    if (p < 1) idlab::argument_error(std::string(kId) + ": the features have no columns");
    core::copy_finite(ft, kId, "features", x_);
    y_.assign(static_cast<size_t>(n * f), 0.0);
    for (int64_t k = 0; k < f; ++k) read_factor(inputs.get(factors_[k]), factors_[k], n, k, f, y_);
    const std::vector<double> r = pearson_probe(x_, y_, n, p, f, train_fraction_, factors_);
    for (int64_t k = 0; k < f; ++k) values[k] = r[k];
}

}  // namespace idlab::probes
