// What the CUDA component tests share. They are compiled twice: against the real plugin (CUDA
// runtime, nvcc kernels, cuBLAS; they need a GPU and say why they do not run without one) and
// against the fake runtime and the host emulation of the kernels (tests/cuda/emulation), where
// they run on any machine. IDLAB_CUDA_EMULATION tells which.
#pragma once

#include "compare.hpp"
#include "runtime/probe.hpp"

#include "support/config_builder.hpp"
#include "support/tensor.hpp"

#include <idlab/plugin.hpp>

#include <catch2/catch.hpp>
#include <cuda_runtime_api.h>

#include <cstdio>
#include <string>
#include <vector>

namespace idlab::cuda_test {

// True when a GPU can run the tests; otherwise prints why (once per test) and returns false.
inline bool gpu_ready() {
    std::string why;
    if (idlab::cuda::probe(why)) return true;
    std::printf("skipped (%s): %s\n", Catch::getResultCapture().getCurrentTestName().c_str(), why.c_str());
    return false;
}

#define IDLAB_REQUIRE_GPU_OR_RETURN() \
    do {                              \
        if (!::idlab::cuda_test::gpu_ready()) return; \
    } while (0)

#if defined(IDLAB_CUDA_EMULATION)
constexpr bool kEmulated = true;
#else
constexpr bool kEmulated = false;
#endif

// A tensor in GPU memory with a DLPack view (device kDLCUDA), filled from and read into vectors.
template <class T>
class DeviceTensor {
public:
    explicit DeviceTensor(std::vector<int64_t> shape) : shape_(std::move(shape)) {
        size_ = 1;
        for (int64_t s : shape_) size_ *= static_cast<size_t>(s);
        REQUIRE(cudaMalloc(&ptr_, size_ * sizeof(T) + 1) == cudaSuccess);
        REQUIRE(cudaMemset(ptr_, 0, size_ * sizeof(T)) == cudaSuccess);
    }
    ~DeviceTensor() { cudaFree(ptr_); }
    DeviceTensor(const DeviceTensor&) = delete;
    DeviceTensor& operator=(const DeviceTensor&) = delete;

    void upload(const std::vector<T>& v) {
        REQUIRE(v.size() == size_);
        REQUIRE(cudaMemcpy(ptr_, v.data(), size_ * sizeof(T), cudaMemcpyHostToDevice) == cudaSuccess);
        REQUIRE(cudaDeviceSynchronize() == cudaSuccess);  // in place before any stream reads it
    }
    std::vector<T> download() const {
        REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
        std::vector<T> v(size_);
        REQUIRE(cudaMemcpy(v.data(), ptr_, size_ * sizeof(T), cudaMemcpyDeviceToHost) == cudaSuccess);
        return v;
    }
    T* data() { return static_cast<T*>(ptr_); }
    size_t size() const { return size_; }
    DLTensor view() {
        DLTensor t{};
        t.data = ptr_;
        t.device = DLDevice{kDLCUDA, 0};
        t.ndim = static_cast<int>(shape_.size());
        t.dtype = idlab::test::DLTypeOf<T>::get();
        t.shape = shape_.data();
        return t;
    }

private:
    std::vector<int64_t> shape_;
    size_t size_ = 0;
    void* ptr_ = nullptr;
};

// Reads a component's device view (parameter, gradient, state) back to the host.
template <class T>
std::vector<T> read_view(const DLTensor& t) {
    size_t n = 1;
    for (int d = 0; d < t.ndim; ++d) n *= static_cast<size_t>(t.shape[d]);
    std::vector<T> v(n);
    REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
    if (t.device.device_type == kDLCPU)
        std::copy(static_cast<const T*>(t.data), static_cast<const T*>(t.data) + n, v.begin());
    else
        REQUIRE(cudaMemcpy(v.data(), t.data, n * sizeof(T), cudaMemcpyDeviceToHost) == cudaSuccess);
    return v;
}

template <class T>
std::vector<T> host_values(const DLTensor& t) {
    size_t n = 1;
    for (int d = 0; d < t.ndim; ++d) n *= static_cast<size_t>(t.shape[d]);
    const T* p = static_cast<const T*>(t.data);
    return std::vector<T>(p, p + n);
}

// A stream for the calls, like the host's.
class Stream {
public:
    Stream() { REQUIRE(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking) == cudaSuccess); }
    ~Stream() { cudaStreamDestroy(stream_); }
    cudaStream_t get() const { return stream_; }

private:
    cudaStream_t stream_ = nullptr;
};

inline idlab_exec_ctx_t exec_ctx(DLDevice device, void* stream, bool training, idlab_rng_t rng = {}) {
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = device;
    ctx.stream = stream;
    ctx.training = training ? 1 : 0;
    ctx.rng = rng;
    return ctx;
}

inline idlab_create_ctx_t create_ctx(DLDevice device, uint64_t seed, const char* stage,
                                     const std::vector<idlab_field_desc_t>& fields, int64_t input_dim) {
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = device;
    ctx.seed = seed;
    ctx.stage = stage;
    ctx.field_count = static_cast<uint32_t>(fields.size());
    ctx.fields = fields.empty() ? nullptr : fields.data();
    ctx.input_dim = input_dim;
    ctx.threads = 1;
    return ctx;
}

constexpr DLDevice kCpu{kDLCPU, 0};
constexpr DLDevice kGpu{kDLCUDA, 0};

}  // namespace idlab::cuda_test
