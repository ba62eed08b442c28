#include "linear_r2.hpp"

#include "least_squares.hpp"

#include <cmath>
#include <string>

namespace idlab::core {

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
        "reports sklearn's r2_score (uniform average over latent dimensions) on the second half.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::boolean("intercept", "true", "fit an intercept (affine map); false: linear map through 0"),
    };
    return s;
}

LinearR2::LinearR2(const idlab::CreateContext&, const idlab::Config& config)
    : intercept_(config.get_bool("intercept")) {}

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

    // Metrics run in float64.
    const float* f = idlab::data_of<float>(ft);
    const float* z = idlab::data_of<float>(zt);
    std::vector<double> x(f, f + n * p), y(z, z + n * d);
    for (double v : x)
        if (!std::isfinite(v))
            throw idlab::Error(IDLAB_STATUS_NUMERIC_ERROR, "linear_r2: features contain a non-finite value");
    for (double v : y)
        if (!std::isfinite(v))
            throw idlab::Error(IDLAB_STATUS_NUMERIC_ERROR, "linear_r2: z contains a non-finite value");
    values[0] = linear_r2(x.data(), y.data(), n, p, d, intercept_);
}

}  // namespace idlab::core
