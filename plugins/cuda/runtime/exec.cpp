#include "exec.hpp"

#include "cuda_check.hpp"

namespace idlab::cuda {

void require_cuda_device(const idlab::CreateContext& ctx, const char* id) {
    if (ctx.device().device_type != kDLCUDA)
        throw idlab::Error(IDLAB_STATUS_UNSUPPORTED,
                           std::string(id) + " from the CUDA plugin runs on CUDA devices only");
    check(cudaSetDevice(ctx.device().device_id), "cudaSetDevice(" + std::to_string(ctx.device().device_id) + ")");
}

idlab_create_ctx_t cpu_twin(const idlab::CreateContext& ctx) {
    idlab_create_ctx_t cpu = ctx.raw();
    cpu.device = DLDevice{kDLCPU, 0};
    return cpu;
}

}  // namespace idlab::cuda
