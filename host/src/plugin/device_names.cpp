#include "plugin/device_names.hpp"

#include <array>

namespace idlab::host {

namespace {
constexpr std::array<DeviceName, 2> kDevices = {{
    {"cpu", IDLAB_DEVICE_CPU, kDLCPU, "CPU"},
    {"cuda", IDLAB_DEVICE_CUDA, kDLCUDA, "CUDA"},
}};
}  // namespace

const DeviceName* find_device_name(std::string_view name) {
    for (const DeviceName& d : kDevices)
        if (d.name == name) return &d;
    return nullptr;
}

uint32_t device_mask(std::string_view name) {
    const DeviceName* d = find_device_name(name);
    return d ? d->mask : uint32_t{IDLAB_DEVICE_CPU};
}

}  // namespace idlab::host
