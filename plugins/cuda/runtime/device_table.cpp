#include "device_table.hpp"

#include "cuda_check.hpp"

#include <idlab/plugin.hpp>

#include <cuda_runtime_api.h>

#include <string>

namespace idlab::cuda {

namespace {

// cudaMalloc aligns to at least 256 bytes.
constexpr uint64_t kNaturalAlignment = 256;

idlab_status_t fail(idlab_error_t* err, const std::string& what, cudaError_t status) {
    const idlab_status_t code =
        status == cudaErrorMemoryAllocation ? IDLAB_STATUS_OUT_OF_MEMORY : IDLAB_STATUS_DEVICE_ERROR;
    return idlab_error_set(err, code, nullptr, (what + " failed: " + error_text(status)).c_str());
}

bool select_device(int32_t device_id, idlab_error_t* err) {
    const cudaError_t status = cudaSetDevice(device_id);
    if (status == cudaSuccess) return true;
    fail(err, "cudaSetDevice(" + std::to_string(device_id) + ")", status);
    return false;
}

void* device_alloc(int32_t device_id, uint64_t bytes, uint64_t alignment, idlab_error_t* err) {
    if (alignment > kNaturalAlignment || (alignment & (alignment - 1)) != 0) {
        idlab_error_set(err, IDLAB_STATUS_UNSUPPORTED, nullptr,
                        ("alignment " + std::to_string(alignment) +
                         ": CUDA memory is aligned to powers of two up to 256 bytes").c_str());
        return nullptr;
    }
    if (!select_device(device_id, err)) return nullptr;
    void* p = nullptr;
    // A request of 0 bytes still gets a distinct, freeable block.
    const cudaError_t status = cudaMalloc(&p, bytes == 0 ? 1 : bytes);
    if (status != cudaSuccess) {
        cudaGetLastError();  // a failed allocation leaves no sticky error, but clear it
        fail(err, "cudaMalloc of " + std::to_string(bytes) + " bytes", status);
        return nullptr;
    }
    return p;
}

void device_free(int32_t device_id, void* ptr) {
    if (!ptr) return;
    cudaSetDevice(device_id);
    cudaFree(ptr);
}

size_t bytes_of(const DLTensor& t) {
    size_t n = static_cast<size_t>(t.dtype.bits) / 8 * t.dtype.lanes;
    for (int d = 0; d < t.ndim; ++d) n *= static_cast<size_t>(t.shape[d]);
    return n;
}

bool same_layout(const DLTensor& a, const DLTensor& b) {
    if (a.ndim != b.ndim || a.dtype.code != b.dtype.code || a.dtype.bits != b.dtype.bits ||
        a.dtype.lanes != b.dtype.lanes)
        return false;
    for (int d = 0; d < a.ndim; ++d)
        if (a.shape[d] != b.shape[d]) return false;
    return true;
}

bool cpu_or_cuda(const DLTensor& t) {
    return t.device.device_type == kDLCPU || t.device.device_type == kDLCUDA;
}

idlab_status_t device_copy(const DLTensor* src, DLTensor* dst, void* stream, idlab_error_t* err) {
    if (!src || !dst) return idlab_error_set(err, IDLAB_STATUS_INVALID_ARGUMENT, nullptr, "copy: a tensor is NULL");
    if (!same_layout(*src, *dst))
        return idlab_error_set(err, IDLAB_STATUS_INVALID_ARGUMENT, nullptr,
                               "copy: source and destination differ in dtype or shape");
    if (!idlab::is_compact(*src) || !idlab::is_compact(*dst))
        return idlab_error_set(err, IDLAB_STATUS_INVALID_ARGUMENT, nullptr, "copy: tensors must be compact");
    if (!cpu_or_cuda(*src) || !cpu_or_cuda(*dst))
        return idlab_error_set(err, IDLAB_STATUS_UNSUPPORTED, nullptr,
                               "copy: only CPU and CUDA tensors can be copied by the CUDA device");
    const size_t bytes = bytes_of(*src);
    if (bytes == 0) return IDLAB_STATUS_OK;
    const char* from = static_cast<const char*>(src->data) + src->byte_offset;
    char* to = static_cast<char*>(dst->data) + dst->byte_offset;
    cudaMemcpyKind kind = cudaMemcpyDefault;  // unified addressing tells the directions apart
    if (src->device.device_type == kDLCPU && dst->device.device_type == kDLCPU) kind = cudaMemcpyHostToHost;
    const cudaError_t status =
        cudaMemcpyAsync(to, from, bytes, kind, static_cast<cudaStream_t>(stream));
    if (status != cudaSuccess) return fail(err, "cudaMemcpyAsync of " + std::to_string(bytes) + " bytes", status);
    return IDLAB_STATUS_OK;
}

idlab_status_t device_stream_create(int32_t device_id, void** stream, idlab_error_t* err) {
    if (!select_device(device_id, err)) return err ? err->code : IDLAB_STATUS_DEVICE_ERROR;
    cudaStream_t s = nullptr;
    const cudaError_t status = cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
    if (status != cudaSuccess) return fail(err, "cudaStreamCreateWithFlags", status);
    *stream = s;
    return IDLAB_STATUS_OK;
}

void device_stream_destroy(int32_t device_id, void* stream) {
    cudaSetDevice(device_id);
    if (stream) cudaStreamDestroy(static_cast<cudaStream_t>(stream));
}

idlab_status_t device_synchronize(int32_t device_id, void* stream, idlab_error_t* err) {
    if (!select_device(device_id, err)) return err ? err->code : IDLAB_STATUS_DEVICE_ERROR;
    const cudaError_t status = cudaStreamSynchronize(static_cast<cudaStream_t>(stream));
    if (status != cudaSuccess) return fail(err, "cudaStreamSynchronize", status);
    return IDLAB_STATUS_OK;
}

const idlab_device_i kTable = {sizeof(idlab_device_i), kDLCUDA,       "cuda",
                               &device_alloc,          &device_free,  &device_copy,
                               &device_stream_create,  &device_stream_destroy, &device_synchronize};

}  // namespace

const idlab_device_i* device_table() { return &kTable; }

}  // namespace idlab::cuda
