// Test helper: builds core.cnn from a small description, runs it on owned tensors, finds its
// parameters by name, and computes the same network naively in double precision (direct
// convolution loops, no im2col, no GEMM) as a reference.
#pragma once

#include "cnn.hpp"
#include "support/config_builder.hpp"
#include "support/tensor.hpp"

#include <idlab/plugin.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace idlab::test {

struct CnnSetup {
    int64_t channels = 1, height = 8, width = 8;
    std::vector<int64_t> widths = {4, 8};
    std::vector<int64_t> blocks = {1, 1};
    int64_t stem_kernel = 3;
    bool max_pool = false;
    int64_t out_dim = 6;
    bool batch_norm = true;
    double momentum = 0.1;
    double eps = 1e-5;
    uint64_t seed = 7;

    int64_t input_dim() const { return channels * height * width; }
};

inline ConfigBuilder cnn_config(const CnnSetup& s) {
    ConfigBuilder c;
    c.set_int("channels", s.channels)
        .set_int("height", s.height)
        .set_int("width", s.width)
        .set_int_list("widths", s.widths)
        .set_int_list("blocks", s.blocks)
        .set_int("stem_kernel", s.stem_kernel)
        .set_bool("max_pool", s.max_pool)
        .set_int("out_dim", s.out_dim)
        .set_bool("batch_norm", s.batch_norm)
        .set_float("bn_momentum", s.momentum)
        .set_float("bn_eps", s.eps);
    return c;
}

inline idlab_create_ctx_t cnn_create_ctx(uint64_t seed, int64_t input_dim) {
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.seed = seed;
    ctx.stage = "encoder";
    ctx.input_dim = input_dim;
    return ctx;
}

// input_dim < 0: the setup's channels * height * width.
inline std::unique_ptr<idlab::cnn::Cnn> make_cnn(const CnnSetup& s, int64_t input_dim = -1) {
    ConfigBuilder config = cnn_config(s);
    const idlab_create_ctx_t ctx = cnn_create_ctx(s.seed, input_dim < 0 ? s.input_dim() : input_dim);
    return std::make_unique<idlab::cnn::Cnn>(idlab::CreateContext(&ctx), idlab::Config(config.get()));
}

inline idlab_exec_ctx_t cnn_exec_ctx(bool training) {
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.training = training ? 1 : 0;
    return ctx;
}

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
    std::copy(values.begin(), values.end(), t.data());
    return t;
}

// features [rows, out_dim] = cnn(x) in train or eval mode.
inline std::vector<float> run_forward(idlab::cnn::Cnn& cnn, const std::vector<float>& x,
                                      int64_t rows, bool training) {
    OwnedTensor<float> xt = tensor_from(x, rows, cnn.input_shape().size());
    OwnedTensor<float> ft({rows, cnn.output_dim()});
    DLTensor xv = xt.view(), fv = ft.view();
    cnn.forward(cnn_exec_ctx(training), xv, fv);
    return std::vector<float>(ft.data(), ft.data() + ft.size());
}

inline int64_t element_count(const DLTensor& t) {
    int64_t n = 1;
    for (int d = 0; d < t.ndim; ++d) n *= t.shape[d];
    return n;
}

inline const idlab_param_view_t* find_param(const idlab::cnn::Cnn& cnn, const std::string& name) {
    for (uint32_t i = 0; i < cnn.parameter_count(); ++i)
        if (name == cnn.parameter(i).name) return &cnn.parameter(i);
    return nullptr;
}

inline std::vector<double> param_values(const idlab::cnn::Cnn& cnn, const std::string& name) {
    const idlab_param_view_t* p = find_param(cnn, name);
    if (!p) {
        FAIL("no parameter named " << name);
        throw std::logic_error("unreachable");
    }
    const float* v = static_cast<const float*>(p->value.data);
    return std::vector<double>(v, v + element_count(p->value));
}

// ------------------------------------------------------------------ reference network

// A batch of feature maps in double, NCHW.
struct Maps {
    int64_t n = 0, c = 0, h = 0, w = 0;
    std::vector<double> v;

    Maps() = default;
    Maps(int64_t n_, int64_t c_, int64_t h_, int64_t w_) : n(n_), c(c_), h(h_), w(w_), v(static_cast<size_t>(n_ * c_ * h_ * w_), 0.0) {}
    double& at(int64_t i, int64_t ch, int64_t y, int64_t x) { return v[static_cast<size_t>(((i * c + ch) * h + y) * w + x)]; }
    double at(int64_t i, int64_t ch, int64_t y, int64_t x) const { return v[static_cast<size_t>(((i * c + ch) * h + y) * w + x)]; }
};

// Direct convolution with zero padding; weight [out, in, k, k]; bias may be empty.
inline Maps reference_conv(const Maps& x, const std::vector<double>& weight,
                           const std::vector<double>& bias, int64_t out_channels, int64_t k,
                           int64_t stride, int64_t pad) {
    Maps y(x.n, out_channels, (x.h + 2 * pad - k) / stride + 1, (x.w + 2 * pad - k) / stride + 1);
    for (int64_t i = 0; i < x.n; ++i)
        for (int64_t o = 0; o < out_channels; ++o)
            for (int64_t oy = 0; oy < y.h; ++oy)
                for (int64_t ox = 0; ox < y.w; ++ox) {
                    double acc = bias.empty() ? 0.0 : bias[static_cast<size_t>(o)];
                    for (int64_t ci = 0; ci < x.c; ++ci)
                        for (int64_t ky = 0; ky < k; ++ky)
                            for (int64_t kx = 0; kx < k; ++kx) {
                                const int64_t iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                                if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
                                acc += weight[static_cast<size_t>(((o * x.c + ci) * k + ky) * k + kx)] * x.at(i, ci, iy, ix);
                            }
                    y.at(i, o, oy, ox) = acc;
                }
    return y;
}

struct ChannelStats {
    std::vector<double> mean, unbiased_var;
};

// Batch norm with the batch statistics (training) or the given running statistics.
inline void reference_batch_norm(Maps& h, const idlab::cnn::BatchNorm2d& bn, bool training,
                                 double eps, std::vector<ChannelStats>* stats) {
    ChannelStats s;
    const double count = static_cast<double>(h.n * h.h * h.w);
    for (int64_t ch = 0; ch < h.c; ++ch) {
        double mean = 0.0, var = 0.0;
        if (training) {
            for (int64_t i = 0; i < h.n; ++i)
                for (int64_t y = 0; y < h.h; ++y)
                    for (int64_t x = 0; x < h.w; ++x) mean += h.at(i, ch, y, x);
            mean /= count;
            double sq = 0.0;
            for (int64_t i = 0; i < h.n; ++i)
                for (int64_t y = 0; y < h.h; ++y)
                    for (int64_t x = 0; x < h.w; ++x) sq += (h.at(i, ch, y, x) - mean) * (h.at(i, ch, y, x) - mean);
            var = sq / count;
            s.mean.push_back(mean);
            s.unbiased_var.push_back(sq / (count - 1.0));
        } else {
            mean = bn.running_mean[static_cast<size_t>(ch)];
            var = bn.running_var[static_cast<size_t>(ch)];
        }
        const double g = bn.gamma[static_cast<size_t>(ch)], b = bn.beta[static_cast<size_t>(ch)];
        for (int64_t i = 0; i < h.n; ++i)
            for (int64_t y = 0; y < h.h; ++y)
                for (int64_t x = 0; x < h.w; ++x) h.at(i, ch, y, x) = g * (h.at(i, ch, y, x) - mean) / std::sqrt(var + eps) + b;
    }
    if (stats) stats->push_back(s);
}

inline void reference_relu(Maps& m) {
    for (double& v : m.v) v = std::max(v, 0.0);
}

inline std::vector<double> to_double(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

// conv (+ bias when there is no batch norm) then batch norm, from the unit's own tensors.
inline Maps reference_conv_bn(const Maps& x, const idlab::cnn::ConvBn& unit, int64_t k, int64_t stride,
                              int64_t pad, bool training, double eps, std::vector<ChannelStats>* stats) {
    const int64_t out_channels = static_cast<int64_t>(unit.conv.weight.size()) / (x.c * k * k);
    Maps y = reference_conv(x, to_double(unit.conv.weight), to_double(unit.conv.bias), out_channels, k, stride, pad);
    if (unit.bn) reference_batch_norm(y, *unit.bn, training, eps, stats);
    return y;
}

// The whole network, with the geometry taken from the setup (not from the implementation).
// `stats` receives the batch statistics of every batch norm input in the order stem, then per
// block bn1, bn2, downsample (training only).
inline std::vector<double> reference_forward(const idlab::cnn::Cnn& cnn, const CnnSetup& s,
                                             const std::vector<float>& x, int64_t rows, bool training,
                                             std::vector<ChannelStats>* stats = nullptr) {
    Maps cur(rows, s.channels, s.height, s.width);
    std::copy(x.begin(), x.end(), cur.v.begin());
    if (stats) stats->clear();
    const int64_t stem_stride = s.stem_kernel == 7 ? 2 : 1;
    cur = reference_conv_bn(cur, cnn.stem(), s.stem_kernel, stem_stride, s.stem_kernel / 2, training, s.eps, stats);
    reference_relu(cur);
    if (s.max_pool) {
        Maps pooled(cur.n, cur.c, (cur.h + 2 - 3) / 2 + 1, (cur.w + 2 - 3) / 2 + 1);
        for (int64_t i = 0; i < cur.n; ++i)
            for (int64_t ch = 0; ch < cur.c; ++ch)
                for (int64_t oy = 0; oy < pooled.h; ++oy)
                    for (int64_t ox = 0; ox < pooled.w; ++ox) {
                        double best = -std::numeric_limits<double>::infinity();
                        for (int64_t iy = oy * 2 - 1; iy <= oy * 2 + 1; ++iy)
                            for (int64_t ix = ox * 2 - 1; ix <= ox * 2 + 1; ++ix)
                                if (iy >= 0 && iy < cur.h && ix >= 0 && ix < cur.w) best = std::max(best, cur.at(i, ch, iy, ix));
                        pooled.at(i, ch, oy, ox) = best;
                    }
        cur = pooled;
    }
    size_t index = 0;
    for (size_t stage = 0; stage < s.widths.size(); ++stage) {
        for (int64_t b = 0; b < s.blocks[stage]; ++b) {
            const idlab::cnn::BasicBlock& block = cnn.block(index++);
            const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
            Maps t = reference_conv_bn(cur, block.conv1, 3, stride, 1, training, s.eps, stats);
            reference_relu(t);
            t = reference_conv_bn(t, block.conv2, 3, 1, 1, training, s.eps, stats);
            const bool project = stride != 1 || cur.c != s.widths[stage];
            REQUIRE(project == block.downsample.has_value());
            Maps shortcut = project ? reference_conv_bn(cur, *block.downsample, 1, stride, 0, training, s.eps, stats) : cur;
            for (size_t i = 0; i < t.v.size(); ++i) t.v[i] = std::max(t.v[i] + shortcut.v[i], 0.0);
            cur = t;
        }
    }
    const int64_t features = cur.c;
    std::vector<double> pooled(static_cast<size_t>(rows * features), 0.0);
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t ch = 0; ch < features; ++ch) {
            double sum = 0.0;
            for (int64_t y = 0; y < cur.h; ++y)
                for (int64_t x2 = 0; x2 < cur.w; ++x2) sum += cur.at(i, ch, y, x2);
            pooled[static_cast<size_t>(i * features + ch)] = sum / static_cast<double>(cur.h * cur.w);
        }
    if (s.out_dim == features) return pooled;
    const std::vector<double> w = param_values(cnn, "fc.weight");
    const std::vector<double> bias = param_values(cnn, "fc.bias");
    std::vector<double> out(static_cast<size_t>(rows * s.out_dim));
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t o = 0; o < s.out_dim; ++o) {
            double acc = bias[static_cast<size_t>(o)];
            for (int64_t k = 0; k < features; ++k) acc += w[static_cast<size_t>(o * features + k)] * pooled[static_cast<size_t>(i * features + k)];
            out[static_cast<size_t>(i * s.out_dim + o)] = acc;
        }
    return out;
}

// max |a - b| / max(max |b|, floor)
inline double max_relative_difference(const std::vector<float>& a, const std::vector<double>& b, double floor = 1e-3) {
    double diff = 0.0, scale = floor;
    for (size_t i = 0; i < a.size(); ++i) {
        diff = std::max(diff, std::abs(a[i] - b[i]));
        scale = std::max(scale, std::abs(b[i]));
    }
    return diff / scale;
}

}  // namespace idlab::test
