#include "runtime/device_runtime.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

namespace idlab::host {

namespace {

constexpr size_t kBlock = 64;

size_t rounded(size_t bytes) { return bytes == 0 ? kBlock : (bytes + kBlock - 1) / kBlock * kBlock; }

// Error storage for one device call.
struct CallError {
    char message[512] = {0};
    idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message, nullptr, 0};
};

// A compact tensor with the dtype and shape of `like`, at `data` on the CPU.
DLTensor host_twin(const DLTensor& like, void* data) {
    DLTensor t = like;
    t.data = data;
    t.byte_offset = 0;
    t.strides = nullptr;
    t.device = DLDevice{kDLCPU, 0};
    return t;
}

const char* data_at(const DLTensor& t) { return static_cast<const char*>(t.data) + t.byte_offset; }

}  // namespace

size_t tensor_bytes(const DLTensor& t) {
    size_t n = static_cast<size_t>(t.dtype.bits) / 8 * t.dtype.lanes;
    for (int d = 0; d < t.ndim; ++d) n *= static_cast<size_t>(t.shape[d]);
    return n;
}

DeviceRuntime::DeviceRuntime() = default;

DeviceRuntime::DeviceRuntime(const idlab_device_i* table, int32_t device_id)
    : table_(table),
      device_{static_cast<DLDeviceType>(table->device_type), device_id} {
    CallError e;
    if (table_->stream_create(device_.device_id, &stream_, &e.err) != IDLAB_STATUS_OK)
        fail("creating the stream", e.message);
}

DeviceRuntime::~DeviceRuntime() {
    if (table_ && stream_) table_->stream_destroy(device_.device_id, stream_);
}

std::string DeviceRuntime::name() const { return table_ ? table_->name : "cpu"; }

void DeviceRuntime::fail(const char* what, const char* message) const {
    throw DeviceError("device '" + name() + "': " + what + " failed: " +
                      (message && *message ? message : "no reason given"));
}

void* DeviceRuntime::allocate(size_t bytes) {
    const size_t size = rounded(bytes);
    if (!table_) {
        void* p = std::aligned_alloc(kBlock, size);
        if (!p) throw std::bad_alloc();
        return p;
    }
    CallError e;
    void* p = table_->alloc(device_.device_id, size, kBlock, &e.err);
    if (!p) fail(("allocating " + std::to_string(size) + " bytes").c_str(), e.message);
    return p;
}

void DeviceRuntime::release(void* ptr) {
    if (!ptr) return;
    if (!table_) std::free(ptr);
    else table_->free(device_.device_id, ptr);
}

void DeviceRuntime::zero(void* ptr, size_t bytes) {
    if (!table_) {
        std::memset(ptr, 0, bytes);
        return;
    }
    std::vector<char> zeros(bytes, 0);
    int64_t shape[1] = {static_cast<int64_t>(bytes)};
    DLTensor src{zeros.data(), DLDevice{kDLCPU, 0}, 1, DLDataType{kDLUInt, 8, 1}, shape, nullptr, 0};
    DLTensor dst = src;
    dst.data = ptr;
    dst.device = device_;
    copy(src, dst);
    synchronize();
}

void DeviceRuntime::copy(const DLTensor& src, DLTensor& dst) {
    if (!table_) {
        std::memcpy(static_cast<char*>(dst.data) + dst.byte_offset, data_at(src), tensor_bytes(src));
        return;
    }
    CallError e;
    if (table_->copy(&src, &dst, stream_, &e.err) != IDLAB_STATUS_OK) fail("copy", e.message);
}

void DeviceRuntime::synchronize() {
    if (!table_) return;
    CallError e;
    if (table_->synchronize(device_.device_id, stream_, &e.err) != IDLAB_STATUS_OK)
        fail("synchronize", e.message);
}

void DeviceRuntime::require_mine(const DLTensor& view) const {
    if (view.device.device_type != device_.device_type || view.device.device_id != device_.device_id)
        throw DeviceError("device '" + name() + "': a tensor on device type " +
                          std::to_string(view.device.device_type) + " (id " +
                          std::to_string(view.device.device_id) + ") is not on this device");
}

void DeviceRuntime::read(const DLTensor& view, void* host) {
    if (view.device.device_type != kDLCPU) require_mine(view);
    if (view.device.device_type == kDLCPU) {
        std::memcpy(host, data_at(view), tensor_bytes(view));
        return;
    }
    DLTensor dst = host_twin(view, host);
    copy(view, dst);
    synchronize();
}

void DeviceRuntime::write(const void* host, const DLTensor& view) {
    if (view.device.device_type != kDLCPU) require_mine(view);
    if (view.device.device_type == kDLCPU) {
        std::memcpy(static_cast<char*>(view.data) + view.byte_offset, host, tensor_bytes(view));
        return;
    }
    DLTensor src = host_twin(view, const_cast<void*>(host));
    DLTensor dst = view;
    copy(src, dst);
    synchronize();
}

}  // namespace idlab::host
