#include "fake_cuda_runtime.hpp"

#include "emulated_streams.hpp"

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace idlab::cuda::fake_runtime {

namespace {
int g_device_count = 1;
Counters g_counters;
thread_local cudaError_t g_last_error = cudaSuccess;

struct Graph {
    std::vector<emulation::Work> work;
};
std::mutex g_capture_mutex;
std::map<cudaStream_t, Graph*> g_capturing;

bool capturing(cudaStream_t stream) {
    std::lock_guard<std::mutex> lock(g_capture_mutex);
    return stream && g_capturing.count(stream) > 0;
}

struct BlasContext {
    cudaStream_t stream = nullptr;
};
}  // namespace

Counters& counters() { return g_counters; }
void set_device_count(int count) { g_device_count = count; }

}  // namespace idlab::cuda::fake_runtime

using namespace idlab::cuda;
using fake_runtime::g_counters;

extern "C" {

// ------------------------------------------------------------------ devices and errors

cudaError_t cudaGetDeviceCount(int* count) {
    *count = fake_runtime::g_device_count;
    return fake_runtime::g_device_count > 0 ? cudaSuccess : cudaErrorNoDevice;
}

cudaError_t cudaSetDevice(int device) {
    return device >= 0 && device < fake_runtime::g_device_count ? cudaSuccess : cudaErrorInvalidDevice;
}

cudaError_t cudaDeviceGetAttribute(int* value, enum cudaDeviceAttr attr, int) {
    *value = 0;
    if (attr == cudaDevAttrComputeCapabilityMajor) *value = 9;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp* prop, int) {
    std::memset(prop, 0, sizeof *prop);
    std::snprintf(prop->name, sizeof prop->name, "%s", "emulated GPU");
    prop->major = 9;
    return cudaSuccess;
}

const char* cudaGetErrorName(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "cudaSuccess";
        case cudaErrorNoDevice: return "cudaErrorNoDevice";
        case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
        case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
        case cudaErrorStreamCaptureUnsupported: return "cudaErrorStreamCaptureUnsupported";
        default: return "cudaErrorUnknown";
    }
}

const char* cudaGetErrorString(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "no error";
        case cudaErrorNoDevice: return "no CUDA-capable device is detected";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorStreamCaptureUnsupported: return "operation not permitted when stream is capturing";
        default: return "an error of the fake CUDA runtime";
    }
}

cudaError_t cudaGetLastError(void) {
    const cudaError_t e = fake_runtime::g_last_error;
    fake_runtime::g_last_error = cudaSuccess;
    return e;
}

cudaError_t cudaDeviceSynchronize(void) {
    ++g_counters.waits;
    if (!fake_runtime::g_capturing.empty()) {
        ++g_counters.syncs_while_capturing;
        return cudaErrorStreamCaptureUnsupported;
    }
    return cudaSuccess;
}

// ------------------------------------------------------------------ memory

cudaError_t cudaMalloc(void** ptr, size_t size) {
    *ptr = std::aligned_alloc(256, (size + 255) / 256 * 256);
    if (!*ptr) return cudaErrorMemoryAllocation;
    std::memset(*ptr, 0xcd, size);  // device memory comes uninitialised
    ++g_counters.mallocs;
    return cudaSuccess;
}

cudaError_t cudaFree(void* ptr) {
    if (ptr) ++g_counters.frees;
    std::free(ptr);
    return cudaSuccess;
}

cudaError_t cudaMallocHost(void** ptr, size_t size) {
    *ptr = std::malloc(size);
    return *ptr ? cudaSuccess : cudaErrorMemoryAllocation;
}

cudaError_t cudaFreeHost(void* ptr) {
    std::free(ptr);
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, enum cudaMemcpyKind) {
    ++g_counters.memcpys;
    ++g_counters.blocking_copies;
    std::memmove(dst, src, count);
    return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count, enum cudaMemcpyKind, cudaStream_t stream) {
    emulation::enqueue(stream, [dst, src, count] {
        ++g_counters.memcpys;
        std::memmove(dst, src, count);
    });
    return cudaSuccess;
}

cudaError_t cudaMemset(void* ptr, int value, size_t count) {
    std::memset(ptr, value, count);
    return cudaSuccess;
}

// ------------------------------------------------------------------ streams and graphs

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int) {
    *stream = reinterpret_cast<cudaStream_t>(new char);
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
    delete reinterpret_cast<char*>(stream);
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
    ++g_counters.waits;
    if (fake_runtime::capturing(stream)) {
        ++g_counters.syncs_while_capturing;
        return cudaErrorStreamCaptureUnsupported;
    }
    return cudaSuccess;
}

cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode) {
    if (!stream) return cudaErrorStreamCaptureUnsupported;  // not on the legacy default stream
    auto* graph = new fake_runtime::Graph;
    {
        std::lock_guard<std::mutex> lock(fake_runtime::g_capture_mutex);
        fake_runtime::g_capturing[stream] = graph;
    }
    emulation::set_recorder(stream, [graph](emulation::Work w) { graph->work.push_back(std::move(w)); });
    return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* out) {
    std::lock_guard<std::mutex> lock(fake_runtime::g_capture_mutex);
    auto it = fake_runtime::g_capturing.find(stream);
    if (it == fake_runtime::g_capturing.end()) return cudaErrorStreamCaptureUnsupported;
    *out = reinterpret_cast<cudaGraph_t>(it->second);
    fake_runtime::g_capturing.erase(it);
    emulation::clear_recorder(stream);
    ++g_counters.captures;
    return cudaSuccess;
}

cudaError_t cudaGraphInstantiateWithFlags(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long) {
    auto* copy = new fake_runtime::Graph(*reinterpret_cast<fake_runtime::Graph*>(graph));
    *exec = reinterpret_cast<cudaGraphExec_t>(copy);
    return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
    delete reinterpret_cast<fake_runtime::Graph*>(graph);
    return cudaSuccess;
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
    delete reinterpret_cast<fake_runtime::Graph*>(exec);
    return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
    ++g_counters.graph_launches;
    for (const emulation::Work& w : reinterpret_cast<fake_runtime::Graph*>(exec)->work)
        emulation::enqueue(stream, w);
    return cudaSuccess;
}

// ------------------------------------------------------------------ cuBLAS

cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
    *handle = reinterpret_cast<cublasHandle_t>(new fake_runtime::BlasContext);
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
    delete reinterpret_cast<fake_runtime::BlasContext*>(handle);
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t stream) {
    reinterpret_cast<fake_runtime::BlasContext*>(handle)->stream = stream;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t, void*, size_t) { return CUBLAS_STATUS_SUCCESS; }
cublasStatus_t cublasSetMathMode(cublasHandle_t, cublasMath_t) { return CUBLAS_STATUS_SUCCESS; }
const char* cublasGetStatusName(cublasStatus_t) { return "CUBLAS_STATUS_UNKNOWN"; }
const char* cublasGetStatusString(cublasStatus_t) { return "an error of the fake cuBLAS"; }

// Column-major C = alpha op(A) op(B) + beta C, as the reference BLAS defines it.
cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                              int m, int n, int k, const float* alpha, const float* A, int lda,
                              const float* B, int ldb, const float* beta, float* C, int ldc) {
    const float a = *alpha, b = *beta;  // host pointer mode: read at call time
    const bool ta = transa != CUBLAS_OP_N, tb = transb != CUBLAS_OP_N;
    const cudaStream_t stream = reinterpret_cast<fake_runtime::BlasContext*>(handle)->stream;
    emulation::enqueue(stream, [=] {
        ++g_counters.gemms;
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < m; ++i) {
                float sum = 0.0f;
                for (int p = 0; p < k; ++p) {
                    const float av = ta ? A[p + static_cast<int64_t>(i) * lda] : A[i + static_cast<int64_t>(p) * lda];
                    const float bv = tb ? B[j + static_cast<int64_t>(p) * ldb] : B[p + static_cast<int64_t>(j) * ldb];
                    sum += av * bv;
                }
                float& c = C[i + static_cast<int64_t>(j) * ldc];
                c = b == 0.0f ? a * sum : a * sum + b * c;
            }
    });
    return CUBLAS_STATUS_SUCCESS;
}

}  // extern "C"
