// Test helper: core.linear_r2 created and evaluated through its C descriptor, the way the host
// does, so statuses, messages and the exception barrier are part of what the tests see.
#pragma once

#include "linear_r2.hpp"
#include "support/config_builder.hpp"
#include "support/tensor.hpp"

#include <idlab/plugin.hpp>

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

namespace idlab::test {

struct MetricResult {
    idlab_status_t status = IDLAB_STATUS_OK;
    std::string message;
    double value = 0.0;
};

class LinearR2Harness {
public:
    explicit LinearR2Harness(bool intercept) {
        config_.set_bool("intercept", intercept);
        idlab_create_ctx_t ctx{};
        ctx.struct_size = sizeof ctx;
        ctx.device = DLDevice{kDLCPU, 0};
        ctx.seed = 0;
        ctx.stage = "metrics";
        desc_ = idlab::detail::descriptor<idlab::core::LinearR2>();
        const idlab_status_t st = desc_->create(&ctx, config_.get(), &instance_, nullptr);
        REQUIRE(st == IDLAB_STATUS_OK);
        REQUIRE(instance_ != nullptr);
        metric_ = static_cast<const idlab_metric_i*>(
            instance_->get_interface(instance_, IDLAB_IFACE_METRIC));
        REQUIRE(metric_ != nullptr);
    }
    ~LinearR2Harness() {
        if (instance_) instance_->destroy(instance_);
    }
    LinearR2Harness(const LinearR2Harness&) = delete;
    LinearR2Harness& operator=(const LinearR2Harness&) = delete;

    // Evaluates on arbitrary named tensors (for malformed inputs).
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
        r.status = metric_->evaluate(instance_, &ctx, &set, &r.value, &err);
        r.message = message;
        return r;
    }

    // Evaluates features [n, p] against z [n, d] (row-major doubles, passed as float32).
    MetricResult evaluate(const std::vector<double>& features, const std::vector<double>& z,
                          int64_t n, int64_t p, int64_t d) {
        OwnedTensor<float> ft({n, p}), zt({n, d});
        for (size_t i = 0; i < ft.size(); ++i) ft[i] = static_cast<float>(features[i]);
        for (size_t i = 0; i < zt.size(); ++i) zt[i] = static_cast<float>(z[i]);
        return evaluate({{"features", ft.view()}, {"z", zt.view()}});
    }

private:
    ConfigBuilder config_;
    const idlab_component_desc_t* desc_ = nullptr;
    idlab_instance_t* instance_ = nullptr;
    const idlab_metric_i* metric_ = nullptr;
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

}  // namespace idlab::test
