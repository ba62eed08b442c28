// Helpers for the core.infonce tests: building the loss the way the host does, running it on
// stacked views, and an independent double-precision version of the loss written from its
// definition (distances and inner products computed directly, no Gram matrix).
#pragma once

#include "infonce.hpp"
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

inline std::unique_ptr<core::InfoNce> make_infonce(const std::string& form, double temperature,
                                                   int64_t dim, bool data_has_pairs = true) {
    ConfigBuilder config;
    config.set_string("form", form).set_float("temperature", temperature);
    std::vector<idlab_field_desc_t> fields;
    fields.push_back({sizeof(idlab_field_desc_t), "x", IDLAB_DTYPE_F32, 3, 0, "observation"});
    if (data_has_pairs)
        fields.push_back({sizeof(idlab_field_desc_t), "x_pos", IDLAB_DTYPE_F32, 3, 0, "positive"});
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof(idlab_create_ctx_t);
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.seed = 3;
    ctx.stage = "loss";
    ctx.field_count = static_cast<uint32_t>(fields.size());
    ctx.fields = fields.data();
    ctx.input_dim = dim;
    return std::make_unique<core::InfoNce>(idlab::CreateContext(&ctx), idlab::Config(config.get()));
}

inline std::vector<double> as_doubles(const OwnedTensor<float>& t) {
    return std::vector<double>(t.data(), t.data() + t.size());
}

// Runs the loss on features [2 * batch, dim] (anchors, then positives); fills dfeatures when it
// is not null.
inline double run_infonce(core::InfoNce& loss, OwnedTensor<float>& features,
                          OwnedTensor<float>* dfeatures) {
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof(idlab_exec_ctx_t);
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.training = dfeatures ? 1 : 0;
    idlab_tensor_set_t none{};
    DLTensor f = features.view();
    if (!dfeatures) return loss.forward(ctx, f, idlab::TensorSet(&none), nullptr);
    DLTensor df = dfeatures->view();
    return loss.forward(ctx, f, idlab::TensorSet(&none), &df);
}

// The mean InfoNCE loss in double: features holds 2 * batch rows of width dim, anchors first.
// sim(a, b) = -|a - b|^2 / tau (distance) or <a, b> / tau (dot);
// loss_i = -sim(h_i, p_i) + log(sum_k exp sim(h_i, h_k) + exp sim(h_i, p_i)).
inline double reference_infonce(const std::vector<double>& features, int64_t dim,
                                const std::string& form, double tau) {
    const int64_t batch = static_cast<int64_t>(features.size()) / (2 * dim);
    auto row = [&](int64_t r) { return features.data() + r * dim; };
    auto sim = [&](const double* a, const double* b) {
        double s = 0.0;
        for (int64_t c = 0; c < dim; ++c)
            s += form == "dot" ? a[c] * b[c] : -(a[c] - b[c]) * (a[c] - b[c]);
        return s / tau;
    };
    double total = 0.0;
    for (int64_t i = 0; i < batch; ++i) {
        std::vector<double> logits;
        for (int64_t k = 0; k < batch; ++k) logits.push_back(sim(row(i), row(k)));
        const double positive = sim(row(i), row(batch + i));
        logits.push_back(positive);
        const double top = *std::max_element(logits.begin(), logits.end());
        double sum = 0.0;
        for (double l : logits) sum += std::exp(l - top);
        total += -positive + top + std::log(sum);
    }
    return total / static_cast<double>(batch);
}

}  // namespace idlab::test
