#include "cuda_adam.hpp"

#include "runtime/exec.hpp"

#include "adam.hpp"

#include <algorithm>
#include <cmath>

namespace idlab::cuda {

idlab::ComponentSpec CudaAdam::spec() {
    idlab::ComponentSpec s = core::Adam::spec();
    s.devices = IDLAB_DEVICE_CUDA;
    s.doc += " On CUDA: one fused kernel updates every parameter of the run per step.";
    return s;
}

CudaAdam::CudaAdam(const idlab::CreateContext& ctx, const idlab::Config& config)
    : settings_(config) {
    require_cuda_device(ctx, "core.adam");
    device_ = ctx.device();
    step_.reset(1);
    step_.fill_zero();
}

void CudaAdam::bind(const idlab_param_view_t* params, uint32_t count) {
    if (count > 0 && !params) idlab::argument_error("core.adam: bind() got no parameter views");
    if (bound_) idlab::argument_error("core.adam on CUDA: bind() may be called once");
    std::vector<float*> values;
    std::vector<const float*> grads;
    std::vector<int64_t> sizes;
    std::vector<kernels::AdamChunk> chunks;
    int64_t total = 0;
    for (uint32_t i = 0; i < count; ++i) {
        const idlab_param_view_t& p = params[i];
        const std::string name = p.name ? p.name : "#" + std::to_string(i);
        const std::string what = "core.adam: parameter '" + name + "'";
        for (const DLTensor* t : {&p.value, &p.grad}) {
            if (t->dtype.code != kDLFloat || t->dtype.bits != 32 || t->dtype.lanes != 1)
                idlab::argument_error(what + ": expected f32, got " + idlab::shape_string(*t));
            if (t->device.device_type != kDLCUDA || t->device.device_id != device_.device_id)
                idlab::argument_error(what + ": not on this CUDA device (the CUDA optimizer updates "
                                             "parameters of CUDA components only)");
            if (!t->data || !idlab::is_compact(*t)) idlab::argument_error(what + ": expected a compact tensor");
        }
        int64_t n = 1;
        for (int d = 0; d < p.value.ndim; ++d) n *= p.value.shape[d];
        int64_t gn = 1;
        for (int d = 0; d < p.grad.ndim; ++d) gn *= p.grad.shape[d];
        if (gn != n) idlab::argument_error(what + ": the gradient does not match the value");
        names_.push_back(name);
        values.push_back(idlab::data_of<float>(p.value));
        grads.push_back(idlab::data_of<float>(p.grad));
        sizes.push_back(n);
        for (int64_t start = 0; start < n; start += kernels::kAdamChunk)
            chunks.push_back({static_cast<int32_t>(i),
                              static_cast<int32_t>(std::min(kernels::kAdamChunk, n - start)), start});
        total += n;
    }
    moments_.reset(static_cast<size_t>(2 * total));
    moments_.fill_zero();
    std::vector<float*> m(count), v(count);
    int64_t offset = 0;
    for (uint32_t i = 0; i < count; ++i) {
        m[i] = moments_.data() + offset;
        v[i] = moments_.data() + total + offset;
        offset += sizes[i];
    }
    values_.upload(values);
    grads_.upload(grads);
    exp_avg_.upload(m);
    exp_avg_sq_.upload(v);
    chunks_.upload(chunks);
    chunk_count_ = static_cast<int64_t>(chunks.size());
    add_state("step", step_.data(), {1}, device_);
    for (uint32_t i = 0; i < count; ++i) {
        add_state(names_[i] + ".exp_avg", m[i], {sizes[i]}, device_);
        add_state(names_[i] + ".exp_avg_sq", v[i], {sizes[i]}, device_);
    }
    steps_ = 0;
    bound_ = true;
}

void CudaAdam::step(const idlab_exec_ctx_t& ctx) {
    if (!bound_) idlab::argument_error("core.adam: step() before bind()");
    ++steps_;
    // The CPU optimizer's constants, so both update with the same numbers.
    const auto k = settings_.scalars<kernels::AdamScalars>(steps_);
    const kernels::AdamTensors tensors{values_.data(), grads_.data(), exp_avg_.data(), exp_avg_sq_.data()};
    kernels::adam_step(tensors, chunks_.data(), chunk_count_, k, steps_, step_.data(), stream_of(ctx));
}

void CudaAdam::restored(const idlab_exec_ctx_t& ctx) {
    // The step count came back in the state tensor: the host-side counter follows it.
    step_.download(&steps_, 1, stream_of(ctx));
}

}  // namespace idlab::cuda
