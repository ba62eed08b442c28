// cuBLAS, loaded the first time a component needs it. Linking it would make every `idlab`
// command pay for mapping cuBLAS and cuBLASLt (about 0.2 s), CPU runs and `idlab plugins`
// included; loaded on demand only runs on the GPU do. The functions the plugin uses, by
// pointer; the fake runtime of tests/cuda provides them directly (IDLAB_CUDA_EMULATION).
#pragma once

#include <cublas_v2.h>

namespace idlab::cuda {

struct CublasLibrary {
    cublasStatus_t (*create)(cublasHandle_t*);
    cublasStatus_t (*destroy)(cublasHandle_t);
    cublasStatus_t (*set_stream)(cublasHandle_t, cudaStream_t);
    cublasStatus_t (*set_workspace)(cublasHandle_t, void*, size_t);
    cublasStatus_t (*set_math_mode)(cublasHandle_t, cublasMath_t);
    cublasStatus_t (*sgemm)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                            const float*, const float*, int, const float*, int, const float*,
                            float*, int);
    const char* (*status_name)(cublasStatus_t);
    const char* (*status_string)(cublasStatus_t);
};

// The library, loaded on the first call (thread-safe); throws idlab::Error naming the file and
// the loader's reason when it cannot be loaded.
const CublasLibrary& cublas();

}  // namespace idlab::cuda
