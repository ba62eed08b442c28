// CUDA and cuBLAS errors as idlab errors: a failing call throws idlab::Error with
// IDLAB_STATUS_DEVICE_ERROR and a message that names the call and CUDA's own words, which the
// glue turns into a status for the host.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <string>

namespace idlab::cuda {

// "cudaErrorMemoryAllocation: out of memory"
std::string error_text(cudaError_t status);

// Throws unless status is cudaSuccess; `what` names the operation ("cudaMalloc of 4096 bytes").
void check(cudaError_t status, const std::string& what);
void check(cublasStatus_t status, const std::string& what);

// After a kernel launch: throws when the launch was refused (bad configuration, no kernel
// image for this GPU, an earlier asynchronous error).
void check_launch(const char* kernel);

}  // namespace idlab::cuda
