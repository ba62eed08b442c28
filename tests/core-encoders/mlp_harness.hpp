// Test helper: builds core.mlp from a small description, runs it on owned tensors, finds its
// parameters by name, and computes the same network in double precision as a reference.
#pragma once

#include "mlp.hpp"
#include "support/config_builder.hpp"
#include "support/tensor.hpp"

#include <idlab/plugin.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace idlab::test {

struct MlpSetup {
    int64_t in_dim = 3;
    std::vector<int64_t> hidden = {6, 5};
    int64_t out_dim = 4;
    bool batch_norm = true;
    bool normalize_output = false;
    double slope = 0.01;
    double momentum = 0.1;
    double eps = 1e-5;
    uint64_t seed = 5;
    uint32_t threads = 1;  // CreateContext::threads(): the team core.mlp splits its layers over
};

inline ConfigBuilder mlp_config(const MlpSetup& s) {
    ConfigBuilder c;
    c.set_int_list("hidden", s.hidden)
        .set_int("out_dim", s.out_dim)
        .set_bool("batch_norm", s.batch_norm)
        .set_float("negative_slope", s.slope)
        .set_bool("normalize_output", s.normalize_output)
        .set_float("bn_momentum", s.momentum)
        .set_float("bn_eps", s.eps);
    return c;
}

inline idlab_create_ctx_t encoder_create_ctx(uint64_t seed, int64_t input_dim,
                                             const idlab_field_desc_t* fields = nullptr,
                                             uint32_t field_count = 0, uint32_t threads = 1) {
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.seed = seed;
    ctx.stage = "encoder";
    ctx.fields = fields;
    ctx.field_count = field_count;
    ctx.input_dim = input_dim;
    ctx.threads = threads;
    return ctx;
}

inline std::unique_ptr<idlab::core::Mlp> make_mlp(const MlpSetup& s) {
    ConfigBuilder config = mlp_config(s);
    const idlab_create_ctx_t ctx = encoder_create_ctx(s.seed, s.in_dim, nullptr, 0, s.threads);
    return std::make_unique<idlab::core::Mlp>(idlab::CreateContext(&ctx), idlab::Config(config.get()));
}

inline idlab_exec_ctx_t mlp_exec_ctx(bool training) {
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.training = training ? 1 : 0;
    return ctx;
}

// Standard normal float values.
inline std::vector<float> normal_values(size_t n, uint64_t seed, double stddev = 1.0) {
    std::mt19937_64 gen(seed);
    std::normal_distribution<double> normal(0.0, stddev);
    std::vector<float> v(n);
    for (float& x : v) x = static_cast<float>(normal(gen));
    return v;
}

inline OwnedTensor<float> tensor_from(const std::vector<float>& values, int64_t rows, int64_t cols) {
    OwnedTensor<float> t({rows, cols});
    REQUIRE(t.size() == values.size());
    for (size_t i = 0; i < values.size(); ++i) t[i] = values[i];
    return t;
}

// features [rows, out_dim] = mlp(x) in train or eval mode.
inline std::vector<float> run_forward(idlab::core::Mlp& mlp, const std::vector<float>& x,
                                      int64_t rows, int64_t in_dim, bool training) {
    OwnedTensor<float> xt = tensor_from(x, rows, in_dim);
    OwnedTensor<float> ft({rows, mlp.output_dim()});
    DLTensor xv = xt.view(), fv = ft.view();
    mlp.forward(mlp_exec_ctx(training), xv, fv);
    return std::vector<float>(ft.data(), ft.data() + ft.size());
}

inline const idlab_param_view_t& find_param(const idlab::core::Mlp& mlp, const std::string& name) {
    for (uint32_t i = 0; i < mlp.parameter_count(); ++i)
        if (name == mlp.parameter(i).name) return mlp.parameter(i);
    FAIL("no parameter named " << name);
    throw std::logic_error("unreachable");
}

inline int64_t element_count(const DLTensor& t) {
    int64_t n = 1;
    for (int d = 0; d < t.ndim; ++d) n *= t.shape[d];
    return n;
}

inline std::vector<double> param_values(const idlab::core::Mlp& mlp, const std::string& name) {
    const DLTensor& t = find_param(mlp, name).value;
    const float* p = static_cast<const float*>(t.data);
    return std::vector<double>(p, p + element_count(t));
}

// The network in double precision, from the parameters the MLP exposes. Train mode normalises
// with the batch statistics (biased variance); eval mode with the MLP's running statistics.
// When `batch_stats` is given, it receives per hidden layer the batch mean and the unbiased
// batch variance of the pre-normalisation activations (train mode only). When `pre_activations`
// is given, it receives every LeakyReLU input of every hidden layer (to locate its kinks).
struct BatchStats {
    std::vector<double> mean, unbiased_var;
};

inline std::vector<double> reference_forward(const idlab::core::Mlp& mlp, const MlpSetup& s,
                                             const std::vector<float>& x, int64_t rows,
                                             bool training,
                                             std::vector<BatchStats>* batch_stats = nullptr,
                                             std::vector<double>* pre_activations = nullptr) {
    std::vector<double> cur(x.begin(), x.end());
    int64_t width = s.in_dim;
    auto linear = [&](const std::string& name, int64_t out) {
        const std::vector<double> w = param_values(mlp, name + ".weight");
        const std::vector<double> b = param_values(mlp, name + ".bias");
        std::vector<double> y(static_cast<size_t>(rows * out));
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t o = 0; o < out; ++o) {
                double acc = b[o];
                for (int64_t k = 0; k < width; ++k) acc += cur[r * width + k] * w[o * width + k];
                y[r * out + o] = acc;
            }
        cur = y;
        width = out;
    };
    if (batch_stats) batch_stats->clear();
    if (pre_activations) pre_activations->clear();
    for (size_t i = 0; i < s.hidden.size(); ++i) {
        const std::string index = std::to_string(i);
        linear("layer" + index, s.hidden[i]);
        if (s.batch_norm) {
            const std::vector<double> gamma = param_values(mlp, "bn" + index + ".weight");
            const std::vector<double> beta = param_values(mlp, "bn" + index + ".bias");
            BatchStats stats;
            for (int64_t c = 0; c < width; ++c) {
                double mean, var;
                if (training) {
                    mean = 0.0;
                    for (int64_t r = 0; r < rows; ++r) mean += cur[r * width + c];
                    mean /= static_cast<double>(rows);
                    double sq = 0.0;
                    for (int64_t r = 0; r < rows; ++r)
                        sq += (cur[r * width + c] - mean) * (cur[r * width + c] - mean);
                    var = sq / static_cast<double>(rows);
                    stats.mean.push_back(mean);
                    stats.unbiased_var.push_back(sq / static_cast<double>(rows - 1));
                } else {
                    mean = mlp.running_mean(i)[c];
                    var = mlp.running_var(i)[c];
                }
                for (int64_t r = 0; r < rows; ++r)
                    cur[r * width + c] = gamma[c] * (cur[r * width + c] - mean) / std::sqrt(var + s.eps) + beta[c];
            }
            if (batch_stats) batch_stats->push_back(stats);
        }
        if (pre_activations) pre_activations->insert(pre_activations->end(), cur.begin(), cur.end());
        for (double& v : cur) v = v > 0.0 ? v : s.slope * v;
    }
    linear("out", s.out_dim);
    if (s.normalize_output) {
        for (int64_t r = 0; r < rows; ++r) {
            double n2 = 0.0;
            for (int64_t c = 0; c < width; ++c) n2 += cur[r * width + c] * cur[r * width + c];
            for (int64_t c = 0; c < width; ++c) cur[r * width + c] /= std::sqrt(n2);
        }
    }
    return cur;
}

}  // namespace idlab::test
