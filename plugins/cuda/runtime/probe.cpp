#include "probe.hpp"

#include "cuda_check.hpp"

#include <cuda_runtime_api.h>
#include <dlfcn.h>

namespace idlab::cuda {

namespace {
// The oldest GPUs the plugin's kernels run on (sm_80; see CMAKE_CUDA_ARCHITECTURES).
constexpr int kMinMajor = 8;

bool driver_library_present() {
    void* lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (!lib) return false;
    dlclose(lib);
    return true;
}
}  // namespace

bool probe(std::string& reason) {
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
        cudaGetLastError();
        reason = "no CUDA device (cudaGetDeviceCount: " + error_text(status) + ")";
        if (status == cudaErrorInsufficientDriver && !driver_library_present())
            reason = "no CUDA device (no NVIDIA driver: libcuda.so.1 is not installed; "
                     "cudaGetDeviceCount: " + error_text(status) + ")";
        return false;
    }
    if (count == 0) {
        reason = "no CUDA device (the driver reports no GPU)";
        return false;
    }
    int major = 0, minor = 0;
    cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0);
    cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0);
    if (major < kMinMajor) {
        cudaDeviceProp props{};
        cudaGetDeviceProperties(&props, 0);
        reason = "no CUDA device this build supports: GPU 0 (" + std::string(props.name) +
                 ") has compute capability " + std::to_string(major) + "." + std::to_string(minor) +
                 "; the plugin's kernels need 8.0 or newer";
        return false;
    }
    return true;
}

}  // namespace idlab::cuda
