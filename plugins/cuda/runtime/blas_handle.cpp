#include "blas_handle.hpp"

#include "cublas_library.hpp"

namespace idlab::cuda {

namespace {
// cuBLAS's recommendation for graph capture on Hopper is 32 MiB; these GEMMs are small.
constexpr size_t kWorkspaceBytes = size_t{4} << 20;

int as_int(int64_t v) { return static_cast<int>(v); }
}  // namespace

BlasHandle::BlasHandle() {
    check(cublas().create(&handle_), "cublasCreate");
    check(cublas().set_math_mode(handle_, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    workspace_.reset(kWorkspaceBytes);
}

BlasHandle::~BlasHandle() {
    if (handle_) cublas().destroy(handle_);
}

void BlasHandle::bind(cudaStream_t stream) {
    if (bound_ && stream == stream_) return;
    check(cublas().set_stream(handle_, stream), "cublasSetStream");
    // cublasSetStream drops a user workspace: set it again for this stream.
    check(cublas().set_workspace(handle_, workspace_.data(), workspace_.size()), "cublasSetWorkspace");
    stream_ = stream;
    bound_ = true;
}

// cuBLAS is column-major: a row-major [r, c] matrix is its column-major transpose [c, r].
void BlasHandle::linear_forward(const float* x, const float* w, int64_t batch, int64_t in,
                                int64_t out, float* y) {
    const float one = 1.0f, zero = 0.0f;
    // y^T [out, batch] = w [out, in] (col-major w^T, transposed) * x^T [in, batch]
    check(cublas().sgemm(handle_, CUBLAS_OP_T, CUBLAS_OP_N, as_int(out), as_int(batch), as_int(in), &one,
                      w, as_int(in), x, as_int(in), &zero, y, as_int(out)),
          "cublasSgemm (linear forward)");
}

void BlasHandle::linear_grad_weight(const float* dy, const float* x, int64_t batch, int64_t in,
                                    int64_t out, float* dw) {
    const float one = 1.0f, zero = 0.0f;
    // dw^T [in, out] = x^T [in, batch] * dy [batch, out]  (dy^T col-major, transposed)
    check(cublas().sgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_T, as_int(in), as_int(out), as_int(batch), &one,
                      x, as_int(in), dy, as_int(out), &zero, dw, as_int(in)),
          "cublasSgemm (weight gradient)");
}

void BlasHandle::linear_grad_input(const float* dy, const float* w, int64_t batch, int64_t in,
                                   int64_t out, float* dx) {
    const float one = 1.0f, zero = 0.0f;
    // dx^T [in, batch] = w^T [in, out] * dy^T [out, batch]
    check(cublas().sgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_N, as_int(in), as_int(batch), as_int(out), &one,
                      w, as_int(in), dy, as_int(out), &zero, dx, as_int(in)),
          "cublasSgemm (input gradient)");
}

}  // namespace idlab::cuda
