#include "runtime/tensor_copy.hpp"

#include <idlab/plugin.hpp>

#include <stdexcept>

namespace idlab::host {

namespace {

void require_copyable(const DLTensor& t, const std::string& what) {
    if (!t.data && tensor_bytes(t) > 0)
        throw std::runtime_error(what + ": the view has no data");
    if (!idlab::is_compact(t))
        throw std::runtime_error(what + ": the view is not a compact row-major tensor");
}

}  // namespace

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

void view_to_host(const DLTensor& view, void* host, DeviceRuntime& device, const std::string& what) {
    require_copyable(view, what);
    if (tensor_bytes(view) == 0) return;
    try {
        device.read(view, host);
    } catch (const DeviceError& e) {
        throw std::runtime_error(what + ": " + e.what());
    }
}

void host_to_view(const void* host, const DLTensor& view, DeviceRuntime& device,
                  const std::string& what) {
    require_copyable(view, what);
    if (tensor_bytes(view) == 0) return;
    try {
        device.write(host, view);
    } catch (const DeviceError& e) {
        throw std::runtime_error(what + ": " + e.what());
    }
}

}  // namespace idlab::host
