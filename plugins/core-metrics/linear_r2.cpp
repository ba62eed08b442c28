#include "linear_r2.hpp"

#include "least_squares.hpp"
#include "metric_inputs.hpp"
#include "singular_values.hpp"

#include <string>

namespace idlab::core {

namespace {
constexpr const char* kKappa = "data.kappa";
}  // namespace

double linear_r2(const double* x, const double* y, int64_t n, int64_t p, int64_t d, bool intercept) {
    const int64_t train = n / 2;
    const int64_t test = n - train;
    const LinearFit fit = fit_least_squares(x, y, train, p, d, intercept);
    std::vector<double> yhat(static_cast<size_t>(test * d));
    fit.predict(x + train * p, test, yhat.data());
    return r2_score(y + train * d, yhat.data(), test, d);
}

idlab::ComponentSpec LinearR2::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "R² of a least-squares map from features to the true latents z, on held-out rows";
    s.doc =
        "Fits ordinary least squares z ~ features on the first half of the evaluation samples and "
        "reports sklearn's r2_score (uniform average over latent dimensions) on the second half: "
        "'linear_r2' with an intercept (affine map, the paper's R²_a), 'linear_r2_o' without (R²_o). "
        "singular_values = \"inverse_kappa\" or \"one\" adds 'sv_mae': the least-squares map without "
        "intercept is fitted on all evaluation samples and the mean |s_k - target| of its singular "
        "values is reported, with target 1/kappa (read from the data's constant 'data.kappa'; the "
        "theory's f = kappa O z for unit-norm head rows) or 1 (the paper's MAE_o).";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::boolean("intercept", "true", "fit an intercept (affine map); false: linear map through 0"),
        idlab::Param::string("singular_values", "\"none\"",
                             "also report sv_mae, the singular values' mean absolute error against "
                             "1/kappa or 1")
            .one_of("none|inverse_kappa|one"),
    };
    return s;
}

LinearR2::LinearR2(const idlab::CreateContext&, const idlab::Config& config)
    : intercept_(config.get_bool("intercept")) {
    const std::string sv = config.get_string("singular_values");
    if (sv == "none") singular_values_ = SingularValues::none;
    else if (sv == "inverse_kappa") singular_values_ = SingularValues::inverse_kappa;
    else if (sv == "one") singular_values_ = SingularValues::one;
    else
        idlab::config_error("singular_values", "singular_values must be \"none\", \"inverse_kappa\" "
                                               "or \"one\", got \"" + sv + "\"");

    values_.push_back(intercept_ ? "linear_r2" : "linear_r2_o");
    if (singular_values_ != SingularValues::none) values_.push_back("sv_mae");
    if (singular_values_ == SingularValues::inverse_kappa) inputs_.push_back(kKappa);
}

void LinearR2::evaluate(const idlab_exec_ctx_t&, const idlab::TensorSet& inputs, double* values) {
    const DLTensor& ft = inputs.get("features");
    const DLTensor& zt = inputs.get("z");
    idlab::require_tensor(ft, "features", IDLAB_DTYPE_F32, -1, -1);
    idlab::require_tensor(zt, "z", IDLAB_DTYPE_F32, ft.shape[0], -1);
    const int64_t n = ft.shape[0];
    const int64_t p = ft.shape[1];
    const int64_t d = zt.shape[1];
    if (n < 4) idlab::argument_error("linear_r2 needs at least 4 samples, got " + std::to_string(n));
    if (p < 1 || d < 1) idlab::argument_error("linear_r2: features and z need at least one column");
    double target = 1.0;
    if (singular_values_ == SingularValues::inverse_kappa)
        target = 1.0 / positive_scalar(inputs.get(kKappa), "linear_r2", kKappa);

    copy_finite(ft, "linear_r2", "features", x_);
    copy_finite(zt, "linear_r2", "z", y_);
    values[0] = linear_r2(x_.data(), y_.data(), n, p, d, intercept_);
    if (singular_values_ != SingularValues::none)
        values[1] = singular_value_mae(x_.data(), y_.data(), n, p, d, target);
}

}  // namespace idlab::core
