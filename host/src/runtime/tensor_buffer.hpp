// A host-owned tensor that hands out DLPack views: 64-byte aligned, zero-filled, on the CPU or
// on the run's device (allocated through its DeviceRuntime). Allocated before the training loop
// starts; the loop only hands out views.
#pragma once

#include "runtime/device_runtime.hpp"

#include <idlab/plugin.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idlab::host {

// Frees a TensorBuffer's storage: through its device, or with std::free on the CPU.
struct TensorStorageFree {
    DeviceRuntime* device = nullptr;  // null: std::free
    void operator()(void* p) const;
};

class TensorBuffer {
public:
    TensorBuffer() = default;
    // On the CPU.
    TensorBuffer(std::string name, idlab_dtype_t dtype, std::vector<int64_t> shape);
    // On `device` (the CPU too when device.is_cpu()); the runtime must outlive the buffer.
    TensorBuffer(std::string name, idlab_dtype_t dtype, std::vector<int64_t> shape,
                 DeviceRuntime& device);

    const std::string& name() const { return name_; }
    idlab_dtype_t dtype() const { return dtype_; }
    const std::vector<int64_t>& shape() const { return shape_; }
    int64_t rows() const { return shape_.empty() ? 0 : shape_[0]; }
    // Elements per row (1 for a 1-D tensor).
    int64_t row_elements() const;
    size_t element_bytes() const;
    size_t bytes() const;
    bool on_device() const { return device_.device_type != kDLCPU; }
    // The storage: a device address for a buffer on a device (not to be dereferenced here).
    void* data() { return storage_.get(); }
    template <class T> T* as() { return static_cast<T*>(data()); }

    // A view of the whole tensor.
    DLTensor view();
    // A view of rows [first, first + count), used to encode evaluation samples in chunks;
    // valid until the next row_view() of this buffer.
    DLTensor row_view(int64_t first, int64_t count);

private:
    using Free = TensorStorageFree;
    void allocate(DeviceRuntime* device);

    std::string name_;
    idlab_dtype_t dtype_ = IDLAB_DTYPE_F32;
    std::vector<int64_t> shape_;
    std::vector<int64_t> chunk_shape_;  // the shape a row_view reports; kept here so it outlives calls
    DLDevice device_{kDLCPU, 0};
    std::unique_ptr<void, Free> storage_;
};

// The dtype of a DLPack tensor as an idlab dtype; false for one idlab does not use.
bool idlab_dtype_of(const DLDataType& t, idlab_dtype_t& out);

}  // namespace idlab::host
