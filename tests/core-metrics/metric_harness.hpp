// Test helper: a core-metrics component created and evaluated through its C descriptor, the
// way the host does, so statuses, messages and the exception barrier are part of what the
// tests see. Plus small generators of test matrices.
#pragma once

#include "linear_r2.hpp"
#include "support/config_builder.hpp"
#include "support/tensor.hpp"

#include <idlab/plugin.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace idlab::test {

struct MetricResult {
    idlab_status_t status = IDLAB_STATUS_OK;
    std::string message;
    std::vector<double> values;  // one per declared value name
    double value = 0.0;          // values[0]
};

template <class MetricT>
class MetricHarness {
public:
    // `config` must hold every parameter (the host fills in the defaults); it is read only
    // while the instance is created.
    explicit MetricHarness(ConfigBuilder& config) {
        idlab_create_ctx_t ctx{};
        ctx.struct_size = sizeof ctx;
        ctx.device = DLDevice{kDLCPU, 0};
        ctx.seed = 0;
        ctx.stage = "metrics";
        const idlab_component_desc_t* desc = idlab::detail::descriptor<MetricT>();
        const idlab_status_t st = desc->create(&ctx, config.get(), &instance_, nullptr);
        REQUIRE(st == IDLAB_STATUS_OK);
        REQUIRE(instance_ != nullptr);
        metric_ = static_cast<const idlab_metric_i*>(
            instance_->get_interface(instance_, IDLAB_IFACE_METRIC));
        REQUIRE(metric_ != nullptr);
    }
    ~MetricHarness() {
        if (instance_) instance_->destroy(instance_);
    }
    MetricHarness(const MetricHarness&) = delete;
    MetricHarness& operator=(const MetricHarness&) = delete;

    std::vector<std::string> inputs() const {
        std::vector<std::string> names;
        for (uint32_t i = 0; i < metric_->input_count(instance_); ++i)
            names.push_back(metric_->input_name(instance_, i));
        return names;
    }
    std::vector<std::string> values() const {
        std::vector<std::string> names;
        for (uint32_t i = 0; i < metric_->value_count(instance_); ++i)
            names.push_back(metric_->value_name(instance_, i));
        return names;
    }

    // Evaluates on arbitrary named tensors (malformed ones included).
    MetricResult evaluate(std::vector<idlab_named_tensor_t> items) {
        char message[512] = "";
        char key[64] = "";
        idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message,
                          key, sizeof key};
        idlab_tensor_set_t set{static_cast<uint32_t>(items.size()), items.data()};
        idlab_exec_ctx_t ctx{};
        ctx.struct_size = sizeof ctx;
        ctx.device = DLDevice{kDLCPU, 0};
        MetricResult r;
        // NaN marks a value the metric did not write.
        r.values.assign(metric_->value_count(instance_), std::numeric_limits<double>::quiet_NaN());
        r.status = metric_->evaluate(instance_, &ctx, &set, r.values.data(), &err);
        r.message = message;
        if (!r.values.empty()) r.value = r.values[0];
        return r;
    }

private:
    idlab_instance_t* instance_ = nullptr;
    const idlab_metric_i* metric_ = nullptr;
};

// A float32 tensor [rows, cols] holding the (rounded) values of a row-major double matrix.
inline OwnedTensor<float> float_tensor(const std::vector<double>& m, int64_t rows, int64_t cols) {
    OwnedTensor<float> t({rows, cols});
    REQUIRE(t.size() == m.size());
    for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(m[i]);
    return t;
}

// core.linear_r2 with its parameters, scored on features [n, p] against z [n, d].
class LinearR2Harness : public MetricHarness<core::LinearR2> {
public:
    explicit LinearR2Harness(bool intercept, const std::string& singular_values = "none")
        : MetricHarness(ConfigBuilder()
                            .set_bool("intercept", intercept)
                            .set_string("singular_values", singular_values)) {}
    using MetricHarness::evaluate;
    MetricResult evaluate(const std::vector<double>& features, const std::vector<double>& z,
                          int64_t n, int64_t p, int64_t d) {
        OwnedTensor<float> ft = float_tensor(features, n, p), zt = float_tensor(z, n, d);
        return evaluate({{"features", ft.view()}, {"z", zt.view()}});
    }
};

// Row-major [rows, cols] standard normal matrix.
inline std::vector<double> gaussian_matrix(std::mt19937_64& gen, int64_t rows, int64_t cols,
                                           double stddev = 1.0) {
    std::normal_distribution<double> normal(0.0, stddev);
    std::vector<double> m(static_cast<size_t>(rows * cols));
    for (double& v : m) v = normal(gen);
    return m;
}

// y [n, d] = x [n, p] * a [p, d] + offset (per column).
inline std::vector<double> affine_map(const std::vector<double>& x, const std::vector<double>& a,
                                      const std::vector<double>& offset, int64_t n, int64_t p,
                                      int64_t d) {
    std::vector<double> y(static_cast<size_t>(n * d));
    for (int64_t r = 0; r < n; ++r)
        for (int64_t j = 0; j < d; ++j) {
            double s = offset[static_cast<size_t>(j)];
            for (int64_t k = 0; k < p; ++k) s += x[r * p + k] * a[k * d + j];
            y[r * d + j] = s;
        }
    return y;
}

// A random orthogonal [d, d] matrix: Gram–Schmidt on the rows of a Gaussian matrix.
inline std::vector<double> random_orthogonal(std::mt19937_64& gen, int64_t d) {
    std::vector<double> q = gaussian_matrix(gen, d, d);
    for (int64_t i = 0; i < d; ++i) {
        for (int64_t k = 0; k < i; ++k) {
            double dot = 0.0;
            for (int64_t j = 0; j < d; ++j) dot += q[i * d + j] * q[k * d + j];
            for (int64_t j = 0; j < d; ++j) q[i * d + j] -= dot * q[k * d + j];
        }
        double norm = 0.0;
        for (int64_t j = 0; j < d; ++j) norm += q[i * d + j] * q[i * d + j];
        norm = std::sqrt(norm);
        for (int64_t j = 0; j < d; ++j) q[i * d + j] /= norm;
    }
    return q;
}

// Values as a metric sees them after the float32 hand-over, so "exact" maps stay exact.
inline void round_to_float(std::vector<double>& v) {
    for (double& x : v) x = static_cast<double>(static_cast<float>(x));
}

}  // namespace idlab::test
