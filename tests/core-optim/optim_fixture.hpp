// Helpers for the optimizer tests: parameters owned by the test and exposed as views, and a
// tiny quadratic problem whose gradient the test computes itself.
#pragma once

#include "support/config_builder.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace idlab::test {

// Parameters with gradients, owned here, handed to an optimizer as idlab_param_view_t.
class ParameterSet {
public:
    // Adds a float32 parameter of the given shape and start values; returns its index.
    size_t add(const std::string& name, std::vector<int64_t> shape, std::vector<float> start) {
        entries_.push_back(Entry{name, std::move(shape), std::move(start), {}});
        Entry& e = entries_.back();
        e.grad.assign(e.value.size(), 0.0f);
        return entries_.size() - 1;
    }
    std::vector<float>& value(size_t i) { return entries_[i].value; }
    std::vector<float>& grad(size_t i) { return entries_[i].grad; }
    size_t size() const { return entries_.size(); }

    // Views of every parameter, valid while this set lives and no parameter is added.
    const std::vector<idlab_param_view_t>& views() {
        views_.clear();
        for (Entry& e : entries_) {
            idlab_param_view_t v{};
            v.struct_size = sizeof(idlab_param_view_t);
            v.name = e.name.c_str();
            v.value = tensor(e.value.data(), e.shape);
            v.grad = tensor(e.grad.data(), e.shape);
            views_.push_back(v);
        }
        return views_;
    }

private:
    struct Entry {
        std::string name;
        std::vector<int64_t> shape;
        std::vector<float> value, grad;
    };
    static DLTensor tensor(float* data, std::vector<int64_t>& shape) {
        DLTensor t{};
        t.data = data;
        t.device = DLDevice{kDLCPU, 0};
        t.ndim = static_cast<int>(shape.size());
        t.dtype = DLDataType{kDLFloat, 32, 1};
        t.shape = shape.data();
        return t;
    }
    std::deque<Entry> entries_;
    std::vector<idlab_param_view_t> views_;
};

// The quadratic 0.5 * sum_i a_i (p_i - c_i)^2 over one flat vector of coordinates; its gradient
// is a_i (p_i - c_i). Curvatures and centres differ per coordinate so no two move alike.
inline double curvature(size_t i) { return 0.5 + 0.75 * static_cast<double>(i % 4); }
inline double centre(size_t i) { return 0.3 * static_cast<double>(i) - 1.0; }

// Writes the quadratic's gradient into every parameter's grad (coordinates numbered across
// parameters in order).
inline void quadratic_gradient(ParameterSet& params) {
    size_t k = 0;
    for (size_t p = 0; p < params.size(); ++p)
        for (size_t i = 0; i < params.value(p).size(); ++i, ++k)
            params.grad(p)[i] = static_cast<float>(curvature(k) * (params.value(p)[i] - centre(k)));
}

inline std::vector<double> flat(ParameterSet& params) {
    std::vector<double> out;
    for (size_t p = 0; p < params.size(); ++p)
        out.insert(out.end(), params.value(p).begin(), params.value(p).end());
    return out;
}

// Two parameters (a matrix and a vector) far from the optimum, so no gradient is tiny.
inline ParameterSet two_parameters() {
    ParameterSet params;
    params.add("layer.weight", {2, 3}, {2.0f, -1.5f, 0.7f, 3.0f, -2.5f, 1.0f});
    params.add("layer.bias", {2}, {-3.0f, 4.0f});
    return params;
}

inline idlab_exec_ctx_t exec_ctx(int64_t step) {
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof(idlab_exec_ctx_t);
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.training = 1;
    ctx.step = step;
    return ctx;
}

inline idlab_create_ctx_t optimizer_create_ctx(uint32_t threads = 1) {
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof(idlab_create_ctx_t);
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.seed = 1;
    ctx.stage = "optimizer";
    ctx.threads = threads;
    return ctx;
}

// Builds optimizer T from a config the way the host does (every parameter passed).
template <class T>
std::unique_ptr<T> make_optimizer(ConfigBuilder& config, uint32_t threads = 1) {
    const idlab_create_ctx_t ctx = optimizer_create_ctx(threads);
    return std::make_unique<T>(idlab::CreateContext(&ctx), idlab::Config(config.get()));
}

}  // namespace idlab::test
