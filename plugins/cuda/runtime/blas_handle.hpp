// A cuBLAS handle bound to the stream of the call at hand, with a workspace of its own (so that
// its GEMMs can be captured into a CUDA graph) and full float32 math (no TF32: the results stay
// comparable with the CPU's and with PyTorch's defaults).
#pragma once

#include "device_buffer.hpp"

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdint>

namespace idlab::cuda {

class BlasHandle {
public:
    BlasHandle();
    ~BlasHandle();
    BlasHandle(const BlasHandle&) = delete;
    BlasHandle& operator=(const BlasHandle&) = delete;

    // Makes the next calls run on `stream`.
    void bind(cudaStream_t stream);
    cublasHandle_t get() const { return handle_; }

    // Row-major float32 products of a Linear layer (PyTorch layout, w [out, in]):
    // y[batch, out] = x[batch, in] w^T
    void linear_forward(const float* x, const float* w, int64_t batch, int64_t in, int64_t out, float* y);
    // dw[out, in] = dy[batch, out]^T x[batch, in]
    void linear_grad_weight(const float* dy, const float* x, int64_t batch, int64_t in, int64_t out, float* dw);
    // dx[batch, in] = dy[batch, out] w
    void linear_grad_input(const float* dy, const float* w, int64_t batch, int64_t in, int64_t out, float* dx);

private:
    cublasHandle_t handle_ = nullptr;
    DeviceBuffer<char> workspace_;
    cudaStream_t stream_ = nullptr;
    bool bound_ = false;
};

}  // namespace idlab::cuda
