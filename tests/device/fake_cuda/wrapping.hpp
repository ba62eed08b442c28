// What the fake CUDA components share: each wraps the CPU component of the same id, checks
// what the host hands it (the fake device's context and stream, device-labelled tensors in
// memory the device table allocated), relabels the tensors as CPU tensors (the memory is host
// memory) and calls the CPU component. So a run on the fake device computes exactly what the
// CPU run computes, and every difference in the host's handling shows up in the counters.
#pragma once

#include "fake_device.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace fake_cuda {

inline size_t tensor_bytes(const DLTensor& t) {
    size_t n = static_cast<size_t>(t.dtype.bits) / 8 * t.dtype.lanes;
    for (int d = 0; d < t.ndim; ++d) n *= static_cast<size_t>(t.shape[d]);
    return n;
}

inline const char* data_at(const DLTensor& t) {
    return static_cast<const char*>(t.data) + t.byte_offset;
}

// The spec of the CPU component, declared for the fake CUDA device instead.
inline idlab::ComponentSpec on_fake_device(idlab::ComponentSpec spec) {
    spec.devices = IDLAB_DEVICE_CUDA;
    spec.summary = "[fake cuda device] " + spec.summary;
    return spec;
}

// Counts a compute call and checks its context.
inline void check_call(const idlab_exec_ctx_t& ctx) {
    ++counters().calls;
    if (!is_our_context(ctx)) ++counters().calls_wrong_context;
}

// Checks a tensor the host hands a component: labelled as a device tensor and, when
// `host_memory` (the host's batch, feature and gradient buffers), allocated by the table.
inline void check_tensor(const DLTensor& t, bool host_memory = true) {
    if (t.device.device_type != kDLCUDA) ++counters().tensors_wrong_device;
    if (host_memory && !allocated_here(data_at(t), tensor_bytes(t))) ++counters().tensors_foreign;
}

inline DLTensor as_cpu(const DLTensor& t) {
    DLTensor c = t;
    c.device = DLDevice{kDLCPU, 0};
    return c;
}

inline idlab_exec_ctx_t as_cpu(const idlab_exec_ctx_t& ctx) {
    idlab_exec_ctx_t c = ctx;
    c.device = DLDevice{kDLCPU, 0};
    c.stream = nullptr;
    c.loss_out = nullptr;
    return c;
}

// A tensor set relabelled as CPU tensors, in storage kept between calls.
class CpuSet {
public:
    const idlab::TensorSet& relabel(const idlab_tensor_set_t* set) {
        items_.assign(set ? set->items : nullptr, set ? set->items + set->count : nullptr);
        for (idlab_named_tensor_t& item : items_) {
            check_tensor(item.tensor);
            item.tensor = as_cpu(item.tensor);
        }
        set_.count = static_cast<uint32_t>(items_.size());
        set_.items = items_.data();
        return view_;
    }

private:
    std::vector<idlab_named_tensor_t> items_;
    idlab_tensor_set_t set_{};
    idlab::TensorSet view_{&set_};
};

// The CPU component Inner inside a fake device component derived from Base.
template <class Base, class Inner>
class Wrapped : public Base {
public:
    ~Wrapped() override {
        for (const void* p : adopted_) forget(p);
    }

protected:
    Wrapped(const idlab::CreateContext& ctx, const idlab::Config& config) {
        if (ctx.device().device_type != kDLCUDA)
            throw idlab::Error(IDLAB_STATUS_UNSUPPORTED, "the fake CUDA components run on the fake device only");
        idlab_create_ctx_t cpu = ctx.raw();
        cpu.device = DLDevice{kDLCPU, 0};
        inner_ = std::make_unique<Inner>(idlab::CreateContext(&cpu), config);
        expose_tensors();
    }

    // Exposes the inner component's parameters, constants and state as device tensors.
    void expose_tensors() {
        const DLDevice dev{kDLCUDA, 0};
        for (uint32_t i = 0; i < inner_->parameter_count(); ++i) {
            const idlab_param_view_t& p = inner_->parameter(i);
            this->add_parameter(p.name, static_cast<float*>(p.value.data),
                                static_cast<float*>(p.grad.data), shape_of(p.value), dev);
            keep(p.value);
            keep(p.grad);
        }
        for (uint32_t i = 0; i < inner_->constant_count(); ++i) expose(inner_->constant(i), false);
        for (uint32_t i = 0; i < inner_->state_count(); ++i) expose(inner_->state(i), true);
    }

    Inner& inner() { return *inner_; }
    const Inner& inner() const { return *inner_; }

private:
    static std::vector<int64_t> shape_of(const DLTensor& t) {
        return std::vector<int64_t>(t.shape, t.shape + t.ndim);
    }
    void keep(const DLTensor& t) {
        adopt(data_at(t), tensor_bytes(t));
        adopted_.push_back(data_at(t));
    }
    void expose(const idlab_named_tensor_t& c, bool state) {
        const DLDevice dev{kDLCUDA, 0};
        const DLTensor& t = c.tensor;
        keep(t);
        if (t.dtype.code == kDLFloat && t.dtype.bits == 32) add(c.name, static_cast<float*>(t.data), t, dev, state);
        else if (t.dtype.code == kDLFloat) add(c.name, static_cast<double*>(t.data), t, dev, state);
        else add(c.name, static_cast<int64_t*>(t.data), t, dev, state);
    }
    template <class T>
    void add(const char* name, T* data, const DLTensor& t, DLDevice dev, bool state) {
        if (state) this->add_state(name, data, shape_of(t), dev);
        else this->add_constant(name, data, shape_of(t), dev);
    }

    std::unique_ptr<Inner> inner_;
    std::vector<const void*> adopted_;
};

}  // namespace fake_cuda
