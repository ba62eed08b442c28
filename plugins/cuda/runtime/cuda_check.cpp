#include "cuda_check.hpp"

#include "cublas_library.hpp"

#include <idlab/plugin.hpp>

namespace idlab::cuda {

std::string error_text(cudaError_t status) {
    return std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status);
}

void check(cudaError_t status, const std::string& what) {
    if (status == cudaSuccess) return;
    if (status == cudaErrorMemoryAllocation)
        throw idlab::Error(IDLAB_STATUS_OUT_OF_MEMORY, what + " failed: the GPU is out of memory (" +
                                                           error_text(status) + ")");
    throw idlab::Error(IDLAB_STATUS_DEVICE_ERROR, what + " failed: " + error_text(status));
}

void check(cublasStatus_t status, const std::string& what) {
    if (status == CUBLAS_STATUS_SUCCESS) return;
    throw idlab::Error(IDLAB_STATUS_DEVICE_ERROR, what + " failed: " + cublas().status_name(status) +
                                                      ": " + cublas().status_string(status));
}

void check_launch(const char* kernel) {
    check(cudaGetLastError(), std::string("launching ") + kernel);
}

}  // namespace idlab::cuda
