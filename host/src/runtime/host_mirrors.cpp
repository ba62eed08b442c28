#include "runtime/host_mirrors.hpp"

#include <vector>

namespace idlab::host {

namespace {
bool same_storage(const DLTensor& a, const DLTensor& b) {
    if (a.data != b.data || a.byte_offset != b.byte_offset || a.ndim != b.ndim) return false;
    for (int d = 0; d < a.ndim; ++d)
        if (a.shape[d] != b.shape[d]) return false;
    return a.dtype.code == b.dtype.code && a.dtype.bits == b.dtype.bits;
}
}  // namespace

DLTensor HostMirrors::view_of(const std::string& name, const DLTensor& source) {
    if (source.device.device_type == kDLCPU) return source;
    for (Mirror& m : mirrors_)
        if (same_storage(m.source, source)) return m.copy.view();
    idlab_dtype_t dtype;
    if (!idlab_dtype_of(source.dtype, dtype))
        throw DeviceError("'" + name + "': metrics cannot read a tensor of this dtype");
    std::vector<int64_t> shape(source.shape, source.shape + source.ndim);
    mirrors_.push_back(Mirror{source, TensorBuffer(name, dtype, shape)});
    return mirrors_.back().copy.view();
}

void HostMirrors::refresh() {
    if (mirrors_.empty()) return;
    for (Mirror& m : mirrors_) {
        DLTensor dst = m.copy.view();
        device_.copy(m.source, dst);
    }
    device_.synchronize();
}

}  // namespace idlab::host
