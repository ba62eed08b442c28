// core.adam on CUDA: torch.optim.Adam exactly as the CPU optimizer computes it
// (plugins/core-optim/adam.hpp), for parameters on the GPU, with every parameter of the run
// updated by one kernel launch per step. The moments and the step count are state
// (idlab.state/1: "step", "<parameter>.exp_avg", "<parameter>.exp_avg_sq") on the GPU.
#pragma once

#include "adam_settings.hpp"
#include "kernels/adam_kernel.cuh"
#include "runtime/device_buffer.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::cuda {

class CudaAdam final : public idlab::Optimizer {
public:
    static idlab::ComponentSpec spec();
    CudaAdam(const idlab::CreateContext& ctx, const idlab::Config& config);

    void bind(const idlab_param_view_t* params, uint32_t count) override;
    void step(const idlab_exec_ctx_t& ctx) override;
    void restored(const idlab_exec_ctx_t& ctx) override;

    int64_t steps_taken() const { return steps_; }

private:
    core::AdamSettings settings_;
    DLDevice device_{kDLCUDA, 0};
    std::vector<std::string> names_;
    DeviceBuffer<float> moments_;                 // exp_avg then exp_avg_sq of every parameter
    DeviceBuffer<float*> values_, exp_avg_, exp_avg_sq_;
    DeviceBuffer<const float*> grads_;
    DeviceBuffer<kernels::AdamChunk> chunks_;
    DeviceBuffer<int64_t> step_;                  // the step count, as state
    int64_t chunk_count_ = 0;
    int64_t steps_ = 0;
    bool bound_ = false;
};

}  // namespace idlab::cuda
