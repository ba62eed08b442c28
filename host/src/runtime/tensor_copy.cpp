#include "runtime/tensor_copy.hpp"

#include <cstring>
#include <stdexcept>

namespace idlab::host {

namespace {

bool is_compact(const DLTensor& t) {
    if (!t.strides) return true;
    int64_t expected = 1;
    for (int d = t.ndim - 1; d >= 0; --d) {
        if (t.shape[d] != 1 && t.strides[d] != expected) return false;
        expected *= t.shape[d];
    }
    return true;
}

void require_copyable(const DLTensor& t, const std::string& what) {
    if (!t.data && tensor_byte_size(t) > 0)
        throw std::runtime_error(what + ": the view has no data");
    if (!is_compact(t))
        throw std::runtime_error(what + ": the view is not a compact row-major tensor");
}

// Runs a copy between the view and host memory on the device that holds the view.
void device_copy(const DLTensor& src, DLTensor& dst, const DLDevice& on,
                 const idlab_device_i* device, const std::string& what) {
    if (!device || device->device_type != on.device_type)
        throw std::runtime_error(what + ": the tensor lives on device type " +
                                 std::to_string(on.device_type) +
                                 ", which no loaded plugin serves for copies");
    char message[1024] = {};
    char key[8] = {};
    idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof(message), key, sizeof(key)};
    if (device->copy(&src, &dst, nullptr, &err) != IDLAB_STATUS_OK ||
        device->synchronize(on.device_id, nullptr, &err) != IDLAB_STATUS_OK)
        throw std::runtime_error(what + ": copy on device '" + (device->name ? device->name : "?") +
                                 "' failed: " + message);
}

DLTensor host_twin(const DLTensor& view, const void* host) {
    DLTensor t = view;
    t.data = const_cast<void*>(host);
    t.device = DLDevice{kDLCPU, 0};
    t.strides = nullptr;
    t.byte_offset = 0;
    return t;
}

}  // namespace

uint64_t tensor_byte_size(const DLTensor& t) {
    uint64_t n = (static_cast<uint64_t>(t.dtype.bits) * t.dtype.lanes + 7) / 8;
    for (int d = 0; d < t.ndim; ++d) n *= static_cast<uint64_t>(t.shape[d]);
    return n;
}

int32_t idlab_dtype_of(const DLTensor& t) {
    if (t.dtype.lanes != 1) return 0;
    if (t.dtype.code == kDLFloat && t.dtype.bits == 32) return IDLAB_DTYPE_F32;
    if (t.dtype.code == kDLFloat && t.dtype.bits == 64) return IDLAB_DTYPE_F64;
    if (t.dtype.code == kDLInt && t.dtype.bits == 64) return IDLAB_DTYPE_I64;
    return 0;
}

const char* idlab_dtype_name(int32_t dtype) {
    switch (dtype) {
        case IDLAB_DTYPE_F32: return "f32";
        case IDLAB_DTYPE_F64: return "f64";
        case IDLAB_DTYPE_I64: return "i64";
    }
    return "unknown dtype";
}

std::string tensor_description(const DLTensor& t) {
    std::string s = std::string(idlab_dtype_name(idlab_dtype_of(t))) + " [";
    for (int d = 0; d < t.ndim; ++d) s += (d ? ", " : "") + std::to_string(t.shape[d]);
    return s + "]";
}

void view_to_host(const DLTensor& view, void* host, const idlab_device_i* device,
                  const std::string& what) {
    require_copyable(view, what);
    const uint64_t bytes = tensor_byte_size(view);
    if (bytes == 0) return;
    if (view.device.device_type == kDLCPU) {
        std::memcpy(host, static_cast<const char*>(view.data) + view.byte_offset, bytes);
        return;
    }
    DLTensor dst = host_twin(view, host);
    device_copy(view, dst, view.device, device, what);
}

void host_to_view(const void* host, const DLTensor& view, const idlab_device_i* device,
                  const std::string& what) {
    require_copyable(view, what);
    const uint64_t bytes = tensor_byte_size(view);
    if (bytes == 0) return;
    if (view.device.device_type == kDLCPU) {
        std::memcpy(static_cast<char*>(view.data) + view.byte_offset, host, bytes);
        return;
    }
    const DLTensor src = host_twin(view, host);
    DLTensor dst = view;
    device_copy(src, dst, view.device, device, what);
}

}  // namespace idlab::host
