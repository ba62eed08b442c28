// What every CUDA component does with the context and tensors the host hands it.
#pragma once

#include <idlab/plugin.hpp>

#include <cuda_runtime_api.h>

#include <string>

namespace idlab::cuda {

// The stream of a compute call (the legacy default stream when the host gave none).
inline cudaStream_t stream_of(const idlab_exec_ctx_t& ctx) {
    return static_cast<cudaStream_t>(ctx.stream);
}

// Refuses a component placed anywhere but on a CUDA device, and makes that GPU current.
void require_cuda_device(const idlab::CreateContext& ctx, const char* id);

// A create context for the CPU twin of a component: same pipeline, on the CPU. The CUDA
// components build their CPU counterpart through it for validation, set-up and the initial
// values, so that both start from the same numbers.
idlab_create_ctx_t cpu_twin(const idlab::CreateContext& ctx);

// Checks a tensor the way idlab::require_tensor does, on the CUDA device.
inline void require_device_tensor(const DLTensor& t, const char* what, idlab_dtype_t dtype,
                                  int64_t rows, int64_t cols) {
    idlab::require_tensor(t, what, dtype, rows, cols, kDLCUDA);
}

}  // namespace idlab::cuda
