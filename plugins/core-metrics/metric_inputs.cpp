#include "metric_inputs.hpp"

#include <cmath>

namespace idlab::core {

namespace {
bool is_f64(const DLTensor& t) {
    return t.dtype.code == kDLFloat && t.dtype.bits == 64 && t.dtype.lanes == 1;
}
}  // namespace

void require_float_matrix(const DLTensor& t, const std::string& name, int64_t rows, int64_t cols) {
    idlab::require_tensor(t, name.c_str(), is_f64(t) ? IDLAB_DTYPE_F64 : IDLAB_DTYPE_F32, rows, cols);
}

void copy_finite(const DLTensor& t, const std::string& metric, const std::string& name,
                 std::vector<double>& out) {
    int64_t count = 1;
    for (int d = 0; d < t.ndim; ++d) count *= t.shape[d];
    if (is_f64(t)) {
        const double* data = idlab::data_of<double>(t);
        out.assign(data, data + count);
    } else {
        const float* data = idlab::data_of<float>(t);
        out.assign(data, data + count);
    }
    for (double v : out)
        if (!std::isfinite(v))
            throw idlab::Error(IDLAB_STATUS_NUMERIC_ERROR,
                               metric + ": " + name + " contains a non-finite value");
}

double positive_scalar(const DLTensor& t, const std::string& metric, const std::string& name) {
    idlab::require_tensor(t, name.c_str(), IDLAB_DTYPE_F64, 1, 0);
    const double value = *idlab::data_of<double>(t);
    if (!(value > 0.0) || !std::isfinite(value))
        idlab::argument_error(metric + ": " + name + " must be positive and finite, got " +
                              std::to_string(value));
    return value;
}

}  // namespace idlab::core
