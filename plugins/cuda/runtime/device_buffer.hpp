// Device memory owned by a component: cudaMalloc'd, freed with the owner, never reallocated
// inside a same-size call. upload()/download() are for creation and checkpoints, not for steps.
#pragma once

#include "cuda_check.hpp"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace idlab::cuda {

template <class T>
class DeviceBuffer {
public:
    DeviceBuffer() = default;
    explicit DeviceBuffer(size_t count) { reset(count); }
    ~DeviceBuffer() { release(); }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)), count_(std::exchange(o.count_, 0)) {}
    DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
        if (this != &o) {
            release();
            ptr_ = std::exchange(o.ptr_, nullptr);
            count_ = std::exchange(o.count_, 0);
        }
        return *this;
    }

    T* data() { return ptr_; }
    const T* data() const { return ptr_; }
    size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }

    // count elements, contents undefined (a fresh allocation).
    void reset(size_t count) {
        release();
        if (count == 0) return;
        void* p = nullptr;
        check(cudaMalloc(&p, count * sizeof(T)), "cudaMalloc of " + std::to_string(count * sizeof(T)) + " bytes");
        ptr_ = static_cast<T*>(p);
        count_ = count;
    }
    // At least `count` elements: reallocates (dropping the contents) only to grow.
    void ensure(size_t count) {
        if (count > count_) reset(count);
    }

    // Synchronous copies for set-up: they wait for the whole device, so the data are in place
    // before any stream uses them.
    void upload(const T* host, size_t count) {
        if (count > count_) reset(count);
        check(cudaMemcpy(ptr_, host, count * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy to the GPU");
        check(cudaDeviceSynchronize(), "cudaDeviceSynchronize after an upload");
    }
    void upload(const std::vector<T>& host) { upload(host.data(), host.size()); }
    void fill_zero() {
        if (count_ == 0) return;
        check(cudaMemset(ptr_, 0, count_ * sizeof(T)), "cudaMemset");
        check(cudaDeviceSynchronize(), "cudaDeviceSynchronize after a memset");
    }
    // Waits for `stream`, then copies the first `count` elements to the host.
    void download(T* host, size_t count, cudaStream_t stream) const {
        check(cudaMemcpyAsync(host, ptr_, count * sizeof(T), cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync to the host");
        check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after a download");
    }

private:
    void release() {
        if (ptr_) cudaFree(ptr_);  // errors here cannot be reported; the memory is gone either way
        ptr_ = nullptr;
        count_ = 0;
    }
    T* ptr_ = nullptr;
    size_t count_ = 0;
};

}  // namespace idlab::cuda
