// Helpers for the core.cross_entropy tests: building the component the way the host does,
// handing it tensors, and an independent double-precision version of the loss.
#pragma once

#include "cross_entropy.hpp"
#include "support/config_builder.hpp"
#include "support/tensor.hpp"

#include <idlab/plugin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idlab::test {

struct LossOptions {
    std::string target = "label";
    bool normalize_rows = false;
    bool normalize_features = false;
    bool learn_temperature = false;
    double temperature_init = 1.0;
    double label_smoothing = 0.0;
};

// The data fields the loss sees at create(): "label" and "index" are categorical.
struct DataFields {
    int64_t label_classes = 5;
    int64_t index_classes = 9;
    int32_t label_dtype = IDLAB_DTYPE_I64;
    bool with_index = true;

    std::vector<idlab_field_desc_t> descriptors() const {
        std::vector<idlab_field_desc_t> f;
        f.push_back({sizeof(idlab_field_desc_t), "x", IDLAB_DTYPE_F32, 3, 0, "observation"});
        f.push_back({sizeof(idlab_field_desc_t), "label", label_dtype, 0, label_classes, "class"});
        if (with_index)
            f.push_back({sizeof(idlab_field_desc_t), "index", IDLAB_DTYPE_I64, 0, index_classes,
                         "instance"});
        return f;
    }
};

inline std::unique_ptr<core::CrossEntropy> make_loss(const LossOptions& o, int64_t dim,
                                                     const DataFields& data = {},
                                                     uint64_t seed = 7, uint32_t threads = 1) {
    ConfigBuilder config;
    config.set_string("target", o.target)
        .set_bool("normalize_rows", o.normalize_rows)
        .set_bool("normalize_features", o.normalize_features)
        .set_bool("learn_temperature", o.learn_temperature)
        .set_float("temperature_init", o.temperature_init)
        .set_float("label_smoothing", o.label_smoothing);
    const std::vector<idlab_field_desc_t> fields = data.descriptors();
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof(idlab_create_ctx_t);
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.seed = seed;
    ctx.stage = "loss";
    ctx.field_count = static_cast<uint32_t>(fields.size());
    ctx.fields = fields.data();
    ctx.input_dim = dim;
    ctx.threads = threads;
    return std::make_unique<core::CrossEntropy>(idlab::CreateContext(&ctx),
                                                idlab::Config(config.get()));
}

inline idlab_exec_ctx_t training_ctx() {
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof(idlab_exec_ctx_t);
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.training = 1;
    return ctx;
}

// A named tensor set over borrowed views (the views must outlive it).
class Inputs {
public:
    Inputs& add(const char* name, DLTensor view) {
        items_.push_back(idlab_named_tensor_t{name, view});
        set_.count = static_cast<uint32_t>(items_.size());
        set_.items = items_.data();
        return *this;
    }
    idlab::TensorSet tensors() const { return idlab::TensorSet(&set_); }

private:
    std::vector<idlab_named_tensor_t> items_;
    idlab_tensor_set_t set_{};
};

// The head and (with learn_temperature) beta, as float pointers into the component.
inline float* head_values(core::CrossEntropy& loss) {
    return idlab::data_of<float>(loss.parameter(0).value);
}
inline const float* head_grads(core::CrossEntropy& loss) {
    return idlab::data_of<float>(loss.parameter(0).grad);
}

// Mean cross-entropy in double, written from the definition: logits_ij = beta <w_j, f_i>
// (f_i divided by its norm when normalize_features), target distribution
// q = (1 - eps) onehot + eps / classes, loss_i = -sum_j q_j log softmax(logits_i)_j.
inline double reference_loss(const std::vector<double>& features, const std::vector<double>& head,
                             double beta, const std::vector<int64_t>& targets, int64_t dim,
                             double smoothing, bool normalize_features) {
    const int64_t batch = static_cast<int64_t>(targets.size());
    const int64_t classes = static_cast<int64_t>(head.size()) / dim;
    double total = 0.0;
    for (int64_t i = 0; i < batch; ++i) {
        std::vector<double> f(features.begin() + i * dim, features.begin() + (i + 1) * dim);
        if (normalize_features) {
            double norm = 0.0;
            for (double v : f) norm += v * v;
            norm = std::sqrt(norm);
            for (double& v : f) v /= norm;
        }
        std::vector<double> logits(classes, 0.0);
        for (int64_t j = 0; j < classes; ++j) {
            for (int64_t d = 0; d < dim; ++d) logits[j] += head[j * dim + d] * f[d];
            logits[j] *= beta;
        }
        const double top = *std::max_element(logits.begin(), logits.end());
        double sum = 0.0;
        for (double l : logits) sum += std::exp(l - top);
        const double lse = top + std::log(sum);
        for (int64_t j = 0; j < classes; ++j) {
            const double q = (j == targets[i] ? 1.0 - smoothing : 0.0) + smoothing / classes;
            total -= q * (logits[j] - lse);
        }
    }
    return total / static_cast<double>(batch);
}

inline std::vector<double> to_double(const float* p, size_t n) { return std::vector<double>(p, p + n); }

}  // namespace idlab::test
